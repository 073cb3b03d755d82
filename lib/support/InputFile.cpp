// InputFile: reading a source, IR file or pipe with a size limit.
//
// A named FIFO with no writer would block open(2) forever and /dev/zero never
// ends, so inputs are opened non-blocking and read up to a limit: a hostile
// path gives one clear line, never a hang or an out-of-memory abort.
#include "kiln/support/Files.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <new>
#include <sys/stat.h>
#include <unistd.h>

namespace kiln::support {

namespace {

std::string mebibytes(size_t bytes) {
  return std::to_string((bytes + (size_t(1) << 20) - 1) >> 20) + " MiB";
}

/// Reads `fd` to its end into `text`, failing past `limit` bytes.
FileError readAll(int fd, const std::string &name, std::string &text,
                  size_t limit) {
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return "cannot read '" + name + "': " + std::strerror(errno);
    if (n == 0)
      return std::nullopt;
    if (text.size() + size_t(n) > limit)
      return "input '" + name + "' is larger than " + mebibytes(limit) +
             " (an endless device such as /dev/zero?)";
    text.append(buffer, size_t(n));
  }
}

FileError readOpened(int fd, const std::string &path, std::string &text,
                     size_t limit) {
  struct stat st;
  if (::fstat(fd, &st) != 0)
    return "cannot read '" + path + "': " + std::strerror(errno);
  if (S_ISDIR(st.st_mode))
    return "cannot read '" + path + "': it is a directory";
  if (S_ISREG(st.st_mode)) {
    if (size_t(st.st_size) > limit)
      return "input '" + path + "' is " + mebibytes(size_t(st.st_size)) +
             "; the limit is " + mebibytes(limit);
    text.reserve(size_t(st.st_size));
  }
  return readAll(fd, path, text, limit);
}

} // namespace

FileError readInputFile(const std::string &path, std::string &text,
                        size_t limit) {
  text.clear();
  try {
    if (path == "-")
      return readOpened(STDIN_FILENO, "<stdin>", text, limit);
    // Non-blocking open: a FIFO without a writer reads as empty instead of
    // blocking forever. Reads then block as usual.
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
      return "cannot open '" + path + "': " + std::strerror(errno);
    int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0)
      ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    FileError error = readOpened(fd, path, text, limit);
    ::close(fd);
    if (error)
      text.clear();
    return error;
  } catch (const std::bad_alloc &) {
    text.clear();
    text.shrink_to_fit();
    return "out of memory reading '" + path + "'";
  }
}

} // namespace kiln::support
