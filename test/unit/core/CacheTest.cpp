// CacheTest: hits skip compilation, in memory and on disk; corrupt or
// truncated entries are detected, removed and rebuilt.
#include "TestUtil.h"

#include "kiln/core/Cache.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include <atomic>
#include <fstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace kiln;
using core::OptLevel;

namespace {

int runFib(core::Jit &jit, int n) {
  EXPECT_EQ(test::errorText(jit.addModule(test::moduleFromIR(test::SampleIR))),
            "");
  auto fib = jit.lookupAs<int(int)>("fib");
  EXPECT_TRUE(bool(fib));
  return fib ? (*fib)(n) : -1;
}

TEST(Cache, MemoryHitSkipsCompilation) {
  auto cache = std::make_shared<core::CompileCache>();
  auto first = test::makeJit(OptLevel::O2, cache);
  EXPECT_EQ(runFib(*first, 20), 6765);
  EXPECT_EQ(first->stats().compilations, 1u);
  EXPECT_EQ(first->stats().cacheHits, 0u);

  auto second = test::makeJit(OptLevel::O2, cache);
  EXPECT_EQ(runFib(*second, 21), 10946);
  EXPECT_EQ(second->stats().compilations, 0u);
  EXPECT_EQ(second->stats().cacheHits, 1u);
  EXPECT_EQ(cache->stats().memoryHits, 1u);
}

TEST(Cache, KeyDependsOnLevelAndIR) {
  auto cache = std::make_shared<core::CompileCache>();
  auto o2 = test::makeJit(OptLevel::O2, cache);
  runFib(*o2, 5);
  auto o3 = test::makeJit(OptLevel::O3, cache);
  runFib(*o3, 5);
  EXPECT_EQ(o3->stats().compilations, 1u) << "another level is another entry";

  llvm::LLVMContext a, b;
  auto m1 = test::moduleFromIR("define i32 @f() { ret i32 1 }");
  auto m2 = test::moduleFromIR("define i32 @f() { ret i32 2 }");
  std::string k1, k2;
  m1.withModuleDo([&](llvm::Module &m) {
    k1 = core::computeCacheKey(m, OptLevel::O2, core::hostTarget());
  });
  m2.withModuleDo([&](llvm::Module &m) {
    k2 = core::computeCacheKey(m, OptLevel::O2, core::hostTarget());
  });
  EXPECT_NE(k1, k2);
  EXPECT_EQ(k1.size(), 64u);
}

class DiskCache : public ::testing::Test {
protected:
  void SetUp() override { Dir = test::freshTempDir("cache"); }
  void TearDown() override { llvm::sys::fs::remove_directories(Dir); }

  /// Compiles fib through a fresh on-disk cache; returns that cache.
  std::shared_ptr<core::CompileCache> compileOnce(uint64_t expectCompilations) {
    auto cache = std::make_shared<core::CompileCache>(Dir);
    auto jit = test::makeJit(OptLevel::O2, cache);
    EXPECT_EQ(runFib(*jit, 23), 28657);
    EXPECT_EQ(jit->stats().compilations, expectCompilations);
    return cache;
  }

  std::vector<std::string> entries() {
    std::error_code ec;
    std::vector<std::string> files;
    for (llvm::sys::fs::directory_iterator it(Dir, ec), end; it != end && !ec;
         it.increment(ec))
      files.push_back(it->path());
    return files;
  }

  std::string onlyEntry() {
    std::vector<std::string> files = entries();
    EXPECT_EQ(files.size(), 1u);
    return files.empty() ? "" : files[0];
  }

  /// Compiles fib at `level` through a fresh on-disk cache.
  std::shared_ptr<core::CompileCache> compileAt(OptLevel level,
                                                uint64_t expectCompilations) {
    auto cache = std::make_shared<core::CompileCache>(Dir);
    auto jit = test::makeJit(level, cache);
    EXPECT_EQ(runFib(*jit, 12), 144);
    EXPECT_EQ(jit->stats().compilations, expectCompilations);
    return cache;
  }

