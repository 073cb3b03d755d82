// FaustCompiler: the faust subprocess and its error messages.
#include "FaustCompiler.h"
#include "ForkServer.h"

#include "kiln/core/Diagnostic.h"

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

std::vector<std::string> splitLines(const std::string &text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty())
      lines.push_back(line);
  return lines;
}

/// How long faust may run before it is killed, unless $KILN_FAUST_TIMEOUT
/// says otherwise: faust waits forever on a FIFO it is told to import.
constexpr int kDefaultTimeoutS = 300;

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
                        "seconds, not '") + env + "'";
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

/// Runs argv with stdout/stderr to `logPath` (through the fork server when
/// it can take the request); the exit status or an error.
int spawnAndWait(const std::vector<std::string> &argv,
                 const std::string &logPath, int timeoutMs, std::string &error) {
  auto start = std::chrono::steady_clock::now();
  auto timedOut = [&] {
    return std::chrono::steady_clock::now() - start >=
           std::chrono::milliseconds(timeoutMs);
  };
  if (auto served = runThroughForkServer(argv, logPath, timeoutMs))
    return exitStatus(*served, timedOut(), timeoutMs, error);
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
  pid_t pid = 0;
  int status = 0;
  int rc = argv[0].find('/') == std::string::npos
               ? posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr,
                              args.data(), environ)
               : posix_spawn(&pid, argv[0].c_str(), &actions, nullptr,
                             args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  struct stat st {};
  if (rc == EACCES && stat(argv[0].c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    rc = EISDIR;
  if (rc != 0) {
    error = "cannot run the Faust compiler '" + argv[0] + "': " +
            std::strerror(rc) +
            (rc == ENOENT ? " (install Debian's faust package, or name the "
                            "binary with --faust PATH or $KILN_FAUST)"
                          : "");
    return -1;
  }
  if (!waitFor(pid, timeoutMs, status, error))
    return -1;
  return exitStatus(status, timedOut(), timeoutMs, error);
}

/// One faust error line, split into location and message.
struct FaustLine {
  std::string file;
  unsigned line = 0;
  std::string message;
  bool isError = false; ///< one of faust's ERROR forms (else other text)
};

/// The digits (with an optional '-') of `text` from `at` to `end`, or
/// false when there are none or anything else.
bool lineNumberAt(const std::string &text, size_t at, size_t end, long &line) {
  size_t digits = at < end && text[at] == '-' ? at + 1 : at;
  if (digits >= end)
    return false;
  for (size_t i = digits; i < end; ++i)
    if (!std::isdigit(static_cast<unsigned char>(text[i])))
      return false;
  if (end - digits > 12)
    line = -1; // out of any range: treated as no place
  else
    line = std::strtol(text.substr(at, end - at).c_str(), nullptr, 10);
  return true;
}

FaustLine located(const std::string &file, long line, std::string message) {
  if (line <= 0 || line > long(UINT32_MAX) || file == "????")
    return {"", 0, std::move(message), true};
  return {file, unsigned(line), std::move(message), true};
}

/// Faust's error lines: `FILE : LINE : ERROR : msg`, `ERROR (file F:L) : msg`
/// or `ERROR : msg`. Faust writes `???? : -1` when it knows no place (a
/// program without `process`): that is an error without a location. Parsed
/// by hand, not with std::regex: libstdc++'s matcher recurses once per
/// character, and faust echoes the user's text (a 300,000-character line
/// overflowed the stack).
FaustLine parseErrorLine(const std::string &text) {
  static const std::string sep = " : ", error = " : ERROR : ";
  for (size_t p = text.find(sep); p != std::string::npos;
       p = text.find(sep, p + 1)) {
    size_t q = text.find(error, p + sep.size());
    long line = 0;
    if (q != std::string::npos && lineNumberAt(text, p + sep.size(), q, line))
      return located(text.substr(0, p), line, text.substr(q + error.size()));
  }
  static const std::string fileForm = "ERROR (file ", close = ") : ";
  if (text.rfind(fileForm, 0) == 0)
    for (size_t q = text.rfind(close); q != std::string::npos && q > 0;
         q = text.rfind(close, q - 1)) {
      size_t colon = text.rfind(':', q);
      long line = 0;
      if (colon != std::string::npos && colon >= fileForm.size() &&
          lineNumberAt(text, colon + 1, q, line))
        return located(text.substr(fileForm.size(), colon - fileForm.size()),
                       line, text.substr(q + close.size()));
    }
  if (text.rfind("ERROR", 0) == 0) {
    size_t i = 5;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
      ++i;
    if (i < text.size() && text[i] == ':')
      ++i;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
      ++i;
    return {"", 0, text.substr(i), true};
  }
  return {"", 0, text};
}

/// True when `text` is valid UTF-8 with no control character but tab: it
/// can be shown as it is.
bool printable(const std::string &text) {
  for (size_t i = 0; i < text.size();) {
    unsigned char c = text[i];
    size_t more = c < 0x80                ? 0
                  : c >= 0xc2 && c <= 0xdf ? 1
                  : c >= 0xe0 && c <= 0xef ? 2
                  : c >= 0xf0 && c <= 0xf4 ? 3
                                           : 4; // not a lead byte
    if ((c < 0x20 && c != '\t') || c == 0x7f || more == 4 ||
        i + more >= text.size())
      return false;
    for (size_t k = 1; k <= more; ++k)
      if ((text[i + k] & 0xc0) != 0x80)
        return false;
    i += more + 1;
  }
  return true;
}

/// `text`, or with every byte outside printable ASCII as \xNN when it is
/// not printable (a binary .dsp echoed back by faust).
std::string escaped(const std::string &text) {
  if (printable(text))
    return text;
  static const char *hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : text)
    if (c >= 0x20 && c < 0x7f)
      out += char(c);
    else
      out += std::string("\\x") + hex[c >> 4] + hex[c & 15];
  return out;
}

/// Faust's message, with a plain statement first where its own is cryptic.
std::string explain(const std::string &message) {
  if (message == "undefined symbol : process")
    return "no 'process' definition (faust: undefined symbol : process)";
  return message;
}

bool isIdentChar(char c) { return std::isalnum((unsigned char)c) || c == '_'; }

/// The 1-based column errors point at: the symbol a message ends with
/// ("undefined symbol : foo") where the line has it as a word, the stray
/// text of a lexical error where the line has it, else the
/// line's first non-blank character.
unsigned caretColumn(const std::string &line, const std::string &message,
                     const std::string &extra) {
  // A lexical error: faust names the stray text, the caret goes to it.
  if (size_t at = extra.empty() ? std::string::npos : line.find(extra);
      at != std::string::npos)
    return unsigned(at) + 1;
  size_t colon = message.rfind(" : ");
  if (colon != std::string::npos) {
    std::string symbol = message.substr(colon + 3);
    bool ident = !symbol.empty() && std::all_of(symbol.begin(), symbol.end(), isIdentChar);
    for (size_t at = ident ? line.find(symbol) : std::string::npos;
         at != std::string::npos; at = line.find(symbol, at + 1)) {
      bool before = at > 0 && isIdentChar(line[at - 1]);
      bool after = at + symbol.size() < line.size() &&
                   isIdentChar(line[at + symbol.size()]);
      if (!before && !after)
        return unsigned(at) + 1;
    }
  }
  size_t indent = line.find_first_not_of(" \t");
  return indent == std::string::npos ? 1 : unsigned(indent) + 1;
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

bool readWholeFile(const std::string &path, std::string &out) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return false;
  std::stringstream buffer;
  buffer << in.rdbuf();
  out = buffer.str();
  return in.good() || in.eof();
}

namespace {

/// What a non-regular file is, for the one-line refusal.
const char *fileKind(mode_t mode) {
  if (S_ISDIR(mode))
    return "it is a directory";
  if (S_ISFIFO(mode) || S_ISSOCK(mode))
    return "it is a pipe or socket, not a regular file";
  if (S_ISCHR(mode) || S_ISBLK(mode))
    return "it is a device, not a regular file";
  return "it is not a regular file";
}

} // namespace

bool readInputFile(const std::string &path, std::string &out,
                   std::string &error) {
  auto refuse = [&](const std::string &why) {
    error = "error: cannot read '" + path + "': " + why;
    return false;
  };
  // O_NONBLOCK: opening a FIFO does not wait for a writer; fstat refuses it.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    error = "error: cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  struct stat st {};
  bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (!regular || uint64_t(st.st_size) > kMaxInputBytes) {
    close(fd);
    return refuse(!regular ? fileKind(st.st_mode)
                           : "it is larger than " +
                                 std::to_string(kMaxInputBytes >> 20) + " MiB");
  }
  out.clear();
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 || out.size() + size_t(n) > kMaxInputBytes) {
      close(fd);
      return refuse(n < 0 ? std::strerror(errno) : "it grew while being read");
    }
    if (n == 0)
      break;
    out.append(buffer, size_t(n));
  }
  close(fd);
  return true;
}

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

