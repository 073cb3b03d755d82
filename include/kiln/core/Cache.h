// Cache: compiled objects keyed by what determines them.
//
// The key hashes the unoptimised IR (as bitcode), the opt level, the triple,
// the CPU and its features, and Kiln's version. Entries live in memory and,
// optionally, on disk under $KILN_CACHE_DIR (default ~/.cache/kiln). Every
// disk entry carries its length and a BLAKE3 checksum of its key and payload:
// a truncated, corrupt or foreign file (another key's entry copied over it)
// is detected, deleted and rebuilt, never trusted. Entries are read only from
// regular files, without following links and within a size limit, so a FIFO
// or a link to /dev/zero in the cache cannot hang or exhaust the compiler.
#pragma once

#include "kiln/core/Pipeline.h"
#include "kiln/core/Target.h"

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace llvm {
class MemoryBuffer;
class Module;
} // namespace llvm

namespace kiln::core {

struct CacheStats {
  uint64_t memoryHits = 0;
  uint64_t diskHits = 0;
  uint64_t misses = 0;
  uint64_t corruptEntries = 0; ///< disk entries rejected and removed
  uint64_t stores = 0;
  uint64_t diskWriteFailures = 0;
};

/// A hex digest identifying one compilation.
std::string computeCacheKey(const llvm::Module &module, OptLevel level,
                            const TargetSpec &target);

/// Thread-safe. Disk problems (read-only directory, full disk) never fail a
/// compilation: the entry is simply not persisted and the stats say so.
class CompileCache {
public:
  /// $KILN_CACHE_DIR, else $XDG_CACHE_HOME/kiln, else ~/.cache/kiln.
  static std::string defaultDirectory();

  /// `diskDirectory` empty: memory only.
  explicit CompileCache(std::string diskDirectory = {});

  /// The cached object for `key`, or null on a miss.
  std::unique_ptr<llvm::MemoryBuffer> lookup(const std::string &key);
  void store(const std::string &key, llvm::StringRef object);

  /// Path of the disk entry for `key` (for tools and tests).
  std::string entryPath(const std::string &key) const;
  const std::string &directory() const { return Directory; }
  CacheStats stats() const;

private:
  std::unique_ptr<llvm::MemoryBuffer> readDiskEntry(const std::string &key);
  void writeDiskEntry(const std::string &key, llvm::StringRef object);

  std::string Directory;
  mutable std::mutex Mutex;
  std::map<std::string, std::string> Memory;
  CacheStats Stats;
};

} // namespace kiln::core
