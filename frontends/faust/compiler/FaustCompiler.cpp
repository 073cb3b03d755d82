// FaustCompiler: the faust subprocess: finding, starting, waiting, timing out.
#include "FaustCompiler.h"
#include "ForkServer.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace kiln::faust {

namespace {

/// How long faust may run before it is killed, unless $KILN_FAUST_TIMEOUT
/// says otherwise: faust waits forever on a FIFO it is told to import, and
/// faust 2.54 loops forever on a delay in [2^30, 2^31) (`@(1<<30)`). Real
/// DSPs compile in well under a second; faust's own -t default is 120 s.
constexpr int kDefaultTimeoutS = 30;

/// $KILN_FAUST_TIMEOUT (seconds) in ms, or the default; 0 with `error` when
/// it is not a positive number.
int faustTimeoutMs(std::string &error) {
  const char *env = std::getenv("KILN_FAUST_TIMEOUT");
  if (!env || !*env)
    return kDefaultTimeoutS * 1000;
  char *end = nullptr;
  double seconds = std::strtod(env, &end);
  if (*end || !(seconds > 0)) {
    error = std::string("KILN_FAUST_TIMEOUT must be a positive number of "
                        "seconds, not '") +
            env + "'";
    return 0;
  }
  return int(std::clamp(seconds * 1000, 1.0, double(INT_MAX)));
}

/// Waits for `pid`, killed with SIGKILL if it runs past `timeoutMs` (where
/// the kernel has pidfd_open); false with `error` if it cannot be waited for.
bool waitFor(pid_t pid, int timeoutMs, int &status, std::string &error) {
  int pidfd = int(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd >= 0) {
    pollfd p{pidfd, POLLIN, 0};
    int rc;
    while ((rc = poll(&p, 1, timeoutMs)) < 0 && errno == EINTR) {
    }
    if (rc == 0)
      kill(pid, SIGKILL);
    close(pidfd);
  }
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) {
      error = std::string("cannot wait for the Faust compiler: ") +
              std::strerror(errno);
      return false;
    }
  return true;
}

/// A wait status as faust's exit status, or -1 and `error` for a signal
/// (SIGKILL once `timeoutMs` had passed: the timeout's).
int exitStatus(int status, bool timedOut, int timeoutMs, std::string &error) {
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && timedOut) {
    error = "the Faust compiler did not finish within " +
            std::to_string((timeoutMs + 999) / 1000) +
            " s and was stopped (set KILN_FAUST_TIMEOUT to allow longer)";
    return -1;
  }
  if (WIFSIGNALED(status)) {
    const char *name = sigabbrev_np(WTERMSIG(status)); // "SEGV"
    error = "the Faust compiler was killed by signal " +
            std::to_string(WTERMSIG(status)) +
            (name ? " (SIG" + std::string(name) + ")" : std::string());
    return -1;
  }
  return WEXITSTATUS(status);
}

/// Starts argv with stdout/stderr to `logPath` and stdin from /dev/null;
/// posix_spawn's error number (EISDIR for a directory), 0 when started.
int spawnFaust(const std::vector<std::string> &argv, const std::string &logPath,
               pid_t &pid) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, logPath.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char *> args;
  for (auto &a : argv)
    args.push_back(const_cast<char *>(a.c_str()));
  args.push_back(nullptr);
  int rc = argv[0].find('/') == std::string::npos
               ? posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr,
                              args.data(), environ)
               : posix_spawn(&pid, argv[0].c_str(), &actions, nullptr,
                             args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  struct stat st {};
  if (rc == EACCES && stat(argv[0].c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    rc = EISDIR;
  return rc;
}

/// Runs argv with stdout/stderr to `logPath` (through the fork server when
/// it can take the request); the exit status or an error.
int spawnAndWait(const std::vector<std::string> &argv,
                 const std::string &logPath, int timeoutMs,
                 std::string &error) {
  auto start = std::chrono::steady_clock::now();
  auto timedOut = [&] {
    return std::chrono::steady_clock::now() - start >=
           std::chrono::milliseconds(timeoutMs);
  };
  if (auto served = runThroughForkServer(argv, logPath, timeoutMs))
    return exitStatus(*served, timedOut(), timeoutMs, error);
  pid_t pid = 0;
  int status = 0;
  if (int rc = spawnFaust(argv, logPath, pid); rc != 0) {
    error = "cannot run the Faust compiler '" + argv[0] +
            "': " + std::strerror(rc) +
            (rc == ENOENT ? " (install Debian's faust package, or name the "
                            "binary with --faust PATH or $KILN_FAUST)"
                          : "");
    return -1;
  }
  if (!waitFor(pid, timeoutMs, status, error))
    return -1;
  return exitStatus(status, timedOut(), timeoutMs, error);
}

/// `name` (no '/') as the absolute path of the first executable of that name
/// on $PATH; `name` itself when there is none (spawning then reports it).
std::string resolveOnPath(const std::string &name) {
  const char *path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    struct stat st;
    // As a shell does: a directory or other non-file of that name, or a
    // file without execute permission, does not end the search.
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        access(candidate.c_str(), X_OK) == 0)
      return candidate;
  }
  return name;
}

} // namespace

