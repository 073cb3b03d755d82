// ForkServer: the Kiln side of the faust fork server.
//
// Protocol over one AF_UNIX stream socket (the server's end is its fd 3):
// Kiln sends a u32 byte count and a payload of NUL-terminated strings --
// working directory, log file, then faust's argv. The answers are messages
// of two i32s, a tag and a value: Pid (the child that runs the request,
// already forked and waiting for it; < 0 if none could be forked), then
// Exited (the exit status as a wait status, sent by the child itself from
// its last exit handler, when its output is written) and Status (the wait
// status, sent by the server once it has reaped the child). Kiln goes on at
// the first of the two and collects a Status left behind before its next
// request; a child that dies of a signal sends only Status. EOF ends the
// server. A socket rather than pipes so that a dead server is an EPIPE here
// (send with MSG_NOSIGNAL), not a SIGPIPE that kills the host. The
// environment variable naming the socket carries the protocol's version
// (V2): a library that speaks another version does not serve, and the
// caller falls back to spawning.
#include "ForkServer.h"

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <dlfcn.h>
#include <fcntl.h>
#include <mutex>
#include <poll.h>
#include <set>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace kiln::faust {

namespace {

constexpr int kServerFd = 3; // where the server finds its socket
enum Tag : int32_t { TagPid = 1, TagExited = 2, TagStatus = 3 };

/// The one server of this process and the lock its requests take.
struct Server {
  std::mutex mutex;
  std::string binary;  ///< the faust it runs ("" = none started)
  std::string library; ///< the preload library it was started with
  pid_t pid = -1;
  pid_t owner = -1; ///< the process that started it (a forked host has its own)
  int socket = -1;
  /// faust + library pairs whose server never served (e.g. a faust that is
  /// a script, or a library that does not load): spawn those directly.
  std::set<std::string> failed;
  unsigned served = 0; ///< requests this server answered
  /// The last request ended with Exited: the server's Status is still to
  /// be read.
  bool statusPending = false;

  ~Server() {
    if (owner == getpid())
      stop();
  }

  /// In a child of the host (fork without exec): forgets the parent's
  /// server without touching it, so the child starts its own.
  void disown() {
    if (socket >= 0)
      close(socket);
    forget();
  }

