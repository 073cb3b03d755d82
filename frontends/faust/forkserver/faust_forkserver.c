// faust_forkserver: a preload library that turns one started `faust` process
// into a fork server, so each later Faust compilation skips faust's start-up.
//
// Starting Debian's faust costs ~25-30 ms of CPU before it reads a byte of
// the DSP: the dynamic loader relocates libLLVM-14 (~400k relocations, most
// of them page faults) and LLVM's static constructors run. A factory built
// from a 5 ms DSP pays that six times over. Kiln starts faust once with this
// library in LD_PRELOAD; the wrapped __libc_start_main runs every constructor
// as usual, then, instead of faust's main, serves requests: each request is
// an argument vector, and the server forks a child that calls faust's real
// main with it -- the child starts from exactly the state a fresh `faust`
// reaches at main. The technique is AFL's fork server. Kiln-side:
// frontends/faust/compiler/ForkServer.cpp, which also says the protocol.
//
// Plain C, no Kiln or LLVM code: it lives inside the faust process (LLVM
// 14) and is never built with sanitizers.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef int (*MainFn)(int, char **, char **);
typedef int (*StartFn)(MainFn, int, char **, void (*)(void), void (*)(void),
                       void (*)(void), void *);

static MainFn realMain;
static int requestFd = -1, replyFd = -1;

/// Reads (`out` = 0) or writes exactly `size` bytes; 0 on success, -1 on
/// end-of-file or error.
static int transfer(int fd, void *buffer, size_t size, int out) {
  char *at = buffer;
  while (size > 0) {
    ssize_t n = out ? write(fd, at, size) : read(fd, at, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    at += n;
    size -= (size_t)n;
  }
  return 0;
}

/// The child: the request's working directory and log file, then faust.
/// payload = cwd NUL log NUL argv[0] NUL ... argv[n-1] NUL
static void runChild(char *payload, uint32_t size, char **envp) {
  close(requestFd);
  close(replyFd);
  char *end = payload + size, *cwd = payload, *log = cwd + strlen(cwd) + 1;
  int argc = 0;
  char **argv = calloc(size + 1, sizeof(char *));
  for (char *at = log + strlen(log) + 1; argv && at < end; at += strlen(at) + 1)
    argv[argc++] = at;
  int out = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (!argv || argc == 0 || chdir(cwd) != 0 || out < 0 || in < 0 ||
      dup2(out, 1) < 0 || dup2(out, 2) < 0 || dup2(in, 0) < 0)
    _exit(127);
  exit(realMain(argc, argv, envp)); // as faust's own start-up code would
}

/// One request: its payload, a child for it, its pid and then its wait
/// status back to Kiln. 0 while the connection lasts.
static int serveOne(char **envp) {
  uint32_t size = 0;
  if (transfer(requestFd, &size, sizeof size, 0) != 0 || size == 0 || size > (1u << 24))
    return -1;
  char *payload = malloc((size_t)size + 1);
  if (!payload || transfer(requestFd, payload, size, 0) != 0)
    return -1;
  payload[size] = '\0';
  pid_t pid = fork();
  if (pid == 0)
    runChild(payload, size, envp);
  free(payload);
  int32_t reply[2] = {(int32_t)pid, 0};
  if (transfer(replyFd, &reply[0], sizeof reply[0], 1) != 0)
    return -1;
  if (pid < 0)
    return 0;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  reply[1] = status;
  return transfer(replyFd, &reply[1], sizeof reply[1], 1);
}

/// Replaces faust's main when the server's descriptors are named in the
/// environment; faust's own main otherwise.
static int serverMain(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  while (serveOne(environ) == 0) {
  }
  return 0;
}

/// True when this process runs the program Kiln meant to start: a `faust`
/// that is really a script runs its interpreter, which must not serve.
static int isExpectedProgram(const char *expected) {
  char self[4096], want[4096];
  return expected && realpath("/proc/self/exe", self) && realpath(expected, want) &&
         strcmp(self, want) == 0;
}

int __libc_start_main(MainFn main, int argc, char **argv, void (*init)(void),
                      void (*fini)(void), void (*rtldFini)(void), void *stack) {
  StartFn start = (StartFn)dlsym(RTLD_NEXT, "__libc_start_main");
  const char *fds = getenv("KILN_FAUST_FORKSERVER_FDS");
  realMain = main;
  if (fds && isExpectedProgram(getenv("KILN_FAUST_FORKSERVER_EXE")) &&
      sscanf(fds, "%d,%d", &requestFd, &replyFd) == 2)
    main = serverMain;
  // Nothing started from here on inherits the server's set-up.
  unsetenv("KILN_FAUST_FORKSERVER_FDS");
  unsetenv("KILN_FAUST_FORKSERVER_EXE");
  unsetenv("LD_PRELOAD");
  return start(main, argc, argv, init, fini, rtldFini, stack);
}