/// The binary is always started by its path: given a bare name, faust runs
/// `sh -c "which faust"` at start-up to find itself (~10 ms per factory).
std::string faustBinary(const std::string &option) {
  std::string name = option;
  if (name.empty())
    if (const char *env = std::getenv("KILN_FAUST"); env && *env)
      name = env;
  if (name.empty())
    name = "faust";
  return name.find('/') == std::string::npos ? resolveOnPath(name) : name;
}

namespace {

/// faust 2.54's options that take a value (`faust --help`), as the value's
/// name, or null for any other argument.
const char *valueOf(const std::string &a) {
  static const std::pair<const char *, const char *> options[] = {
      {"-a", "file"}, {"-A", "dir"}, {"--architecture-dir", "dir"},
      {"-I", "dir"}, {"--import-dir", "dir"}, {"-L", "file"},
      {"--library", "file"}, {"-t", "sec"}, {"--timeout", "sec"},
      {"-O", "dir"}, {"--output-dir", "dir"}, {"-cn", "name"},
      {"--class-name", "name"}, {"-scn", "name"},
      {"--super-class-name", "name"}, {"-pn", "name"},
      {"--process-name", "name"}, {"-mcd", "n"}, {"--max-copy-delay", "n"},
      {"-dlt", "n"}, {"--delay-line-threshold", "n"}, {"-ftz", "n"},
      {"--flush-to-zero", "n"}, {"-inj", "f"}, {"--inject", "f"},
      {"-vs", "n"}, {"--vec-size", "n"}, {"-lv", "n"},
      {"--loop-variant", "n"}, {"-fm", "file"}, {"--fast-math", "file"},
      {"-ns", "name"}, {"--namespace", "name"}, {"-wi", "n"},
      {"--widening-iterations", "n"}, {"-ni", "n"},
      {"--narrowing-iterations", "n"}, {"-f", "n"}, {"--fold", "n"},
      {"-fc", "n"}, {"--fold-complexity", "n"}, {"-mns", "n"},
      {"--max-name-size", "n"}};
  for (const auto &[name, value] : options)
    if (a == name)
      return value;
  return nullptr;
}

Status invalidArgs(const std::string &message) {
  Diagnostic diag = errorDiagnostic(message);
  diag.kind = ErrorKind::InvalidArgument;
  return diag;
}

/// Refuses the Faust arguments Kiln chooses itself, and an option that
/// needs a value given last or right before another such option: faust
/// would take the next argument for its value (Kiln's `-lang`, then
/// reporting a missing file 'llvm', or the `-I DIR` a file's factory adds,
/// then reading the folder as a DSP).
Status checkArgs(const std::vector<std::string> &args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &a = args[i];
    if (a == "-lang" || a == "-o" || a == "-e" || a == "-json")
      return invalidArgs("the Faust argument '" + a +
                         "' is chosen by Kiln and cannot be given");
    const char *value = valueOf(a);
    if (value && (i + 1 == args.size() || valueOf(args[i + 1])))
      return invalidArgs("the Faust option '" + a + "' needs a value (<" +
                         value + ">) after it");
    if (value)
      ++i; // its value, whatever it looks like
  }
  return {};
}

/// faust's command line for `input`, writing the module to `output`.
std::vector<std::string> faustArgv(const FaustInput &input,
                                   const std::string &output) {
  std::vector<std::string> argv{faustBinary(input.faustPath)};
  argv.insert(argv.end(), input.args.begin(), input.args.end());
  for (const char *a : {"-lang", "llvm", "-o"})
    argv.push_back(a);
  argv.push_back(output);
  argv.push_back(input.path);
  return argv;
}

} // namespace

kiln::Expected<FaustOutput> runFaust(const FaustInput &input) {
  if (Status args = checkArgs(input.args); !args)
    return args.takeDiagnostics();
  std::string spawnError, log;
  int timeoutMs = faustTimeoutMs(spawnError);
  if (timeoutMs == 0)
    return errorDiagnostic(spawnError);
  std::string dir = makeTempDir();
  if (dir.empty())
    return errorDiagnostic("cannot create a temporary directory");
  FaustOutput out;
  int status = spawnAndWait(faustArgv(input, dir + "/out.bc"),
                            dir + "/faust.log", timeoutMs, spawnError);
  readWholeFile(dir + "/faust.log", log);
  bool haveOutput = status == 0 && readWholeFile(dir + "/out.bc", out.bitcode);
  removeTempDir(dir);
  if (status < 0)
    return errorDiagnostic(spawnError);
  if (status != 0 || !haveOutput)
    return faustDiagnostics(log, input);
  out.warnings = splitLines(log);
  return out;
}

} // namespace kiln::faust