  void stop() {
    if (socket >= 0)
      close(socket); // EOF: the server leaves its loop and exits
    if (pid > 0)
      while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
    forget();
  }

private:
  /// Back to "no server" (the socket already closed).
  void forget() {
    socket = -1;
    pid = -1;
    served = 0;
    statusPending = false;
    binary.clear();
    library.clear();
  }
};

Server &server() {
  static Server instance;
  return instance;
}

/// Sends (`out`) or receives exactly `size` bytes; false once the server
/// is gone.
bool transfer(int fd, void *data, size_t size, bool out) {
  char *at = static_cast<char *>(data);
  while (size > 0) {
    ssize_t n = out ? send(fd, at, size, MSG_NOSIGNAL) : recv(fd, at, size, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    at += n;
    size -= size_t(n);
  }
  return true;
}

/// Receives one (tag, value) message; false once the server is gone.
bool receive(int fd, int32_t &tag, int32_t &value) {
  int32_t message[2];
  if (!transfer(fd, message, sizeof message, false))
    return false;
  tag = message[0];
  value = message[1];
  return true;
}

/// How an exchange with the server ended.
enum class Exchange {
  Done,       ///< answered (`pid` < 0: no child could be forked, no status)
  GoneBefore, ///< the server had died before the request was sent
  Broken,     ///< it died during the request
};

/// Waits up to `timeoutMs` for the child's answer; past it, kills the child
/// (the server then reports its death as for any other).
void awaitChild(int socket, pid_t child, int timeoutMs) {
  pollfd p{socket, POLLIN, 0};
  int rc;
  while ((rc = poll(&p, 1, timeoutMs)) < 0 && errno == EINTR) {
  }
  if (rc == 0)
    kill(child, SIGKILL);
}

/// Sends one request and reads its answers up to the child's exit status.
Exchange exchange(Server &s, const std::string &payload, int timeoutMs,
                  int32_t &pid, int32_t &status) {
  int32_t tag = 0, value = 0;
  if (s.statusPending && !(receive(s.socket, tag, value) && tag == TagStatus))
    return Exchange::GoneBefore;
  s.statusPending = false;
  uint32_t size = uint32_t(payload.size());
  if (!transfer(s.socket, &size, sizeof size, true) ||
      !transfer(s.socket, const_cast<char *>(payload.data()), payload.size(),
                true) ||
      !receive(s.socket, tag, pid) || tag != TagPid)
    return Exchange::Broken;
  if (pid <= 0)
    return Exchange::Done;
  awaitChild(s.socket, pid, timeoutMs);
  if (!receive(s.socket, tag, status) || (tag != TagExited && tag != TagStatus))
    return Exchange::Broken;
  s.statusPending = tag == TagExited;
  return Exchange::Done;
}

/// The environment of the server: ours, plus the preload library and the
/// descriptor it serves on.
std::vector<std::string> serverEnvironment(const std::string &binary,
                                           const std::string &library) {
  std::vector<std::string> env;
  std::string preload = "LD_PRELOAD=" + library;
  for (char **e = environ; *e; ++e) {
    std::string entry = *e;
    if (entry.rfind("LD_PRELOAD=", 0) == 0)
      preload += ":" + entry.substr(11);
    else if (entry.rfind("KILN_FAUST_FORKSERVER_", 0) != 0)
      env.push_back(entry);
  }
  env.push_back(preload);
  env.push_back("KILN_FAUST_FORKSERVER_EXE=" + binary);
  env.push_back("KILN_FAUST_FORKSERVER_V2_FDS=" + std::to_string(kServerFd) +
                "," + std::to_string(kServerFd));
  return env;
}

/// Starts faust as the server; false if it cannot be started.
bool start(Server &s, const std::string &binary, const std::string &library) {
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
    return false;
  // The server's end is moved to fd 3 in the child; keep both ends above it
  // so dup2 never meets an fd equal to its target (it would keep CLOEXEC).
  int mine = fcntl(pair[0], F_DUPFD_CLOEXEC, 10);
  int theirs = fcntl(pair[1], F_DUPFD_CLOEXEC, 10);
  close(pair[0]);
  close(pair[1]);
  std::vector<std::string> env = serverEnvironment(binary, library);
  std::vector<char *> envp, argv{const_cast<char *>(binary.c_str()), nullptr};
  for (auto &e : env)
    envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, theirs, kServerFd);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  int rc = mine < 0 || theirs < 0
               ? EBADF
               : posix_spawn(&pid, binary.c_str(), &actions, nullptr,
                             argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (theirs >= 0)
    close(theirs);
  if (rc != 0) {
    if (mine >= 0)
      close(mine);
    return false;
  }
  s.binary = binary;
  s.library = library;
  s.pid = pid;
  s.owner = getpid();
  s.socket = mine;
  return true;
}

/// The request's payload: working directory, log file, argv.
std::string payloadOf(const std::vector<std::string> &argv,
                      const std::string &logPath) {
  char cwd[4096];
  std::string payload = getcwd(cwd, sizeof cwd) ? cwd : "/";
  payload += '\0';
  payload += logPath + '\0';
  for (auto &a : argv)
    payload += a + '\0';
  return payload;
}

} // namespace

/// The preload library installed beside this code: in lib/ next to
/// libkiln.so, or in ../lib from the kiln tool's bin/ (an install tree, or
/// the build tree's own layout); "" when neither has it.
static std::string installedForkServerLibrary() {
  Dl_info self{};
  if (!dladdr(reinterpret_cast<void *>(&installedForkServerLibrary), &self) ||
      !self.dli_fname)
    return "";
  std::string dir = self.dli_fname;
  size_t slash = dir.rfind('/');
  dir = slash == std::string::npos ? "." : dir.substr(0, slash);
  for (const char *relative : {"/", "/../lib/"}) {
    std::string path = dir + relative + "libkiln_faust_forkserver.so";
    if (access(path.c_str(), R_OK) == 0)
      return path;
  }
  return "";
}

std::string forkServerLibrary() {
  if (const char *env = std::getenv("KILN_FAUST_FORKSERVER"))
    return std::string(env) == "off" ? std::string() : std::string(env);
  if (std::string installed = installedForkServerLibrary(); !installed.empty())
    return installed;
#ifdef KILN_FAUST_FORKSERVER_LIB
  if (access(KILN_FAUST_FORKSERVER_LIB, R_OK) == 0)
    return KILN_FAUST_FORKSERVER_LIB;
#endif
  return "";
}

int forkServerPid() {
  Server &s = server();
  std::lock_guard<std::mutex> lock(s.mutex);
  return s.owner == getpid() ? s.pid : -1;
}

std::optional<int> runThroughForkServer(const std::vector<std::string> &argv,
                                        const std::string &logPath,
                                        int timeoutMs) {
  Server &s = server();
  std::unique_lock<std::mutex> lock(s.mutex, std::try_to_lock);
  if (!lock.owns_lock() || argv.empty() || argv[0].find('/') != 0)
    return std::nullopt; // busy, or not an absolute path
  if (s.pid > 0 && s.owner != getpid())
    s.disown(); // the host forked: that server belongs to its parent
  std::string library = forkServerLibrary();
  std::string key = argv[0] + '\n' + library;
  if (library.empty() || s.failed.count(key))
    return std::nullopt;
  if (s.pid > 0 && (s.binary != argv[0] || s.library != library))
    s.stop(); // another faust or library: one server at a time
  if (s.pid < 0 && !start(s, argv[0], library)) {
    s.failed.insert(key);
    return std::nullopt;
  }
  int32_t pid = -1, status = 0;
  const std::string payload = payloadOf(argv, logPath);
  Exchange answer = exchange(s, payload, timeoutMs, pid, status);
  if (answer == Exchange::GoneBefore) {
    // It died after serving the last request (killed, out of memory): the
    // request is still unsent, so a new server takes it.
    s.stop();
    if (start(s, argv[0], library))
      answer = exchange(s, payload, timeoutMs, pid, status);
  }
  if (answer != Exchange::Done) {
    // It died during the request (start a new one next time) or never
    // served at all (the preload library did not take: stop trying).
    if (s.served == 0)
      s.failed.insert(key);
    s.stop();
    return std::nullopt;
  }
  if (pid <= 0)
    return std::nullopt; // its fork failed this time
  ++s.served;
  return status;
}

} // namespace kiln::faust
