// OutputFile: writing results atomically, or through to devices and pipes.
//
// A temporary-and-rename keeps regular files whole, but renaming onto
// /dev/null (as root) replaces the device with a file: so the target is
// examined first, symlinks are followed, and only regular files (or new
// names) are replaced; everything else is written in place.
#include "kiln/support/Files.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace kiln::support {

namespace {

std::string errnoText() { return std::strerror(errno); }

std::string directoryOf(const std::string &path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

/// Follows symbolic links (at most 40, like the kernel) to the final path,
/// which may not exist yet (a dangling link names the file to create).
FileError followLinks(const std::string &path, std::string &resolved) {
  resolved = path;
  for (int hop = 0; hop < 40; ++hop) {
    struct stat st;
    if (::lstat(resolved.c_str(), &st) != 0 || !S_ISLNK(st.st_mode))
      return std::nullopt;
    char buffer[4096];
    ssize_t n = ::readlink(resolved.c_str(), buffer, sizeof buffer - 1);
    if (n < 0)
      return "cannot write '" + path + "': " + errnoText();
    std::string link(buffer, size_t(n));
    resolved = link[0] == '/' ? link : directoryOf(resolved) + "/" + link;
  }
  return "cannot write '" + path + "': too many levels of symbolic links";
}

/// Creates a new empty file next to `near` with a unique name; `mode` is
/// reduced by the umask as for any new file.
FileError createUnique(const std::string &near, mode_t mode, int &fd,
                       std::string &temp) {
  static std::atomic<unsigned> counter{0};
  auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
  for (int attempt = 0; attempt < 100; ++attempt) {
    unsigned long tag = (unsigned long)stamp ^
                        ((unsigned long)::getpid() << 20) ^
                        (counter.fetch_add(1) * 2654435761UL);
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, ".tmp-%08lx", tag & 0xffffffffUL);
    temp = near + suffix;
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd >= 0)
      return std::nullopt;
    if (errno != EEXIST)
      return errnoText();
  }
  return "cannot find an unused temporary name";
}

/// Writes all of `data` to `fd`.
FileError writeAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return errnoText();
    data.remove_prefix(size_t(n));
  }
  return std::nullopt;
}

FileError writeStdout(std::string_view data) {
  std::fflush(stdout);
  if (auto error = writeAll(STDOUT_FILENO, data))
    return "cannot write to standard output: " + *error;
  return std::nullopt;
}

FileError writeThrough(const OutputTarget &target, std::string_view data) {
  // Non-blocking open: a FIFO nobody reads is an error (ENXIO), not a hang.
  int fd = ::open(target.resolved.c_str(), O_WRONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0 && errno == ENXIO)
    return "cannot write '" + target.path + "': no process is reading it";
  if (fd < 0)
    return "cannot write '" + target.path + "': " + errnoText();
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0)
    ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  FileError error = writeAll(fd, data);
  if (::close(fd) != 0 && !error)
    error = errnoText();
  if (error)
    return "cannot write '" + target.path + "': " + *error;
  return std::nullopt;
}

mode_t fileMode(bool executable) { return executable ? 0777 : 0666; }

FileError writeReplacing(const OutputTarget &target, std::string_view data,
                         bool executable) {
  int fd = -1;
  std::string temp;
  if (auto error =
          createUnique(target.resolved, fileMode(executable), fd, temp))
    return "cannot write '" + target.path + "': " + *error;
  FileError error = writeAll(fd, data);
  if (::close(fd) != 0 && !error)
    error = errnoText();
  if (!error && ::rename(temp.c_str(), target.resolved.c_str()) != 0)
    error = errnoText();
  if (error) {
    ::unlink(temp.c_str());
    return "cannot write '" + target.path + "': " + *error;
  }
  return std::nullopt;
}

FileError readWhole(const std::string &path, std::string &data) {
  return readInputFile(path, data, size_t(1) << 40);
}

} // namespace

FileError resolveOutput(const std::string &path, OutputTarget &target) {
  target = OutputTarget{path, path, false, path == "-"};
  if (target.toStdout)
    return std::nullopt;
  if (path.empty())
    return std::string("the output file name is empty");
  struct stat st;
  // An existing device, FIFO or socket is written through the name the user
  // gave: /dev/stdout links to /proc/self/fd/1, whose target text
  // ("pipe:[N]") is no path to resolve by hand.
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) &&
      !S_ISDIR(st.st_mode)) {
    target.writeThrough = true;
    return std::nullopt;
  }
  if (auto error = followLinks(path, target.resolved))
    return error;
  if (::stat(target.resolved.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode))
      return "cannot write '" + path + "': it is a directory";
    target.writeThrough = !S_ISREG(st.st_mode);
    return std::nullopt;
  }
  std::string dir = directoryOf(target.resolved);
  if (::stat(dir.c_str(), &st) != 0)
    return "cannot write '" + path + "': directory '" + dir +
           "' does not exist";
  if (!S_ISDIR(st.st_mode))
    return "cannot write '" + path + "': '" + dir + "' is not a directory";
  return std::nullopt;
}

FileError writeOutputFile(const std::string &path, std::string_view data,
                          bool executable) {
  OutputTarget target;
  if (auto error = resolveOutput(path, target))
    return error;
  if (target.toStdout)
    return writeStdout(data);
  if (target.writeThrough)
    return writeThrough(target, data);
  return writeReplacing(target, data, executable);
}

FileError temporaryFor(const OutputTarget &target, std::string &tempPath) {
  std::string near = target.resolved;
  if (target.toStdout || target.writeThrough) {
    const char *tmp = std::getenv("TMPDIR");
    near = std::string(tmp && *tmp ? tmp : "/tmp") + "/kiln-output";
  }
  int fd = -1;
  if (auto error = createUnique(near, 0666, fd, tempPath))
    return "cannot write '" + target.path + "': " + *error;
  ::close(fd);
  return std::nullopt;
}

FileError commitOutput(const OutputTarget &target,
                       const std::string &tempPath) {
  FileError error;
  if (target.toStdout || target.writeThrough) {
    std::string data;
    error = readWhole(tempPath, data);
    if (!error)
      error = target.toStdout ? writeStdout(data) : writeThrough(target, data);
  } else {
    if (::rename(tempPath.c_str(), target.resolved.c_str()) != 0)
      error = "cannot write '" + target.path + "': " + errnoText();
  }
  ::unlink(tempPath.c_str());
  return error;
}

FileError checkOutputNotInput(const std::string &output,
                              const std::vector<std::string> &inputs) {
  struct stat out;
  if (output == "-" || ::stat(output.c_str(), &out) != 0 ||
      !S_ISREG(out.st_mode))
    return std::nullopt;
  for (const std::string &input : inputs) {
    struct stat in;
    if (::stat(input.c_str(), &in) == 0 && in.st_dev == out.st_dev &&
        in.st_ino == out.st_ino)
      return "output file '" + output + "' is the same file as input '" +
             input + "'; refusing to overwrite it";
  }
  return std::nullopt;
}

} // namespace kiln::support