  std::string Dir;
};

TEST_F(DiskCache, SecondProcessStyleRunLoadsFromDisk) {
  compileOnce(1);
  auto cache = compileOnce(0);
  EXPECT_EQ(cache->stats().diskHits, 1u);
}

TEST_F(DiskCache, TruncatedEntryIsRebuilt) {
  compileOnce(1);
  std::string entry = onlyEntry();
  uint64_t size = 0;
  llvm::sys::fs::file_size(entry, size);
  ASSERT_EQ(::truncate(entry.c_str(), off_t(size / 2)), 0);
  auto cache = compileOnce(1);
  EXPECT_EQ(cache->stats().corruptEntries, 1u);
  EXPECT_EQ(cache->stats().diskHits, 0u);
  compileOnce(0); // the rebuilt entry is good again
}

TEST_F(DiskCache, FlippedByteIsDetectedByChecksum) {
  compileOnce(1);
  std::string entry = onlyEntry();
  {
    std::fstream f(entry, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(0, std::ios::end);
    auto size = f.tellg();
    f.seekp(size / 2 + 40);
    char c;
    f.seekg(size / 2 + 40);
    f.get(c);
    f.seekp(size / 2 + 40);
    f.put(char(c ^ 0x5a));
  }
  auto cache = compileOnce(1);
  EXPECT_EQ(cache->stats().corruptEntries, 1u);
}

TEST_F(DiskCache, GarbageFileIsRejected) {
  compileOnce(1);
  std::string entry = onlyEntry();
  { std::ofstream(entry, std::ios::trunc) << "not a cache entry"; }
  auto cache = compileOnce(1);
  EXPECT_EQ(cache->stats().corruptEntries, 1u);
}

// A FIFO in the cache must not block the compiler (open(2) on a FIFO with no
// writer waits forever): it is refused and removed like any bad entry.
TEST_F(DiskCache, FifoEntryIsAMissNotAHang) {
  compileOnce(1);
  std::string entry = onlyEntry();
  ASSERT_EQ(::unlink(entry.c_str()), 0);
  ASSERT_EQ(::mkfifo(entry.c_str(), 0600), 0);
  auto cache = compileOnce(1);
  EXPECT_EQ(cache->stats().corruptEntries, 1u);
  compileOnce(0); // rebuilt as a regular entry
}

// A link to an endless device must not make the compiler read without bound;
// the link is removed, never its target.
TEST_F(DiskCache, SymlinkToDevZeroIsRefused) {
  compileOnce(1);
  std::string entry = onlyEntry();
  ASSERT_EQ(::unlink(entry.c_str()), 0);
  ASSERT_EQ(::symlink("/dev/zero", entry.c_str()), 0);
  auto cache = compileOnce(1);
  EXPECT_EQ(cache->stats().corruptEntries, 1u);
  EXPECT_TRUE(llvm::sys::fs::exists("/dev/zero"));
}

// The checksum covers the key: a valid entry copied over another key's file
// is rejected instead of running the wrong code.
TEST_F(DiskCache, EntryCopiedOverAnotherKeyIsRejected) {
  compileAt(OptLevel::O1, 1);
  std::string o1 = onlyEntry();
  compileAt(OptLevel::O3, 1);
  std::vector<std::string> both = entries();
  ASSERT_EQ(both.size(), 2u);
  std::string o3 = both[0] == o1 ? both[1] : both[0];
  ASSERT_FALSE(llvm::sys::fs::copy_file(o1, o3));
  auto cache = compileAt(OptLevel::O3, 1);
  EXPECT_EQ(cache->stats().corruptEntries, 1u);
  compileAt(OptLevel::O1, 0); // the original is still trusted
}

/// IR for one of the four functions the concurrency test compiles.
std::string constantIR(int k) {
  return "define i64 @k" + std::to_string(k) + "() { ret i64 " +
         std::to_string(1000 + k) + " }\n";
}

// Eight threads, each compiling through its own engine; two caches (as two
// processes would) share one directory, and every key is asked for by
// several threads at once. Runs under ThreadSanitizer (label concurrency).
TEST_F(DiskCache, EightThreadsShareCachesAndADirectory) {
  auto first = std::make_shared<core::CompileCache>(Dir);
  auto second = std::make_shared<core::CompileCache>(Dir);
  constexpr int threads = 8, rounds = 3;
  std::atomic<int> failures{0};
  std::atomic<uint64_t> compiled{0}, hits{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int r = 0; r < rounds; ++r) {
        int k = (t + r) % 4;
        auto jit = test::makeJit(OptLevel::O1, t % 2 ? second : first);
        if (!jit ||
            !test::errorText(jit->addModule(test::moduleFromIR(constantIR(k))))
                 .empty()) {
          ++failures;
          continue;
        }
        auto fn = jit->lookupAs<int64_t()>("k" + std::to_string(k));
        if (!fn || (*fn)() != 1000 + k)
          ++failures;
        if (!fn)
          llvm::consumeError(fn.takeError());
        compiled += jit->stats().compilations;
        hits += jit->stats().cacheHits;
      }
    });
  for (auto &th : pool)
    th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(compiled.load() + hits.load(), uint64_t(threads * rounds));
  EXPECT_EQ(first->stats().corruptEntries + second->stats().corruptEntries, 0u);
  // Every entry on disk is whole: a third cache loads all four.
  auto third = std::make_shared<core::CompileCache>(Dir);
  auto jit = test::makeJit(OptLevel::O1, third);
  ASSERT_TRUE(jit);
  for (int k = 0; k < 4; ++k) {
    ASSERT_EQ(
        test::errorText(jit->addModule(test::moduleFromIR(constantIR(k)))), "");
    auto fn = jit->lookupAs<int64_t()>("k" + std::to_string(k));
    ASSERT_TRUE(bool(fn));
    EXPECT_EQ((*fn)(), 1000 + k);
  }
  EXPECT_EQ(jit->stats().compilations, 0u);
  EXPECT_EQ(third->stats().diskHits, 4u);
  EXPECT_EQ(third->stats().corruptEntries, 0u);
}

TEST(Cache, UnwritableDirectoryStillCompiles) {
  auto cache =
      std::make_shared<core::CompileCache>("/proc/kiln-cannot-write-here");
  auto jit = test::makeJit(OptLevel::O1, cache);
  EXPECT_EQ(runFib(*jit, 10), 55);
  EXPECT_EQ(cache->stats().diskWriteFailures, 1u);
}

TEST(Cache, DefaultDirectoryHonoursEnvironment) {
  setenv("KILN_CACHE_DIR", "/tmp/kiln-explicit", 1);
  EXPECT_EQ(core::CompileCache::defaultDirectory(), "/tmp/kiln-explicit");
  unsetenv("KILN_CACHE_DIR");
  setenv("XDG_CACHE_HOME", "/tmp/xdg", 1);
  EXPECT_EQ(core::CompileCache::defaultDirectory(), "/tmp/xdg/kiln");
  unsetenv("XDG_CACHE_HOME");
}

} // namespace
