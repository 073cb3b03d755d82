// faust_forkserver: a preload library that turns one started `faust` process
// into a fork server, so each later Faust compilation skips faust's start-up.
//
// Starting Debian's faust costs ~25-30 ms of CPU before it reads a byte of
// the DSP: the dynamic loader relocates libLLVM-14 (~400k relocations, most
// of them page faults) and LLVM's static constructors run. A factory built
// from a 5 ms DSP pays that six times over. Kiln starts faust once with this
// library in LD_PRELOAD; the wrapped __libc_start_main runs every constructor
// as usual, then, instead of faust's main, serves requests: each request is
// an argument vector, run by a child that calls faust's real main with it --
// the child starts from exactly the state a fresh `faust` reaches at main.
// The technique is AFL's fork server. Three things keep the remaining process
// costs off Kiln's clock:
// - the child for the next request is forked ahead of it (a standby child
//   waiting on the socket), and while it waits it faults in the memory
//   faust will write first (prefault below);
// - a child whose faust main returns reports its exit status at once and
//   leaves with _exit: faust has closed its output by then, and its exit
//   handlers (the destructors of faust's and LLVM's statics, ~1.3 ms) change
//   nothing Kiln reads;
// - a child that leaves through exit() reports from its last exit handler,
//   before the kernel tears down its address space.
// Kiln-side: frontends/faust/compiler/ForkServer.cpp, which also says the
// protocol.
//
// Plain C, no Kiln or LLVM code: it lives inside the faust process (LLVM
// 14) and is never built with sanitizers.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

/// Messages to Kiln: two i32s, a tag and a value (see ForkServer.cpp).
enum { TagPid = 1, TagExited = 2, TagStatus = 3 };

static int reply(int32_t tag, int32_t value) {
  int32_t message[2] = {tag, value};
  return transfer(replyFd, message, sizeof message, 1);
}

/// Set in a child once it runs a request.
static int servingRequest;

/// The child's exit handler, for a faust that calls exit() itself (it does
/// on some errors; a main that returns is answered in runChild). Registered
/// when this library loads, it runs after the handlers faust registers
/// later (its own objects, the loader's finalisers), with stdio flushed
/// here: it tells Kiln the exit status, so Kiln need not wait for the
/// kernel to tear down the address space of a process that mapped libLLVM.
/// A child that dies of a signal never gets here; the server's wait status
/// then tells.
static void reportExit(int status, void *unused) {
  (void)unused;
  if (!servingRequest)
    return;
  fflush(NULL);
  reply(TagExited, (status & 0xff) << 8); /* as a wait status */
}

__attribute__((constructor)) static void registerReport(void) {
  on_exit(reportExit, NULL);
}

/// Reads one request: its payload (NUL-terminated), or NULL at EOF.
static char *readRequest(uint32_t *size) {
  if (transfer(requestFd, size, sizeof *size, 0) != 0 || *size == 0 ||
      *size > (1u << 24))
    return NULL;
  char *payload = malloc((size_t)*size + 1);
  if (!payload || transfer(requestFd, payload, *size, 0) != 0)
    return NULL;
  payload[*size] = '\0';
  return payload;
}

/// Flushes what faust wrote to stdout and stderr: C stdio, and std::cout,
/// which has its own buffer if faust ever turns off sync_with_stdio.
static void flushOutput(void) {
  typedef void *(*FlushFn)(void *);
  FlushFn flush = (FlushFn)dlsym(RTLD_DEFAULT, "_ZNSo5flushEv");
  void *cout = dlsym(RTLD_DEFAULT, "_ZSt4cout");
  if (flush && cout)
    flush(cout);
  fflush(NULL);
}

/// The real path of this program, read by the server before it forks.
static char selfPath[PATH_MAX];

