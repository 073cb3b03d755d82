/* faust_compat_test.c: Kiln's libfaust drop-in (kiln/faust/llvm-dsp-c.h).
 *
 * What faust_host.c does not reach: the reference-counted factory cache
 * (same code = same pointer, deleteCDSPFactory's result, SHA-key lookup,
 * the list of keys), the queries and freeCMemory, every serialization form
 * in both string and file shapes — readCDSPFactoryFromMachine with its
 * documented (code, error_msg, target) order — error_msg (filled, located,
 * truncated to 4095 bytes without overrunning the caller's 4096), and
 * misuse: NULL and deleted pointers, negative counts, NULL buffers.
 * `faust_compat_test CASE` runs one case (ctest: capi.faust_compat.CASE).
 */
#define _XOPEN_SOURCE 700 /* mkdtemp */

#include "faust_check.h"

#include <kiln/faust/llvm-dsp-c.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const Code = "declare name \"gainer\";\n"
                                "g = hslider(\"g\", 0.5, 0, 1, 0.1);\n"
                                "process = *(g);\n";

#define FRAMES 64
static FAUSTFLOAT in[FRAMES], out[FRAMES];
static FAUSTFLOAT *ins[1] = {in}, *outs[1] = {out};

/* One block of a new instance; out[i] must be 0.5 * in[i]. */
static int computesHalf(llvm_dsp_factory *factory) {
  llvm_dsp *dsp = createCDSPInstance(factory);
  int i, good = dsp != NULL;
  if (!dsp)
    return 0;
  initCDSPInstance(dsp, 48000);
  for (i = 0; i < FRAMES; ++i)
    in[i] = (FAUSTFLOAT)i;
  computeCDSPInstance(dsp, FRAMES, ins, outs);
  for (i = 0; i < FRAMES; ++i)
    good = good && out[i] == 0.5f * (FAUSTFLOAT)i;
  deleteCDSPInstance(dsp);
  return good;
}

static void freeList(const char **list) {
  size_t i;
  for (i = 0; list && list[i]; ++i)
    freeCMemory((void *)list[i]);
  freeCMemory((void *)list);
}

static void testCache(llvm_dsp_factory *unused) {
  char error[4096];
  llvm_dsp_factory *a =
      createCDSPFactoryFromString("g", Code, 0, NULL, "", error, -1);
  llvm_dsp_factory *b =
      createCDSPFactoryFromString("g", Code, 0, NULL, "", error, -1);
  char *key, *name, *target, *machine;
  const char **keys;
  (void)unused;
  EXPECT(a != NULL && a == b && error[0] == '\0');
  if (!a)
    return;
  key = getCSHAKey(a);
  name = getCName(a);
  target = getCTarget(a);
  machine = getCDSPMachineTarget();
  EXPECT(key && strlen(key) == 40);
  EXPECT(name && strcmp(name, "gainer") == 0);
  EXPECT(target && machine && strcmp(target, machine) == 0);
  EXPECT(getCDSPFactoryFromSHAKey(key) == a); /* count 3 */
  keys = getAllCDSPFactories();
  EXPECT(keys && keys[0] && strcmp(keys[0], key) == 0 && !keys[1]);
  freeList(keys);
  freeList(getCDSPFactoryLibraryList(a));
  freeList(getCWarningMessages(a));
  freeCMemory(getCDSPCode(a));
  EXPECT(computesHalf(a));
  EXPECT(!deleteCDSPFactory(a) && !deleteCDSPFactory(a));
  EXPECT(deleteCDSPFactory(a));  /* the last reference */
  EXPECT(!deleteCDSPFactory(a)); /* deleted: recognised, not dereferenced */
  EXPECT(getCName(a) == NULL && createCDSPInstance(a) == NULL);
  EXPECT(getCDSPFactoryFromSHAKey(key) == NULL);
  freeCMemory(key);
  freeCMemory(name);
  freeCMemory(target);
  freeCMemory(machine);
}

/* Writes with `write`, reads back with `read`; the result must compute. */
static void testStrings(llvm_dsp_factory *factory) {
  char error[4096];
  char *bitcode = writeCDSPFactoryToBitcode(factory);
  char *ir = writeCDSPFactoryToIR(factory);
  char *machine = writeCDSPFactoryToMachine(factory, "");
  llvm_dsp_factory *read;
  EXPECT(bitcode && ir && machine);
  read = bitcode ? readCDSPFactoryFromBitcode(bitcode, "", error, -1) : NULL;
  EXPECT(read && computesHalf(read));
  deleteCDSPFactory(read);
  read = ir ? readCDSPFactoryFromIR(ir, "", error, 2) : NULL;
  EXPECT(read && computesHalf(read));
  deleteCDSPFactory(read);
  /* The documented order: (code, error_msg, target). */
  read = machine ? readCDSPFactoryFromMachine(machine, error, "") : NULL;
  EXPECT(read && computesHalf(read));
  deleteCDSPFactory(read);
  EXPECT(readCDSPFactoryFromMachine("not base64!", error, "") == NULL);
  EXPECT(error[0] != '\0');
  freeCMemory(bitcode);
  freeCMemory(ir);
  freeCMemory(machine);
}

