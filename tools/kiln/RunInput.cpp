// RunInput: the guess at standard input's language for `kiln run -`, and
// the bytes read for it put back on fd 0.
#include "RunInput.h"

#include <cerrno>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

namespace kiln::tool {

bool looksLikeIR(std::string_view text) {
  if (text.starts_with("BC\xC0\xDE") || text.starts_with("\xDE\xC0\x17\x0B"))
    return true; // bitcode, plain or in its wrapper
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos)
    return true;
  text.remove_prefix(start);
  if (std::strchr(";@%!$", text[0])) // Relay comments start with "//"
    return true;
  for (std::string_view keyword :
       {"define", "declare", "target", "source_filename", "attributes",
        "module", "uselistorder"})
    if (text.starts_with(keyword) && text.size() > keyword.size() &&
        std::strchr(" \t\r\n", text[keyword.size()]))
      return true;
  return false;
}

support::FileError replayOnStdin(const std::string &bytes) {
  int fd = ::memfd_create("kiln-stdin", MFD_CLOEXEC);
  if (fd < 0)
    return std::string("cannot keep standard input: ") + std::strerror(errno);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    done += size_t(n);
  }
  bool ok = done == bytes.size() && ::lseek(fd, 0, SEEK_SET) == 0 &&
            ::dup2(fd, STDIN_FILENO) == STDIN_FILENO;
  int saved = errno;
  ::close(fd);
  if (!ok)
    return std::string("cannot keep standard input: ") + std::strerror(saved);
  return std::nullopt;
}

} // namespace kiln::tool
