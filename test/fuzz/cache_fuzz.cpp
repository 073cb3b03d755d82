// cache_fuzz: the compile cache's reader of disk entries.
//
// The input's first byte picks what lies in the entry file: the input
// itself (garbage, truncated or foreign files), or a genuine entry the
// cache wrote for the rest of the input with one byte of it changed or
// its tail cut where the input says. A fresh CompileCache on that directory
// must then either return exactly the stored object or reject the entry and
// remove it: never crash, never return other bytes.
#include "FuzzSupport.h"

#include "kiln/core/Cache.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

using kiln::core::CompileCache;

namespace {

const std::string Key(64, 'a'); // the shape of a hex digest

std::string &directory() {
  static std::string dir = [] {
    llvm::SmallString<128> path;
    if (llvm::sys::fs::createUniqueDirectory("kiln-fuzz-cache", path))
      kiln::fuzz::finding("cannot create a temporary directory");
    return std::string(path);
  }();
  return dir;
}

std::string readAll(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeAll(const std::string &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
}

/// A genuine entry for `object`, then damaged as `how` and `where` say.
std::string damagedEntry(const std::string &object, uint8_t how,
                         uint32_t where) {
  std::string path;
  {
    CompileCache writer(directory());
    writer.store(Key, object);
    path = writer.entryPath(Key);
  }
  std::string entry = readAll(path);
  if (how == 1 && !entry.empty())
    entry[where % entry.size()] ^= char(1 + (where >> 24));
  else if (how == 2)
    entry.resize(where % (entry.size() + 1));
  return entry; // how 3: intact
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 5)
    return 0;
  uint8_t how = data[0] % 4;
  uint32_t where = uint32_t(data[1]) | uint32_t(data[2]) << 8 |
                   uint32_t(data[3]) << 16 | uint32_t(data[4]) << 24;
  std::string rest(reinterpret_cast<const char *>(data) + 5, size - 5);
  std::string entry = how == 0 ? rest : damagedEntry(rest, how, where);
  CompileCache reader(directory());
  std::string path = reader.entryPath(Key);
  writeAll(path, entry);
  std::unique_ptr<llvm::MemoryBuffer> object = reader.lookup(Key);
  bool exists = llvm::sys::fs::exists(path);
  if (object && object->getBuffer() != rest && how != 0)
    kiln::fuzz::finding("the cache returned bytes other than those stored");
  if (!object && exists)
    kiln::fuzz::finding("a rejected cache entry was left on disk");
  if (object && reader.stats().diskHits != 1)
    kiln::fuzz::finding("a disk hit was not counted");
  std::remove(path.c_str());
  return 0;
}
