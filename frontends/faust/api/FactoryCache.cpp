// FactoryCache: machine code plus the library hashes it depends on.
//
// Entry layout: "lib <sha1> <path>\n" per library, "machine\n", then the
// bytes Factory::writeMachine produces.
#include "FactoryCache.h"

#include "../compiler/FaustCompiler.h"
#include "../dsp/FactoryImpl.h"

#include "kiln/core/Cache.h"
#include "kiln/faust/Registry.h"

#include "llvm/Support/MemoryBuffer.h"

#include <fstream>
#include <sstream>

namespace kiln::faust {

namespace {

core::CompileCache &diskCache() {
  // One per process, like the core JIT's: thread-safe, directory fixed at
  // first use from $KILN_CACHE_DIR.
  static core::CompileCache cache(core::CompileCache::defaultDirectory() +
                                  "/faust");
  return cache;
}

std::string cacheKey(const std::string &key, const FaustInput &input) {
  // Bump the tag whenever the code Kiln generates for the same key changes.
  return shaOf({"kiln-faust-factory-7", key, getDSPMachineTarget(),
                faustBinary(input.faustPath)});
}

std::string fileHash(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return "missing";
  std::stringstream buffer;
  buffer << in.rdbuf();
  return shaOf({buffer.str()});
}

} // namespace

std::shared_ptr<Factory> loadCachedFactory(const std::string &key,
                                           const FaustInput &input) {
  auto entry = diskCache().lookup(cacheKey(key, input));
  if (!entry)
    return nullptr;
  std::string data = entry->getBuffer().str();
  size_t pos = 0;
  while (data.compare(pos, 4, "lib ") == 0) {
    size_t eol = data.find('\n', pos);
    if (eol == std::string::npos || eol < pos + 46)
      return nullptr;
    std::string hash = data.substr(pos + 4, 40);
    std::string path = data.substr(pos + 45, eol - pos - 45);
    if (fileHash(path) != hash)
      return nullptr; // a library changed: rebuild
    pos = eol + 1;
  }
  if (data.compare(pos, 8, "machine\n") != 0)
    return nullptr;
  Registry scratch; // the caller's registry owns the result
  auto factory = scratch.readDSPFactoryFromMachine(data.substr(pos + 8));
  if (!factory)
    return nullptr;
  Factory::Impl &impl = (*factory)->impl();
  impl.shaKey = key;
  impl.dspCode = input.source;
  return *factory;
}

void storeCachedFactory(Factory &factory, const FaustInput &input) {
  kiln::Expected<std::string> machine = factory.writeMachine("");
  if (!machine)
    return;
  std::string data;
  for (const std::string &lib : factory.libraryList())
    data += "lib " + fileHash(lib) + " " + lib + "\n";
  data += "machine\n" + *machine;
  diskCache().store(cacheKey(factory.shaKey(), input), data);
}

} // namespace kiln::faust