/// Faults in, ahead of the request, the pages a faust run writes first: its
/// own data and zero-initialised memory (4 MB of hash tables and symbol
/// tables that faust's start-up clears), the anonymous mappings of its
/// libraries, and 16 MB of fresh heap that malloc keeps for faust. A
/// standby child does this while it waits; faust then starts with these
/// pages mapped (mesh.dsp: 4.1 -> 2.7 ms from request to exit status).
/// Best effort: a kernel without MADV_POPULATE_WRITE (before 5.14) refuses
/// it and the pages fault in as before.
static void prefault(void) {
  enum { HeapBytes = 16 << 20 };
  FILE *maps = fopen("/proc/self/maps", "r");
  if (maps) {
    char line[PATH_MAX + 128];
    while (fgets(line, sizeof line, maps)) {
      unsigned long low = 0, high = 0;
      char perms[8] = "", path[PATH_MAX] = "";
      if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %4095s", &low, &high, perms,
                 path) < 3 ||
          perms[1] != 'w' || perms[3] != 'p' || high - low > (64ul << 20))
        continue;
      if (path[0] == '\0' || strcmp(path, selfPath) == 0)
        madvise((void *)low, high - low, MADV_POPULATE_WRITE);
    }
    fclose(maps);
  }
  // Fresh heap: malloc must neither give it back nor serve faust's larger
  // blocks from mmap (those would fault in afresh).
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  char *block = malloc(HeapBytes);
  if (block) {
    memset(block, 0, HeapBytes);
    free(block);
  }
}

/// The child: the request's working directory and log file, then faust.
/// payload = cwd NUL log NUL argv[0] NUL ... argv[n-1] NUL
static void runChild(char *payload, uint32_t size, char **envp) {
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
  // The socket stays open for reportExit, but faust's own children (it
  // runs none today) must not inherit it.
  fcntl(replyFd, F_SETFD, FD_CLOEXEC);
  servingRequest = 1;
  int status = realMain(argc, argv, envp);
  flushOutput();
  reply(TagExited, (status & 0xff) << 8);
  _exit(status);
}

/// A standby child, forked before its request exists so that neither the
/// fork nor anything else here is on Kiln's clock: takes the next request
/// (telling the server on `taken`), answers its own pid and runs faust.
/// At EOF it ends quietly, and the server with it.
static void standby(int taken, char **envp) {
  uint32_t size = 0;
  prefault();
  char *payload = readRequest(&size);
  if (!payload)
    _exit(0);
  if (write(taken, "r", 1) != 1 || reply(TagPid, (int32_t)getpid()) != 0)
    _exit(127);
  close(taken);
  runChild(payload, size, envp);
}

/// One request: a standby child for it, then its wait status back to Kiln.
/// 0 while the connection lasts.
static int serveOne(char **envp) {
  int taken[2];
  if (pipe2(taken, O_CLOEXEC) != 0)
    return -1;
  pid_t pid = fork();
  if (pid == 0) {
    close(taken[0]);
    standby(taken[1], envp);
  }
  close(taken[1]);
  if (pid < 0) { // no child: answer the request here, with no pid
    close(taken[0]);
    uint32_t size = 0;
    char *payload = readRequest(&size);
    int got = payload != NULL;
    free(payload);
    return got && reply(TagPid, -1) == 0 ? 0 : -1;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  char byte = 0;
  ssize_t n = read(taken[0], &byte, 1);
  close(taken[0]);
  if (n != 1)
    return -1; // EOF before a request: Kiln is done with this server
  return reply(TagStatus, status);
}

/// Replaces faust's main when the server's descriptors are named in the
/// environment; faust's own main otherwise.
static int serverMain(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  if (!realpath("/proc/self/exe", selfPath))
    selfPath[0] = '\0';
  while (serveOne(environ) == 0) {
  }
  return 0;
}

/// True when this process runs the program Kiln meant to start: a `faust`
/// that is really a script runs its interpreter, which must not serve.
static int isExpectedProgram(const char *expected) {
  char self[4096], want[4096];
  return expected && realpath("/proc/self/exe", self) &&
         realpath(expected, want) && strcmp(self, want) == 0;
}

int __libc_start_main(MainFn main, int argc, char **argv, void (*init)(void),
                      void (*fini)(void), void (*rtldFini)(void), void *stack) {
  StartFn start = (StartFn)dlsym(RTLD_NEXT, "__libc_start_main");
  const char *fds = getenv("KILN_FAUST_FORKSERVER_V2_FDS");
  realMain = main;
  if (fds && isExpectedProgram(getenv("KILN_FAUST_FORKSERVER_EXE")) &&
      sscanf(fds, "%d,%d", &requestFd, &replyFd) == 2)
    main = serverMain;
  // Nothing started from here on inherits the server's set-up.
  unsetenv("KILN_FAUST_FORKSERVER_V2_FDS");
  unsetenv("KILN_FAUST_FORKSERVER_EXE");
  unsetenv("LD_PRELOAD");
  return start(main, argc, argv, init, fini, rtldFini, stack);
}