static void testFilesIn(llvm_dsp_factory *factory, const char *dir) {
  char path[1024], error[4096];
  llvm_dsp_factory *read;
  snprintf(path, sizeof path, "%s/f.bc", dir);
  EXPECT(writeCDSPFactoryToBitcodeFile(factory, path));
  read = readCDSPFactoryFromBitcodeFile(path, "", error, -1);
  EXPECT(read && computesHalf(read));
  deleteCDSPFactory(read);
  snprintf(path, sizeof path, "%s/f.ll", dir);
  EXPECT(writeCDSPFactoryToIRFile(factory, path));
  read = readCDSPFactoryFromIRFile(path, "", error, -1);
  EXPECT(read && computesHalf(read));
  deleteCDSPFactory(read);
  snprintf(path, sizeof path, "%s/f.kfm", dir);
  EXPECT(writeCDSPFactoryToMachineFile(factory, path, ""));
  read = readCDSPFactoryFromMachineFile(path, "", error);
  EXPECT(read && computesHalf(read));
  deleteCDSPFactory(read);
  snprintf(path, sizeof path, "%s/f.o", dir);
  EXPECT(writeCDSPFactoryToObjectcodeFile(factory, path, ""));
  snprintf(path, sizeof path, "%s/f.dsp", dir);
  {
    FILE *file = fopen(path, "w");
    EXPECT(file && fputs(Code, file) >= 0 && fclose(file) == 0);
  }
  read = createCDSPFactoryFromFile(path, 0, NULL, "", error, 1);
  EXPECT(read && computesHalf(read));
  deleteCDSPFactory(read);
  EXPECT(!writeCDSPFactoryToIRFile(factory, NULL));
}

static void testErrors(llvm_dsp_factory *unused) {
  static char buffer[4096 + 16];
  char *longName = malloc(6000);
  const char *args[2] = {"-vec", NULL};
  (void)unused;
  EXPECT(createCDSPFactoryFromString("bad", "process = _ +;\n", 0, NULL, "",
                                     buffer, -1) == NULL);
  EXPECT(strstr(buffer, "bad:1:") && strstr(buffer, "syntax error"));
  EXPECT(createCDSPFactoryFromString("bad", "process = _;", 2, args, "", buffer,
                                     -1) == NULL);
  EXPECT(strstr(buffer, "argv[1] is NULL") != NULL);
  EXPECT(createCDSPFactoryFromString(NULL, NULL, 0, NULL, "", NULL, -1) ==
         NULL); /* NULL error_msg is fine too */
  if (!longName)
    return;
  memset(longName, 'x', 5999);
  longName[5999] = '\0';
  memset(buffer, '#', sizeof buffer);
  EXPECT(createCDSPFactoryFromFile(longName, 0, NULL, "", buffer, -1) == NULL);
  EXPECT(strlen(buffer) == 4095 && buffer[4096] == '#');
  free(longName);
}

static void testMisuse(llvm_dsp_factory *factory) {
  llvm_dsp *dsp = createCDSPInstance(factory), *copy;
  EXPECT(createCDSPInstance(NULL) == NULL && getCName(NULL) == NULL);
  EXPECT(!deleteCDSPFactory(NULL) &&
         writeCDSPFactoryToMachine(NULL, "") == NULL);
  EXPECT(getNumInputsCDSPInstance(NULL) == 0 &&
         cloneCDSPInstance(NULL) == NULL);
  computeCDSPInstance(NULL, FRAMES, ins, outs);
  initCDSPInstance(NULL, 48000);
  buildUserInterfaceCDSPInstance(dsp, NULL);
  metadataCDSPInstance(dsp, NULL);
  if (!dsp)
    return;
  initCDSPInstance(dsp, 44100);
  EXPECT(getSampleRateCDSPInstance(dsp) == 44100);
  out[0] = 42;
  computeCDSPInstance(dsp, -1, ins, outs);
  computeCDSPInstance(dsp, FRAMES, NULL, outs);
  computeCDSPInstance(dsp, FRAMES, ins, NULL);
  EXPECT(out[0] == 42); /* nothing computed */
  copy = cloneCDSPInstance(dsp);
  EXPECT(copy && getNumOutputsCDSPInstance(copy) == 1);
  deleteCDSPInstance(copy);
  deleteAllCDSPFactories(); /* the instance keeps its code */
  in[0] = 2;
  computeCDSPInstance(dsp, 1, ins, outs);
  EXPECT(out[0] == 1.0f);
  deleteCDSPInstance(dsp);
  deleteCDSPInstance(NULL);
}

