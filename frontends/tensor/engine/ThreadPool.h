// ThreadPool: the engine's worker threads for splitting a kernel call.
//
// A fixed set of workers plus the calling thread take chunk indices from an
// atomic counter; one job runs at a time (callers queue on a mutex), which
// is what a kernel call needs and keeps the pool small and obviously right.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace kiln::tensor::exec {

class ThreadPool {
public:
  /// `threads` counts the caller: threads - 1 workers are started.
  explicit ThreadPool(unsigned threads);
  ~ThreadPool();
  unsigned size() const { return static_cast<unsigned>(Workers.size()) + 1; }

  /// Runs fn(arg, i) for i in [0, ntasks) on at most `threads` threads (the
  /// caller included) and returns when all have finished.
  void run(int64_t ntasks, unsigned threads, void (*fn)(void *, int64_t),
           void *arg);

private:
  void workerLoop(unsigned index);
  void work();

  std::vector<std::thread> Workers;
  std::mutex JobMutex; ///< one job at a time
  std::mutex M;
  std::condition_variable WakeCv, DoneCv;
  uint64_t Generation = 0;
  unsigned Active = 0, Busy = 0;
  bool Stop = false;
  void (*Fn)(void *, int64_t) = nullptr;
  void *Arg = nullptr;
  int64_t Tasks = 0;
  std::atomic<int64_t> Next{0};
};

} // namespace kiln::tensor::exec