std::string makeTempDir() {
  const char *base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") +
                        "/kiln-faust-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  return mkdtemp(buffer.data()) ? std::string(buffer.data()) : std::string();
}

void removeTempDir(const std::string &dir) {
  if (dir.empty())
    return;
  if (DIR *d = opendir(dir.c_str())) {
    while (dirent *e = readdir(d))
      if (std::strcmp(e->d_name, ".") && std::strcmp(e->d_name, ".."))
        unlink((dir + "/" + e->d_name).c_str());
    closedir(d);
  }
  rmdir(dir.c_str());
}

/// The text faust's lexer could not read ("extra text is : $" on another
/// line of a "syntax error, unexpected EXTRA"), or "".
std::string extraText(const std::vector<std::string> &lines, size_t lead,
                      const std::string &message) {
  if (message.find("unexpected EXTRA") == std::string::npos)
    return "";
  const std::string prefix = "extra text is : ";
  for (size_t i = 0; i < lines.size(); ++i)
    if (i != lead && lines[i].starts_with(prefix))
      return lines[i].substr(prefix.size());
  return "";
}

std::string renderFaustErrors(const std::string &stderrText,
                              const FaustInput &input) {
  std::vector<std::string> lines = splitLines(stderrText);
  if (lines.empty())
    return kiln::render(errorDiagnostic(
        "the Faust compiler failed without a message", input.displayName));
  // The first ERROR line leads (faust may print context before it).
  size_t lead = 0;
  while (lead + 1 < lines.size() && !parseErrorLine(lines[lead]).isError)
    ++lead;
  FaustLine first = parseErrorLine(lines[lead]);
  first.message = escaped(first.message);
  Diagnostic diag{{first.line, first.line ? 1u : 0u}, explain(first.message)};
  diag.file = input.displayName;
  std::string sourceLine;
  if (first.line && (first.file.empty() || first.file == input.path ||
                     first.file == input.displayName))
    sourceLine = std::string(lineOf(input.source, first.line));
  else if (first.line)
    diag.file = first.file; // an error inside an imported library
  if (!printable(sourceLine))
    sourceLine.clear(); // binary: the location alone
  if (!sourceLine.empty())
    diag.loc.col = caretColumn(sourceLine, first.message,
                             extraText(lines, lead, first.message));
  diag.sourceLine = sourceLine;
  std::string out = kiln::render(diag);
  for (size_t i = 0; i < lines.size(); ++i)
    if (i != lead)
      out += "\n" + escaped(lines[i]);
  return out;
}