/* testFilesIn in a fresh directory, removed afterwards. */
static void testFiles(llvm_dsp_factory *factory) {
  static const char *const names[] = {"f.bc", "f.ll", "f.kfm", "f.o", "f.dsp"};
  const char *tmp = getenv("TMPDIR");
  char dir[1024], path[1100];
  size_t i;
  snprintf(dir, sizeof dir, "%s/kiln-compat-XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(dir)) {
    EXPECT(!"mkdtemp");
    return;
  }
  testFilesIn(factory, dir);
  for (i = 0; i < sizeof names / sizeof names[0]; ++i) {
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    remove(path);
  }
  EXPECT(rmdir(dir) == 0);
}

/* Each thread creates a factory (threads share one of two codes), computes
 * with it and releases it: libfaust needs startMTDSPFactories for this,
 * Kiln is always thread-safe. */
static void *worker(void *arg) {
  static const char *const codes[2] = {"process = *(0.5);",
                                       "process = *(0.5) : +(0);"};
  char error[4096];
  llvm_dsp_factory *factory = createCDSPFactoryFromString(
      "t", codes[*(int *)arg % 2], 0, NULL, "", error, 1);
  llvm_dsp *dsp = factory ? createCDSPInstance(factory) : NULL;
  FAUSTFLOAT input[FRAMES], output[FRAMES];
  FAUSTFLOAT *inputs[1] = {input}, *outputs[1] = {output};
  int i, good = dsp != NULL;
  for (i = 0; i < FRAMES; ++i)
    input[i] = (FAUSTFLOAT)i;
  if (dsp) {
    initCDSPInstance(dsp, 48000);
    computeCDSPInstance(dsp, FRAMES, inputs, outputs);
    for (i = 0; i < FRAMES; ++i)
      good = good && output[i] == 0.5f * (FAUSTFLOAT)i;
  }
  deleteCDSPInstance(dsp);
  deleteCDSPFactory(factory);
  *(int *)arg = good;
  return NULL;
}

static void testThreads(llvm_dsp_factory *unused) {
  pthread_t threads[8];
  int results[8], i;
  (void)unused;
  for (i = 0; i < 8; ++i) {
    results[i] = i;
    EXPECT(pthread_create(&threads[i], NULL, worker, &results[i]) == 0);
  }
  for (i = 0; i < 8; ++i) {
    pthread_join(threads[i], NULL);
    EXPECT(results[i] == 1);
  }
}

typedef void (*Case)(llvm_dsp_factory *gainer);
static const struct {
  const char *name;
  Case run;
} Cases[] = {{"cache", testCache},     {"errors", testErrors},
             {"strings", testStrings}, {"files", testFiles},
             {"misuse", testMisuse},   {"threads", testThreads}};

int main(int argc, char **argv) {
  char error[4096];
  llvm_dsp_factory *factory = NULL;
  size_t i, n = sizeof Cases / sizeof Cases[0];
  for (i = 0; argc == 2 && i < n; ++i)
    if (strcmp(argv[1], Cases[i].name) == 0)
      break;
  if (argc != 2 || i == n) {
    fprintf(stderr, "usage: faust_compat_test CASE (cache, errors, ...)\n");
    return 2;
  }
  EXPECT(startMTDSPFactories());
  EXPECT(strlen(getCLibFaustVersion()) > 0);
  if (Cases[i].run != testCache && Cases[i].run != testErrors &&
      Cases[i].run != testThreads) {
    factory = createCDSPFactoryFromString("g", Code, 0, NULL, "", error, -1);
    if (!factory) {
      fprintf(stderr, "faust_compat_test: %s\n", error);
      return 1;
    }
  }
  Cases[i].run(factory);
  deleteCDSPFactory(factory); /* false after misuse's deleteAll: fine */
  stopMTDSPFactories();
  printf("faust_compat_test %s: %s (%d failures)\n", argv[1],
         failures ? "FAIL" : "PASS", failures);
  return failures != 0;
}
