// InputFiles: reading the user's inputs and faust's scratch directories.
//
// Inputs (.dsp, bitcode, machine code) are read whole, within a size limit,
// and only from regular files: a FIFO would block, a device never end.
#include "FaustCompiler.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <optional>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace kiln::faust {

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

namespace {

Diagnostic ioError(std::string message) {
  Diagnostic diag = errorDiagnostic(std::move(message));
  diag.kind = ErrorKind::IO;
  return diag;
}

/// Reads the open regular file `fd` to its end, within kMaxInputBytes;
/// the reason it could not, else nothing.
std::optional<std::string> readAll(int fd, std::string &out) {
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 || out.size() + size_t(n) > kMaxInputBytes)
      return n < 0 ? std::strerror(errno) : "it grew while being read";
    if (n == 0)
      return std::nullopt;
    out.append(buffer, size_t(n));
  }
}

} // namespace

kiln::Expected<std::string> readInputFile(const std::string &path) {
  auto refuse = [&](const std::string &why) {
    return ioError("cannot read '" + path + "': " + why);
  };
  // O_NONBLOCK: opening a FIFO does not wait for a writer; fstat refuses it.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    return ioError("cannot open '" + path + "': " + std::strerror(errno));
  struct stat st {};
  bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (!regular || uint64_t(st.st_size) > kMaxInputBytes) {
    close(fd);
    return refuse(!regular ? fileKind(st.st_mode)
                           : "it is larger than " +
                                 std::to_string(kMaxInputBytes >> 20) + " MiB");
  }
  std::string out;
  std::optional<std::string> failure = readAll(fd, out);
  close(fd);
  if (failure)
    return refuse(*failure);
  return out;
}

std::string makeTempDir() {
  const char *base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base && *base ? base : "/tmp") + "/kiln-faust-XXXXXX";
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

} // namespace kiln::faust
