// Executor: starting, watching and reaping kiln-executor.
#include "Executor.h"
#include "kiln/core/Diagnostic.h"

#include "llvm/ExecutionEngine/Orc/Shared/SimpleRemoteEPCUtils.h"
#include "llvm/ExecutionEngine/Orc/TaskDispatch.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char **environ;

namespace kiln::core {

std::string defaultExecutorPath() {
  if (const char *env = std::getenv("KILN_EXECUTOR"); env && *env)
    return env;
  static int anchor;
  std::string exe = llvm::sys::fs::getMainExecutable(nullptr, &anchor);
  if (!exe.empty()) {
    llvm::SmallString<256> path(llvm::sys::path::parent_path(exe));
    llvm::sys::path::append(path, "kiln-executor");
    if (llvm::sys::fs::can_execute(path))
      return std::string(path);
  }
  if (llvm::sys::fs::can_execute(KILN_EXECUTOR_PATH))
    return KILN_EXECUTOR_PATH;
  return {};
}

std::string signalName(int signal) {
  static const std::pair<int, const char *> names[] = {
      {SIGHUP, "SIGHUP"},   {SIGINT, "SIGINT"},   {SIGQUIT, "SIGQUIT"},
      {SIGILL, "SIGILL"},   {SIGTRAP, "SIGTRAP"}, {SIGABRT, "SIGABRT"},
      {SIGBUS, "SIGBUS"},   {SIGFPE, "SIGFPE"},   {SIGKILL, "SIGKILL"},
      {SIGUSR1, "SIGUSR1"}, {SIGSEGV, "SIGSEGV"}, {SIGUSR2, "SIGUSR2"},
      {SIGPIPE, "SIGPIPE"}, {SIGALRM, "SIGALRM"}, {SIGTERM, "SIGTERM"},
      {SIGXCPU, "SIGXCPU"}, {SIGXFSZ, "SIGXFSZ"}, {SIGSYS, "SIGSYS"}};
  for (auto &[number, name] : names)
    if (number == signal)
      return name;
  return fmt::format("signal {}", signal);
}

namespace detail {

using namespace llvm;
using namespace llvm::orc;

namespace {

constexpr int kChannelFd = 3; ///< the executor's end of the socket pair
constexpr int kNotesFd = 4;   ///< the executor's end of the notes pipe

/// A descriptor numbered at least 10 (so the dup2s onto 3 and 4 in the
/// child cannot clobber one another), close-on-exec in this process.
int moveHigh(int fd) {
  int high = fcntl(fd, F_DUPFD_CLOEXEC, 10);
  ::close(fd);
  return high;
}

/// A write to an executor that has just died raises SIGPIPE, which would
/// end the host; ORC's transport writes with write(2), so the signal is
/// ignored process-wide when it was at its default (hosts that handle it
/// keep their handler).
void ignoreSigpipe() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction current {};
    if (sigaction(SIGPIPE, nullptr, &current) == 0 &&
        current.sa_handler == SIG_DFL)
      std::signal(SIGPIPE, SIG_IGN);
  });
}

Error checkLimits(const IsolateLimits &limits) {
  if (limits.memoryBytes && limits.memoryBytes < (64ull << 20))
    return makeError(fmt::format("the memory limit of an isolated engine must "
                                 "be at least 64 MiB, not {} bytes",
                                 limits.memoryBytes));
  if (!(limits.cpuSeconds >= 0) || limits.cpuSeconds > 1e9 ||
      !(limits.wallSeconds >= 0) || std::isnan(limits.wallSeconds))
    return makeError("the time limits of an isolated engine must be "
                     "non-negative and the CPU limit at most 1e9 s");
  return Error::success();
}

/// posix_spawn of `path` with the socket on fd 3 and the notes pipe on fd 4;
/// every other descriptor but stdin, stdout and stderr is closed.
Expected<pid_t> spawn(const std::string &path, int channel, int notes,
                      const IsolateLimits &limits) {
  std::string fds[2] = {std::to_string(kChannelFd), std::to_string(kNotesFd)};
  std::string memory = std::to_string(limits.memoryBytes);
  std::string cpu = std::to_string(uint64_t(std::ceil(limits.cpuSeconds)));
  char *argv[] = {const_cast<char *>(path.c_str()),
                  fds[0].data(),
                  fds[1].data(),
                  memory.data(),
                  cpu.data(),
                  nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, channel, kChannelFd);
  posix_spawn_file_actions_adddup2(&actions, notes, kNotesFd);
  posix_spawn_file_actions_addclosefrom_np(&actions, kNotesFd + 1);
  pid_t pid = 0;
  int status =
      posix_spawn(&pid, path.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (status != 0)
    return makeError("cannot start the executor '" + path +
                     "': " + std::strerror(status));
  return pid;
}

} // namespace

