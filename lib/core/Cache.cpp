// Cache: in-memory and checksummed on-disk storage of compiled objects.
#include "kiln/core/Cache.h"

#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/BLAKE3.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>

namespace kiln::core {

namespace {

// Version 2: the checksum covers the key as well as the payload, so an entry
// copied over another key's file is rejected, not trusted.
constexpr char Magic[8] = {'K', 'I', 'L', 'N', 'O', 'B', 'J', '2'};
constexpr size_t HashSize = 32;
constexpr size_t HeaderSize = sizeof(Magic) + 8 + HashSize;

/// Objects larger than this are never read back (a corrupt or hostile entry
/// cannot make the compiler allocate without bound).
constexpr uint64_t MaxEntrySize = uint64_t(1) << 30;

std::array<uint8_t, HashSize> digest(llvm::StringRef key,
                                     llvm::StringRef payload) {
  llvm::BLAKE3 hasher;
  hasher.update(llvm::ArrayRef<uint8_t>(key.bytes_begin(), key.size()));
  hasher.update(llvm::ArrayRef<uint8_t>{0});
  hasher.update(llvm::ArrayRef<uint8_t>(payload.bytes_begin(), payload.size()));
  return hasher.final<HashSize>();
}

/// The bytes of the regular file at `path`, or nullopt. Symbolic links are
/// not followed and FIFOs, devices and oversized files are refused: a cache
/// entry that is a FIFO or a link to /dev/zero must not hang or exhaust the
/// compiler. The non-blocking open keeps a FIFO from blocking open(2).
std::optional<std::string> readRegularFile(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0)
    return std::nullopt;
  struct stat st;
  std::optional<std::string> data;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
      uint64_t(st.st_size) <= MaxEntrySize + HeaderSize) {
    std::string text(size_t(st.st_size), '\0');
    size_t done = 0;
    while (done < text.size()) {
      ssize_t n = ::read(fd, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      done += size_t(n);
    }
    if (done == text.size())
      data = std::move(text);
  }
  ::close(fd);
  return data;
}

void putU64(std::string &out, uint64_t v) {
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t getU64(const char *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v |= uint64_t(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

} // namespace

std::string computeCacheKey(const llvm::Module &module, OptLevel level,
                            const TargetSpec &target) {
  llvm::SmallVector<char, 0> bitcode;
  llvm::BitcodeWriter writer(bitcode);
  writer.writeModule(module);
  writer.writeSymtab();
  writer.writeStrtab();
  llvm::BLAKE3 hasher;
  auto add = [&](llvm::StringRef s) {
    hasher.update(llvm::ArrayRef<uint8_t>(s.bytes_begin(), s.size()));
    hasher.update(llvm::ArrayRef<uint8_t>{0});
  };
  add(llvm::StringRef(bitcode.data(), bitcode.size()));
  add(optLevelName(level));
  add(target.triple);
  add(target.cpu);
  add(target.features);
  add("kiln-0.1/llvm-19");
  auto result = hasher.final();
  return llvm::toHex(result, /*LowerCase=*/true);
}

std::string CompileCache::defaultDirectory() {
  if (auto dir = llvm::sys::Process::GetEnv("KILN_CACHE_DIR"))
    return *dir;
  llvm::SmallString<256> path;
  if (auto xdg = llvm::sys::Process::GetEnv("XDG_CACHE_HOME"))
    path = *xdg;
  else if (llvm::sys::path::home_directory(path))
    llvm::sys::path::append(path, ".cache");
  else
    return {};
  llvm::sys::path::append(path, "kiln");
  return std::string(path);
}

CompileCache::CompileCache(std::string diskDirectory)
    : Directory(std::move(diskDirectory)) {}

std::string CompileCache::entryPath(const std::string &key) const {
  llvm::SmallString<256> path(Directory);
  llvm::sys::path::append(path, key + ".kobj");
  return std::string(path);
}

CacheStats CompileCache::stats() const {
  std::lock_guard<std::mutex> lock(Mutex);
  return Stats;
}

std::unique_ptr<llvm::MemoryBuffer>
CompileCache::lookup(const std::string &key) {
  std::lock_guard<std::mutex> lock(Mutex);
  auto it = Memory.find(key);
  if (it != Memory.end()) {
    ++Stats.memoryHits;
    return llvm::MemoryBuffer::getMemBufferCopy(it->second, key);
  }
  if (!Directory.empty()) {
    if (auto buffer = readDiskEntry(key)) {
      ++Stats.diskHits;
      Memory.emplace(key, buffer->getBuffer().str());
      return buffer;
    }
  }
  ++Stats.misses;
  return nullptr;
}

void CompileCache::store(const std::string &key, llvm::StringRef object) {
  std::lock_guard<std::mutex> lock(Mutex);
  Memory[key] = object.str();
  ++Stats.stores;
  if (!Directory.empty())
    writeDiskEntry(key, object);
}

std::unique_ptr<llvm::MemoryBuffer>
CompileCache::readDiskEntry(const std::string &key) {
  std::string path = entryPath(key);
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0)
    return nullptr; // no entry: an ordinary miss
  std::optional<std::string> file = readRegularFile(path);
  bool valid = false;
  if (file) {
    llvm::StringRef data = *file;
    valid = data.size() >= HeaderSize &&
            std::memcmp(data.data(), Magic, sizeof(Magic)) == 0 &&
            getU64(data.data() + sizeof(Magic)) == data.size() - HeaderSize;
    if (valid) {
      auto expected = digest(key, data.drop_front(HeaderSize));
      valid = std::memcmp(expected.data(), data.data() + sizeof(Magic) + 8,
                          HashSize) == 0;
    }
  }
  if (!valid) {
    // Corrupt, foreign or not a regular file: never trusted, and removed
    // (the name only: a link is unlinked, never its target).
    ++Stats.corruptEntries;
    ::unlink(path.c_str());
    return nullptr;
  }
  return llvm::MemoryBuffer::getMemBufferCopy(
      llvm::StringRef(*file).drop_front(HeaderSize), key);
}

void CompileCache::writeDiskEntry(const std::string &key,
                                  llvm::StringRef object) {
  if (llvm::sys::fs::create_directories(Directory)) {
    ++Stats.diskWriteFailures;
    return;
  }
  std::string entry(Magic, sizeof(Magic));
  putU64(entry, object.size());
  auto hash = digest(key, object);
  entry.append(reinterpret_cast<const char *>(hash.data()), hash.size());
  entry.append(object.data(), object.size());
  // Write to a unique temporary, then rename: readers never see half a file.
  std::string path = entryPath(key);
  llvm::SmallString<256> temp;
  int fd = -1;
  if (llvm::sys::fs::createUniqueFile(path + ".tmp-%%%%%%", fd, temp)) {
    ++Stats.diskWriteFailures;
    return;
  }
  bool ok;
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << entry;
    os.close();
    ok = !os.has_error();
    os.clear_error();
  }
  if (!ok || llvm::sys::fs::rename(temp, path)) {
    llvm::sys::fs::remove(temp);
    ++Stats.diskWriteFailures;
  }
}

} // namespace kiln::core
