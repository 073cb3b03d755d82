// StackRunner.cpp: one kept large-stack thread, handed jobs one at a time.
//
// The runner is created on first use with the stack asked for and replaced
// by a larger one when a run needs more. After each job the pages the job
// touched below the runner's resting frame are returned to the system, so a
// deep recursion does not stay resident. A process that forks (the Faust
// fork server's clients, a host) finds no runner in the child: the pid is
// checked and a fresh one started.
#include "StackRunner.h"

#include "kiln/runtime/Abi.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

namespace kiln::relay {
namespace {

void *runFunction(void *arg) {
  (*static_cast<const std::function<void()> *>(arg))();
  return nullptr;
}

/// A thread of `bytes` stack running `fn`, joined or detached.
int startThread(size_t bytes, void *(*body)(void *), void *arg, bool join) {
  pthread_attr_t attr;
  pthread_t thread;
  int rc = pthread_attr_init(&attr);
  if (rc == 0)
    rc = pthread_attr_setstacksize(&attr, bytes);
  if (rc == 0 && !join)
    rc = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  if (rc == 0)
    rc = pthread_create(&thread, &attr, body, arg);
  pthread_attr_destroy(&attr);
  if (rc == 0 && join)
    pthread_join(thread, nullptr);
  return rc;
}

/// Gives back the stack pages below the caller's frame (they hold nothing
/// live); best effort.
void releaseStackBelowHere() {
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0)
    return;
  void *base = nullptr;
  size_t size = 0;
  pthread_attr_getstack(&attr, &base, &size);
  pthread_attr_destroy(&attr);
  long page = sysconf(_SC_PAGESIZE);
  char marker = 0;
  auto low = reinterpret_cast<uintptr_t>(base);
  auto here = reinterpret_cast<uintptr_t>(&marker);
  uintptr_t end = (here - 64 * 1024) & ~uintptr_t(page - 1); // keep a margin
  if (base && end > low)
    madvise(base, end - low, MADV_DONTNEED);
}

/// The kept thread: waits for a job, runs it, says it is done.
struct Runner {
  std::mutex Mutex; ///< guards every field below
  std::condition_variable Wake, Done;
  const std::function<void()> *Job = nullptr;
  bool Finished = false, Quit = false;
  size_t Bytes = 0;
  pid_t Pid = 0;
  pthread_t Thread{};

  static void *loop(void *self);
  void run(const std::function<void()> &fn);
};

void *Runner::loop(void *self) {
  auto &r = *static_cast<Runner *>(self);
  // Compiled calls of functions with large frames check the stack left on
  // this thread (kiln_rt_stack_mark); the runner's stack lives as long as it.
  kiln_rt_stack_mark();
  std::unique_lock lock(r.Mutex);
  for (;;) {
    r.Wake.wait(lock, [&] { return r.Job || r.Quit; });
    if (r.Quit)
      break;
    const std::function<void()> *job = r.Job;
    lock.unlock();
    auto start = std::chrono::steady_clock::now();
    (*job)();
    // A job under a millisecond can have touched a few MiB of stack at most;
    // returning pages costs a walk of the whole reserved range (~40 µs), so
    // only longer jobs pay it.
    if (std::chrono::steady_clock::now() - start > std::chrono::milliseconds(1))
      releaseStackBelowHere();
    lock.lock();
    r.Job = nullptr;
    r.Finished = true;
    r.Done.notify_all();
  }
  kiln_rt_stack_unmark(); // before the next runner marks its own
  r.Quit = false;
  r.Done.notify_all();
  return nullptr;
}

void Runner::run(const std::function<void()> &fn) {
  std::unique_lock lock(Mutex);
  Job = &fn;
  Finished = false;
  Wake.notify_one();
  Done.wait(lock, [&] { return Finished; });
}

std::mutex Busy; ///< held while a job is on the kept runner
Runner *Kept = nullptr;
thread_local bool OnRunner = false;

/// The kept runner with at least `bytes` of stack (started or replaced as
/// needed); null, with the pthread error in rc, when none can be started.
Runner *keptRunner(size_t bytes, int &rc) {
  if (Kept && Kept->Pid == getpid() && Kept->Bytes >= bytes)
    return Kept;
  if (Kept && Kept->Pid == getpid()) { // too small: let it end
    std::unique_lock lock(Kept->Mutex);
    Kept->Quit = true;
    Kept->Wake.notify_one();
    Kept->Done.wait(lock, [&] { return !Kept->Quit; });
  } // a forked child's copy has no thread; it is dropped (leaked) as is
  // Its thread has ended: never hand it a job again, even when no larger
  // one can be started (under RLIMIT_AS the caller then retries smaller,
  // and a run queued on the ended runner waited forever).
  Kept = nullptr;
  auto fresh = std::make_unique<Runner>();
  fresh->Bytes = bytes;
  fresh->Pid = getpid();
  rc = startThread(bytes, &Runner::loop, fresh.get(), /*join=*/false);
  if (rc != 0)
    return nullptr;
  Kept = fresh.release();
  return Kept;
}

} // namespace

int runOnRunner(size_t bytes, const std::function<void()> &fn) {
  if (OnRunner) { // nested: the runner's own stack already holds the run
    fn();
    return 0;
  }
  std::unique_lock busy(Busy, std::try_to_lock);
  if (!busy) // another run holds the runner: a thread of its own
    return startThread(bytes, runFunction,
                       const_cast<std::function<void()> *>(&fn), true);
  int rc = 0;
  Runner *runner = keptRunner(bytes, rc);
  if (!runner)
    return rc;
  std::function<void()> job = [&] {
    OnRunner = true;
    fn();
    OnRunner = false;
  };
  runner->run(job);
  return 0;
}

} // namespace kiln::relay