Expected<std::unique_ptr<ExecutorProcess>>
ExecutorProcess::launch(const IsolateOptions &options,
                        std::unique_ptr<SimpleRemoteEPC> &epc) {
  if (auto err = checkLimits(options.limits))
    return std::move(err);
  std::string path = options.executorPath.empty() ? defaultExecutorPath()
                                                  : options.executorPath;
  if (path.empty())
    return makeError("cannot find kiln-executor next to this program or in "
                     "Kiln's build tree (set KILN_EXECUTOR to its path)");
  ignoreSigpipe();
  int channel[2], notes[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, channel) != 0)
    return makeError(std::string("cannot create the executor's socket: ") +
                     std::strerror(errno));
  if (pipe2(notes, O_CLOEXEC | O_NONBLOCK) != 0) {
    ::close(channel[0]);
    ::close(channel[1]);
    return makeError(std::string("cannot create the executor's pipe: ") +
                     std::strerror(errno));
  }
  int childChannel = moveHigh(channel[1]), childNotes = moveHigh(notes[1]);
  std::fflush(nullptr); // the executor shares stdout and stderr
  auto pid = spawn(path, childChannel, childNotes, options.limits);
  ::close(childChannel);
  ::close(childNotes);
  if (!pid) {
    ::close(channel[0]);
    ::close(notes[0]);
    return pid.takeError();
  }
  std::unique_ptr<ExecutorProcess> process(new ExecutorProcess(
      *pid, notes[0], fcntl(channel[0], F_DUPFD_CLOEXEC, 0), options.limits));
  auto connected = SimpleRemoteEPC::Create<FDSimpleRemoteEPCTransport>(
      std::make_unique<DynamicThreadPoolTaskDispatcher>(std::nullopt),
      SimpleRemoteEPC::Setup(), channel[0], channel[0]);
  if (!connected) {
    std::string why = toString(connected.takeError());
    int status = process->reap();
    return makeError("cannot start the executor '" + path + "': " +
                     (WIFEXITED(status) || WIFSIGNALED(status)
                          ? process->describeDeath(status)
                          : why));
  }
  epc = std::move(*connected);
  return std::move(process);
}

ExecutorProcess::~ExecutorProcess() {
  hangUp();
  reap();
  ::close(NotesFd);
  ::close(ChannelFd);
}

void ExecutorProcess::hangUp() {
  if (ChannelFd >= 0)
    ::shutdown(ChannelFd, SHUT_RDWR);
}

int ExecutorProcess::reap() {
  std::lock_guard<std::mutex> lock(Mutex);
  if (Reaped)
    return 0;
  int status = 0;
  // The executor leaves as soon as its connection closes; one that does
  // not within two seconds (the code holds it) is killed.
  for (int i = 0; i < 2000; ++i) {
    pid_t done = wait4(Pid, &status, WNOHANG, &Usage);
    if (done == Pid) {
      Reaped = true;
      return status;
    }
    if (done < 0 && errno != EINTR) {
      // ECHILD: the host reaps children itself (SIGCHLD ignored or its own
      // waitpid): the executor is gone and how it ended is unknown.
      Reaped = true;
      return UnknownStatus;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ::kill(Pid, SIGKILL);
  while (wait4(Pid, &status, 0, &Usage) < 0 && errno == EINTR) {
  }
  Reaped = true;
  return status;
}

bool ExecutorProcess::allocationFailed() const {
  char buffer[64];
  bool failed = false;
  ssize_t n;
  while ((n = ::read(NotesFd, buffer, sizeof buffer)) > 0)
    failed |= std::memchr(buffer, 'm', size_t(n)) != nullptr;
  return failed;
}

std::string ExecutorProcess::describeDeath(int status) const {
  if (status == UnknownStatus)
    return "the executor ended, and how is unknown (the host reaped it)";
  if (WIFEXITED(status))
    return fmt::format("the executor exited with status {}",
                       WEXITSTATUS(status));
  int sig = WTERMSIG(status);
  std::string signal = fmt::format("signal {} ({})", sig, signalName(sig));
  if (TimedOut)
    return fmt::format("the program timed out after {} s and was killed",
                       Limits.wallSeconds);
  // RLIMIT_CPU sends SIGXCPU, and SIGKILL a second later to code that
  // survives it.
  double cpu = double(Usage.ru_utime.tv_sec + Usage.ru_stime.tv_sec) +
               (Usage.ru_utime.tv_usec + Usage.ru_stime.tv_usec) * 1e-6;
  if (Limits.cpuSeconds > 0 &&
      (sig == SIGXCPU ||
       (sig == SIGKILL && cpu >= 0.9 * std::ceil(Limits.cpuSeconds))))
    return fmt::format("the program exceeded its CPU-time limit of {} s "
                       "and was killed by {}",
                       std::ceil(Limits.cpuSeconds), signal);
  if (allocationFailed())
    return "the program ran out of memory" +
           (Limits.memoryBytes
                ? fmt::format(" (limit {} MiB)", Limits.memoryBytes >> 20)
                : std::string()) +
           " and was killed by " + signal;
  return "the program was killed by " + signal;
}

Expected<int32_t>
ExecutorProcess::guard(unique_function<Expected<int32_t>()> call) {
  {
    std::lock_guard<std::mutex> lock(Mutex);
    if (!Ended.empty())
      return makeError(Ended + "; create a new engine to run more code");
  }
  // The watchdog: past the wall-clock limit it kills the executor, which
  // makes the call below fail.
  std::mutex watchMutex;
  std::condition_variable wake;
  bool done = false;
  std::thread watchdog;
  if (Limits.wallSeconds > 0 && Limits.wallSeconds < 1e8)
    watchdog = std::thread([&] {
      std::unique_lock<std::mutex> lock(watchMutex);
      auto limit = std::chrono::duration<double>(Limits.wallSeconds);
      if (wake.wait_for(lock, limit, [&] { return done; }))
        return;
      TimedOut = true;
      ::kill(Pid, SIGKILL);
    });
  auto result = call();
  if (watchdog.joinable()) {
    {
      std::lock_guard<std::mutex> lock(watchMutex);
      done = true;
    }
    wake.notify_one();
    watchdog.join();
  }
  if (result && !TimedOut)
    return result;
  std::string why = result ? "" : toString(result.takeError());
  int status = reap();
  std::string ended = describeDeath(status);
  {
    std::lock_guard<std::mutex> lock(Mutex);
    Ended = ended;
  }
  if (status != UnknownStatus && WIFEXITED(status) && !TimedOut)
    return int32_t(WEXITSTATUS(status)); // the code called exit()
  return makeError(ended);
}

} // namespace detail
} // namespace kiln::core