FaustResult runFaust(const FaustInput &input) {
  FaustResult result;
  for (auto &a : input.args)
    if (a == "-lang" || a == "-o" || a == "-e" || a == "-json") {
      result.diagnostics = "error: the Faust argument '" + a +
                           "' is chosen by Kiln and cannot be given";
      return result;
    }
  std::string spawnError, log;
  int timeoutMs = faustTimeoutMs(spawnError);
  if (timeoutMs == 0) {
    result.diagnostics = "error: " + spawnError;
    return result;
  }
  std::string dir = makeTempDir();
  if (dir.empty()) {
    result.diagnostics = "error: cannot create a temporary directory";
    return result;
  }
  std::vector<std::string> argv{faustBinary(input.faustPath)};
  argv.insert(argv.end(), input.args.begin(), input.args.end());
  for (const char *a : {"-lang", "llvm", "-o"})
    argv.push_back(a);
  argv.push_back(dir + "/out.bc");
  argv.push_back(input.path);
  int status = spawnAndWait(argv, dir + "/faust.log", timeoutMs, spawnError);
  readWholeFile(dir + "/faust.log", log);
  bool haveOutput = status == 0 && readWholeFile(dir + "/out.bc", result.bitcode);
  removeTempDir(dir);
  if (status < 0) {
    result.diagnostics = "error: " + spawnError;
  } else if (status != 0 || !haveOutput) {
    result.diagnostics = renderFaustErrors(log, input);
  } else {
    result.ok = true;
    result.warnings = splitLines(log);
  }
  return result;
}

} // namespace kiln::faust
