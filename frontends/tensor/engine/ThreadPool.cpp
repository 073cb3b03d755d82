// ThreadPool: workers sleep on a generation counter; each job bumps it.
#include "ThreadPool.h"

#include <algorithm>

namespace kiln::tensor::exec {

ThreadPool::ThreadPool(unsigned threads) {
  for (unsigned i = 1; i < std::max(threads, 1u); ++i)
    Workers.emplace_back([this, i] { workerLoop(i - 1); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(M);
    Stop = true;
  }
  WakeCv.notify_all();
  for (std::thread &t : Workers)
    t.join();
}

void ThreadPool::work() {
  for (int64_t t = Next.fetch_add(1); t < Tasks; t = Next.fetch_add(1))
    Fn(Arg, t);
}

void ThreadPool::workerLoop(unsigned index) {
  uint64_t seen = 0;
  std::unique_lock<std::mutex> lock(M);
  for (;;) {
    WakeCv.wait(lock, [&] { return Stop || Generation != seen; });
    if (Stop)
      return;
    seen = Generation;
    if (index >= Active)
      continue;
    ++Busy;
    lock.unlock();
    work();
    lock.lock();
    if (--Busy == 0)
      DoneCv.notify_all();
  }
}

void ThreadPool::run(int64_t ntasks, unsigned threads,
                     void (*fn)(void *, int64_t), void *arg) {
  std::lock_guard<std::mutex> job(JobMutex);
  {
    std::unique_lock<std::mutex> lock(M);
    DoneCv.wait(lock, [&] { return Busy == 0; });
    Fn = fn;
    Arg = arg;
    Tasks = ntasks;
    Next = 0;
    Active = std::min<unsigned>(threads > 0 ? threads - 1 : 0,
                                static_cast<unsigned>(Workers.size()));
    ++Generation;
  }
  WakeCv.notify_all();
  work();
  // Every task has been taken; wait for workers still running theirs.
  std::unique_lock<std::mutex> lock(M);
  DoneCv.wait(lock, [&] { return Busy == 0; });
}

} // namespace kiln::tensor::exec
