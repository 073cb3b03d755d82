// kiln-executor: the process in which an isolated Kiln engine runs JIT code.
//
// A Jit created with JitOptions::isolate starts this program with one end of
// a socket pair and serves ORC's remote executor protocol over it: the host
// compiles and links, this process holds the code and runs it. A crash, a
// limit or a timeout ends this process, never the host. Usage (by the core,
// not by people): kiln-executor CHANNEL_FD NOTES_FD MEMORY_BYTES CPU_SECONDS
// (0 = no limit). The Kiln runtime is linked whole and exported, so JIT code
// finds kiln_rt_* here as it does in the kiln process.
#include "llvm/ExecutionEngine/Orc/Shared/SimpleRemoteEPCUtils.h"
#include "llvm/ExecutionEngine/Orc/TargetProcess/RegisterEHFrames.h"
#include "llvm/ExecutionEngine/Orc/TargetProcess/SimpleExecutorMemoryManager.h"
#include "llvm/ExecutionEngine/Orc/TargetProcess/SimpleRemoteEPCServer.h"
#include "llvm/Support/Error.h"

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>

using namespace llvm;
using namespace llvm::orc;

namespace {

int NotesFd = -1;

bool parseNumber(const char *text, unsigned long long &out) {
  char *end = nullptr;
  errno = 0;
  out = std::strtoull(text, &end, 10);
  return errno == 0 && end != text && *end == '\0';
}

/// The limits are set before the server starts, so they hold for all code
/// the host sends. RLIMIT_CPU raises SIGXCPU at the soft limit and SIGKILL
/// a second later, should the code catch the first.
bool applyLimits(unsigned long long memory, unsigned long long cpu) {
  if (memory) {
    struct rlimit limit = {memory, memory};
    if (setrlimit(RLIMIT_AS, &limit) != 0)
      return false;
  }
  if (cpu) {
    struct rlimit limit = {cpu, cpu + 1};
    if (setrlimit(RLIMIT_CPU, &limit) != 0)
      return false;
  }
  return true;
}

/// Tells the host that an allocation failed: if the code then dies, the
/// host reports an out-of-memory rather than only the signal.
void noteAllocationFailure() {
  static const char note = 'm';
  if (NotesFd >= 0)
    (void)!::write(NotesFd, &note, 1);
}

} // namespace

/// The allocation functions JIT code links against in the executor: libc's,
/// with a note to the host when they fail (see noteAllocationFailure).
extern "C" {
/// glibc's atexit is linked statically into each program, not exported.
__attribute__((visibility("default"))) int kiln_executor_atexit(void (*f)()) {
  return std::atexit(f);
}
__attribute__((visibility("default"))) void *kiln_executor_malloc(size_t n) {
  void *p = std::malloc(n);
  if (!p && n)
    noteAllocationFailure();
  return p;
}
__attribute__((visibility("default"))) void *kiln_executor_calloc(size_t n,
                                                                  size_t s) {
  void *p = std::calloc(n, s);
  if (!p && n && s)
    noteAllocationFailure();
  return p;
}
__attribute__((visibility("default"))) void *kiln_executor_realloc(void *q,
                                                                   size_t n) {
  void *p = std::realloc(q, n);
  if (!p && n)
    noteAllocationFailure();
  return p;
}
__attribute__((visibility("default"))) void *
kiln_executor_aligned_alloc(size_t align, size_t n) {
  void *p = std::aligned_alloc(align, n);
  if (!p && n)
    noteAllocationFailure();
  return p;
}
__attribute__((visibility("default"))) int
kiln_executor_posix_memalign(void **out, size_t align, size_t n) {
  int status = posix_memalign(out, align, n);
  if (status == ENOMEM)
    noteAllocationFailure();
  return status;
}
}

/// Runs the calls from the host on worker threads, started as needed and
/// kept (a thread per call, as ORC's ThreadDispatcher does, costs ~25 us a
/// call). When the host disconnects while a call still runs (it died or
/// gave up on it), the process ends: ORC's dispatcher would wait for the
/// call, so an endless loop would outlive the host.
class Dispatcher : public SimpleRemoteEPCServer::Dispatcher {
public:
  void dispatch(unique_function<void()> work) override {
    std::lock_guard<std::mutex> lock(Mutex);
    Queue.push_back(std::move(work));
    ++Outstanding;
    if (Waiting == 0)
      std::thread([this] { serve(); }).detach();
    else
      Ready.notify_one();
  }
  /// A call that has just answered may still be finishing: it gets a
  /// moment, so that main can flush what it printed.
  void shutdown() override {
    std::unique_lock<std::mutex> lock(Mutex);
    if (!Idle.wait_for(lock, std::chrono::milliseconds(200),
                       [this] { return Outstanding == 0; }))
      ::_exit(0);
  }

private:
  void serve() {
    std::unique_lock<std::mutex> lock(Mutex);
    for (;;) {
      ++Waiting;
      Ready.wait(lock, [this] { return !Queue.empty(); });
      --Waiting;
      unique_function<void()> work = std::move(Queue.front());
      Queue.pop_front();
      lock.unlock();
      work();
      lock.lock();
      --Outstanding;
      Idle.notify_all();
    }
  }

  std::mutex Mutex;
  std::condition_variable Ready, Idle;
  std::deque<unique_function<void()>> Queue;
  size_t Outstanding = 0, Waiting = 0;
};

static Error setUpServer(SimpleRemoteEPCServer::Setup &S) {
  S.setDispatcher(std::make_unique<Dispatcher>());
  S.bootstrapSymbols() = SimpleRemoteEPCServer::defaultBootstrapSymbols();
  S.services().push_back(
      std::make_unique<rt_bootstrap::SimpleExecutorMemoryManager>());
  // Errors of the protocol end the session; the host reports them.
  S.setErrorReporter([](Error err) { consumeError(std::move(err)); });
  return Error::success();
}

int main(int argc, char **argv) {
  unsigned long long channel, notes, memory, cpu;
  if (argc != 5 || !parseNumber(argv[1], channel) ||
      !parseNumber(argv[2], notes) || !parseNumber(argv[3], memory) ||
      !parseNumber(argv[4], cpu)) {
    std::fprintf(stderr, "kiln-executor: started by Kiln's isolated JIT, not "
                         "by hand (usage: kiln-executor CHANNEL_FD NOTES_FD "
                         "MEMORY_BYTES CPU_SECONDS)\n");
    return 2;
  }
  NotesFd = int(notes);
  if (!applyLimits(memory, cpu)) {
    std::fprintf(stderr, "kiln-executor: cannot set the limits: %s\n",
                 std::strerror(errno));
    return 2;
  }
  // The registration entry points JIT code's EH frames use; referenced
  // here so the linker keeps them for the host to look up.
  volatile void *keep[] = {(void *)&llvm_orc_registerEHFrameSectionWrapper,
                           (void *)&llvm_orc_deregisterEHFrameSectionWrapper};
  (void)keep;
  auto server = SimpleRemoteEPCServer::Create<FDSimpleRemoteEPCTransport>(
      setUpServer, int(channel), int(channel));
  if (!server) {
    consumeError(server.takeError());
    return 3;
  }
  if (auto err = (*server)->waitForDisconnect()) {
    std::fprintf(stderr, "kiln-executor: %s\n",
                 toString(std::move(err)).c_str());
  }
  // The host is gone; end without running static destructors while the
  // server's threads may still be winding down.
  std::fflush(nullptr);
  ::_exit(0);
}
