// FuzzSupport: what every Kiln fuzz target shares.
//
// The targets run Kiln's libraries in the fuzzer's process: program output
// goes to /dev/null so the fuzzer's log stays readable, and a finding is
// reported by trapping (libFuzzer saves the input that trapped).
#pragma once

#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

namespace kiln::fuzz {

/// Sends stdout to /dev/null (interpreted programs print).
inline void silenceStdout() {
  std::fflush(stdout);
  int fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::dup2(fd, STDOUT_FILENO);
    ::close(fd);
  }
}

/// A property the library promises does not hold for this input.
[[noreturn]] inline void finding(const char *what) {
  std::fprintf(stderr, "kiln fuzz finding: %s\n", what);
  __builtin_trap();
}

} // namespace kiln::fuzz
