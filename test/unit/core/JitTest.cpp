// JitTest: calls through typed pointers, module removal, host symbols,
// runtime resolution, object reload, errors and concurrent use.
#include "TestUtil.h"

#include "kiln/core/Emit.h"
#include "kiln/core/IRFile.h"
#include "kiln/core/JitMain.h"
#include "kiln/core/Pipeline.h"
#include "kiln/core/Target.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Target/TargetMachine.h"

#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <thread>

using namespace kiln;
using core::OptLevel;

namespace {

TEST(Jit, CallsIntFloatAndPointerSignatures) {
  auto jit = test::makeJit();
  ASSERT_TRUE(jit);
  ASSERT_EQ(test::errorText(jit->addModule(test::moduleFromIR(test::SampleIR))),
            "");
  auto fib = jit->lookupAs<int(int)>("fib");
  ASSERT_TRUE(bool(fib));
  EXPECT_EQ((*fib)(25), 75025);
  auto hypot3 = jit->lookupAs<double(double, double, double)>("hypot3");
  ASSERT_TRUE(bool(hypot3));
  EXPECT_DOUBLE_EQ((*hypot3)(2, 3, 6), 7.0);
  float data[] = {1.5f, 2.5f, -1.0f};
  auto sum = jit->lookupAs<float(const float *, int64_t)>("sum_f32");
  ASSERT_TRUE(bool(sum));
  EXPECT_EQ((*sum)(data, 3), 3.0f);
}

TEST(Jit, RemovingModuleUnresolvesSymbolAndFreesMemory) {
  auto jit = test::makeJit();
  ASSERT_TRUE(jit);
  uint64_t before = jit->stats().codeBytes;
  auto rt = jit->createTracker();
  ASSERT_EQ(
      test::errorText(jit->addModule(test::moduleFromIR(test::SampleIR), rt)),
      "");
  auto fib = jit->lookupAs<int(int)>("fib");
  ASSERT_TRUE(bool(fib));
  EXPECT_EQ((*fib)(10), 55);
  uint64_t loaded = jit->stats().codeBytes;
  EXPECT_GT(loaded, before + 64)
      << "JIT memory should grow by the module's code";

  ASSERT_EQ(test::errorText(jit->remove(rt)), "");
  EXPECT_EQ(jit->stats().codeBytes, before);
  auto gone = jit->lookup("fib");
  ASSERT_FALSE(bool(gone));
  EXPECT_EQ(test::errorText(gone.takeError()),
            "error: symbol 'fib' not found in the JIT");

  // The name is free again: a new definition can be added and called.
  ASSERT_EQ(test::errorText(jit->addModule(test::moduleFromIR(test::SampleIR))),
            "");
  auto again = jit->lookupAs<int(int)>("fib");
  ASSERT_TRUE(bool(again));
  EXPECT_EQ((*again)(12), 144);
}

TEST(Jit, ManyAddRemoveCyclesDoNotGrowMemory) {
  auto jit = test::makeJit(OptLevel::O1);
  ASSERT_TRUE(jit);
  uint64_t base = jit->stats().codeBytes;
  for (int i = 0; i < 20; ++i) {
    auto rt = jit->createTracker();
    ASSERT_EQ(
        test::errorText(jit->addModule(test::moduleFromIR(test::SampleIR), rt)),
        "");
    auto fib = jit->lookupAs<int(int)>("fib");
    ASSERT_TRUE(bool(fib));
    ASSERT_EQ((*fib)(15), 610);
    ASSERT_EQ(test::errorText(jit->remove(rt)), "");
  }
  EXPECT_EQ(jit->stats().codeBytes, base);
}

/// Bytes malloc has handed out and not had back (0 under sanitizers, whose
/// allocators do not report it: the check below then passes trivially).
size_t heapInUse() {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

TEST(Jit, RemovedSymbolNamesAreForgotten) {
  // A host that compiles modules under new names (as numba does) must not
  // keep every name: ORC's symbol string pool held each one (~300 bytes for
  // these 256-character names) until the engine ended, ~300 KiB here.
  auto jit = test::makeJit(OptLevel::O0);
  ASSERT_TRUE(jit);
  const std::string prefix(256, 'n');
  auto cycle = [&](int i) {
    std::string name = prefix + std::to_string(i);
    auto rt = jit->createTracker();
    ASSERT_EQ(
        test::errorText(jit->addModule(
            test::moduleFromIR("define i32 @" + name + "() {\n  ret i32 " +
                               std::to_string(i) + "\n}\n"),
            rt)),
        "");
    auto fn = jit->lookupAs<int()>(name);
    ASSERT_TRUE(bool(fn));
    ASSERT_EQ((*fn)(), i);
    ASSERT_EQ(test::errorText(jit->remove(rt)), "");
  };
  for (int i = 0; i < 200; ++i) // warm-up: allocator and pipeline caches
    cycle(i);
  size_t before = heapInUse();
  for (int i = 200; i < 1200; ++i)
    cycle(i);
  size_t after = heapInUse();
  EXPECT_LT(after, before + 100 * 1024)
      << "heap grew " << (after - before) / 1024
      << " KiB over 1000 add/remove cycles";
}

extern "C" int64_t hostTwice(int64_t x) { return 2 * x; }

TEST(Jit, CallsHostRegisteredFunctions) {
  auto jit = test::makeJit();
  ASSERT_TRUE(jit);
  ASSERT_EQ(
      test::errorText(jit->defineSymbols({{"host_twice", (void *)&hostTwice}})),
      "");
  ASSERT_EQ(test::errorText(jit->addModule(test::moduleFromIR(R"(
declare i64 @host_twice(i64)
define i64 @quad(i64 %x) {
  %a = call i64 @host_twice(i64 %x)
  %b = call i64 @host_twice(i64 %a)
  ret i64 %b
})"))),
            "");
  auto quad = jit->lookupAs<int64_t(int64_t)>("quad");
  ASSERT_TRUE(bool(quad));
  EXPECT_EQ((*quad)(21), 84);
}

TEST(Jit, ResolvesRuntimeAndLibm) {
  auto jit = test::makeJit();
  ASSERT_TRUE(jit);
  ASSERT_EQ(test::errorText(jit->addModule(test::moduleFromIR(R"(
declare i32 @kiln_rt_format_f64(ptr, i64, double)
declare double @cos(double)
define i32 @fmt(ptr %buf, double %x) {
  %c = call double @cos(double %x)
  %n = call i32 @kiln_rt_format_f64(ptr %buf, i64 32, double %c)
  ret i32 %n
})"))),
            "");
  auto fmt = jit->lookupAs<int(char *, double)>("fmt");
  ASSERT_TRUE(bool(fmt));
  char buf[32];
  EXPECT_EQ((*fmt)(buf, 0.0), 1);
  EXPECT_STREQ(buf, "1");
  (*fmt)(buf, 1.0);
  EXPECT_STREQ(buf, "0.5403023058681398");
}

TEST(Jit, ReloadsObjectWithoutCompiling) {
  llvm::LLVMContext context;
  auto module = core::parseIR(test::SampleIR, "reload", context);
  ASSERT_TRUE(bool(module));
  auto tm = core::createTargetMachine(core::hostTarget(), OptLevel::O2);
  ASSERT_TRUE(bool(tm));
  core::PipelineOptions options;
  ASSERT_EQ(test::errorText(core::optimizeModule(**module, **tm, options)), "");
  auto object = core::emitToString(**module, **tm, core::EmitKind::Object);
  ASSERT_TRUE(bool(object));

  auto jit = test::makeJit();
  ASSERT_TRUE(jit);
  ASSERT_EQ(test::errorText(
                jit->addObject(llvm::MemoryBuffer::getMemBufferCopy(*object))),
            "");
  auto fib = jit->lookupAs<int(int)>("fib");
  ASSERT_TRUE(bool(fib));
  EXPECT_EQ((*fib)(22), 17711);
  EXPECT_EQ(jit->stats().compilations, 0u);
}

// onObject hands over the object of each added module, compiled or from
// the cache; that object, loaded into another engine, runs the same code.
TEST(Jit, OnObjectHandsOverTheCompiledObject) {
  std::vector<std::pair<std::string, std::string>> seen;
  core::JitOptions options;
  options.cache = std::make_shared<core::CompileCache>();
  options.onObject = [&](llvm::StringRef module, llvm::StringRef object) {
    seen.emplace_back(module.str(), object.str());
  };
  for (int round = 0; round < 2; ++round) {
    auto jit = core::Jit::create(options);
    ASSERT_TRUE(bool(jit)) << test::errorText(jit.takeError());
    ASSERT_EQ(
        test::errorText((*jit)->addModule(test::moduleFromIR(test::SampleIR))),
        "");
    ASSERT_TRUE(bool((*jit)->lookup("fib")));
    EXPECT_EQ((*jit)->stats().cacheHits, unsigned(round));
  }
  ASSERT_EQ(seen.size(), 2u) << "one object per engine, compiled then cached";
  EXPECT_EQ(seen[0].second, seen[1].second);
  EXPECT_FALSE(seen[0].first.starts_with("__"));
  auto other = test::makeJit();
  ASSERT_TRUE(other);
  ASSERT_EQ(test::errorText(other->addObject(
                llvm::MemoryBuffer::getMemBufferCopy(seen[0].second))),
            "");
  auto fib = other->lookupAs<int(int)>("fib");
  ASSERT_TRUE(bool(fib));
  EXPECT_EQ((*fib)(20), 6765);
  EXPECT_EQ(other->stats().compilations, 0u);
}

TEST(Jit, InvalidIRIsAClearError) {
  auto jit = test::makeJit();
  ASSERT_TRUE(jit);
  // Parses, but does not verify: the return type is wrong.
  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = std::make_unique<llvm::Module>("broken", *context);
  llvm::IRBuilder<> b(*context);
  auto *fn =
      llvm::Function::Create(llvm::FunctionType::get(b.getInt32Ty(), false),
                             llvm::Function::ExternalLinkage, "f", *module);
  b.SetInsertPoint(llvm::BasicBlock::Create(*context, "entry", fn));
  b.CreateRet(b.getInt64(1));
  std::string text = test::errorText(jit->addModule(
      llvm::orc::ThreadSafeModule(std::move(module), std::move(context))));
  EXPECT_NE(text.find("error: invalid IR in module 'broken'"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Function return type does not match"), std::string::npos)
      << text;
}

TEST(Jit, MissingFunctionIsAClearError) {
  auto jit = test::makeJit();
  ASSERT_TRUE(jit);
  auto missing = jit->lookup("no_such_function");
  ASSERT_FALSE(bool(missing));
  EXPECT_EQ(test::errorText(missing.takeError()),
            "error: symbol 'no_such_function' not found in the JIT");
}

TEST(Jit, UndefinedReferenceIsAClearError) {
  auto jit = test::makeJit();
  ASSERT_TRUE(jit);
  ASSERT_EQ(test::errorText(jit->addModule(test::moduleFromIR(R"(
declare i32 @kiln_test_undefined_symbol(i32)
define i32 @caller(i32 %x) {
  %r = call i32 @kiln_test_undefined_symbol(i32 %x)
  ret i32 %r
})"))),
            "");
  auto caller = jit->lookup("caller");
  ASSERT_FALSE(bool(caller));
  std::string text = test::errorText(caller.takeError());
  EXPECT_NE(text.find("cannot link 'caller': undefined symbols"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("kiln_test_undefined_symbol"), std::string::npos) << text;
}

TEST(Jit, RunsStaticConstructors) {
  auto jit = test::makeJit();
  ASSERT_TRUE(jit);
  ASSERT_EQ(test::errorText(jit->addModule(test::moduleFromIR(R"(
@value = global i32 0
@llvm.global_ctors = appending global [1 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 65535, ptr @init, ptr null }]
define internal void @init() {
  store i32 42, ptr @value
  ret void
}
define i32 @get() {
  %v = load i32, ptr @value
  ret i32 %v
})"))),
            "");
  ASSERT_EQ(test::errorText(jit->initialize()), "");
  auto get = jit->lookupAs<int()>("get");
  ASSERT_TRUE(bool(get));
  EXPECT_EQ((*get)(), 42);
  EXPECT_EQ(test::errorText(jit->deinitialize()), "");
}

TEST(Jit, EightThreadsCompileAndCallAtOnce) {
  auto jit = test::makeJit(OptLevel::O2);
  ASSERT_TRUE(jit);
  constexpr int threads = 8, perThread = 4;
  std::atomic<int> failures{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int k = 0; k < perThread; ++k) {
        int id = t * perThread + k;
        std::string name = "scaled_" + std::to_string(id);
        std::string ir = "define i64 @" + name +
                         "(i64 %x) {\n  %r = mul i64 %x, " +
                         std::to_string(id + 1) + "\n  ret i64 %r\n}\n";
        auto context = std::make_unique<llvm::LLVMContext>();
        auto module = core::parseIR(ir, name, *context);
        if (!module) {
          llvm::consumeError(module.takeError());
          ++failures;
          continue;
        }
        if (auto err = jit->addModule(llvm::orc::ThreadSafeModule(
                std::move(*module), std::move(context)))) {
          llvm::consumeError(std::move(err));
          ++failures;
          continue;
        }
        auto fn = jit->lookupAs<int64_t(int64_t)>(name);
        if (!fn) {
          llvm::consumeError(fn.takeError());
          ++failures;
          continue;
        }
        for (int64_t x = 0; x < 1000; ++x)
          if ((*fn)(x) != x * (id + 1))
            ++failures;
      }
    });
  for (auto &th : pool)
    th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(jit->stats().compilations, uint64_t(threads * perThread));
}

TEST(Jit, SeveralEnginesCoexist) {
  auto a = test::makeJit(OptLevel::O0);
  auto b = test::makeJit(OptLevel::O3);
  ASSERT_TRUE(a && b);
  ASSERT_EQ(test::errorText(a->addModule(test::moduleFromIR(test::SampleIR))),
            "");
  ASSERT_EQ(test::errorText(b->addModule(test::moduleFromIR(test::SampleIR))),
            "");
  auto fa = a->lookupAs<int(int)>("fib");
  auto fb = b->lookupAs<int(int)>("fib");
  ASSERT_TRUE(fa && fb);
  EXPECT_NE((void *)*fa, (void *)*fb);
  EXPECT_EQ((*fa)(18), (*fb)(18));
}

TEST(Jit, PerfMapListsJitFunctions) {
  core::JitOptions options;
  options.perfMap = true;
  auto jit = core::Jit::create(options);
  ASSERT_TRUE(bool(jit));
  ASSERT_EQ(
      test::errorText((*jit)->addModule(test::moduleFromIR(test::SampleIR))),
      "");
  auto fib = (*jit)->lookup("fib");
  ASSERT_TRUE(bool(fib));
  std::string path = "/tmp/perf-" + std::to_string(getpid()) + ".map";
  auto map = llvm::MemoryBuffer::getFile(path);
  ASSERT_TRUE(bool(map)) << path;
  char line[64];
  snprintf(line, sizeof line, "%llx ",
           (unsigned long long)fib->getAddress().getValue());
  EXPECT_NE((*map)->getBuffer().find(line), llvm::StringRef::npos);
  EXPECT_NE((*map)->getBuffer().find(" fib\n"), llvm::StringRef::npos);
  llvm::sys::fs::remove(path);
}

// GDB's JIT interface, as defined by LLVM's JITLoaderGDB (and read by gdb).
extern "C" {
struct jit_code_entry {
  jit_code_entry *next_entry;
  jit_code_entry *prev_entry;
  const char *symfile_addr;
  uint64_t symfile_size;
};
struct jit_descriptor {
  uint32_t version;
  uint32_t action_flag;
  jit_code_entry *relevant_entry;
  jit_code_entry *first_entry;
};
extern jit_descriptor __jit_debug_descriptor;
}

TEST(Jit, GdbRegistrationRegistersObjects) {
  core::JitOptions options;
  options.gdbRegistration = true;
  auto jit = core::Jit::create(options);
  ASSERT_TRUE(bool(jit)) << test::errorText(jit.takeError());
  ASSERT_EQ(
      test::errorText((*jit)->addModule(test::moduleFromIR(test::SampleIR))),
      "");
  auto fib = (*jit)->lookupAs<int(int)>("fib");
  ASSERT_TRUE(bool(fib));
  EXPECT_EQ((*fib)(10), 55);
  ASSERT_NE(__jit_debug_descriptor.first_entry, nullptr);
  EXPECT_GT(__jit_debug_descriptor.first_entry->symfile_size, 0u);
}

// thread_local globals read 0 (general dynamic, clang -fPIC) or failed to
// link with R_X86_64_TPOFF32 (local exec); lli-19 runs both.
TEST(Jit, ThreadLocalsHaveOneCopyPerThread) {
  auto jit = test::makeJit();
  ASSERT_TRUE(jit);
  ASSERT_EQ(test::errorText(jit->addModule(test::moduleFromIR(R"(
@pic = thread_local global i32 41
@local = dso_local thread_local global i32 7
define i32 @bump() {
  %p = call ptr @llvm.threadlocal.address.p0(ptr @pic)
  %l = call ptr @llvm.threadlocal.address.p0(ptr @local)
  %a = load i32, ptr %p
  %a1 = add i32 %a, 1
  store i32 %a1, ptr %p
  %b = load i32, ptr %l
  %b1 = add i32 %b, 100
  store i32 %b1, ptr %l
  %r = mul i32 %a1, 1000
  %s = add i32 %r, %b1
  ret i32 %s
}
declare ptr @llvm.threadlocal.address.p0(ptr)
)"))),
            "");
  auto bump = jit->lookupAs<int()>("bump");
  ASSERT_TRUE(bool(bump)) << test::errorText(bump.takeError());
  EXPECT_EQ((*bump)(), 42107);
  EXPECT_EQ((*bump)(), 43207);
  int other = 0;
  std::thread([&] { other = (*bump)(); }).join();
  EXPECT_EQ(other, 42107) << "a new thread starts from the initial values";
  EXPECT_EQ((*bump)(), 44307);
}

int mainStatus(const std::string &ir, const std::vector<std::string> &args) {
  auto tsm = test::moduleFromIR(ir, "m.ll");
  auto signature =
      tsm.withModuleDo([](llvm::Module &m) { return core::checkMain(m); });
  EXPECT_TRUE(bool(signature)) << test::errorText(signature.takeError());
  if (!signature)
    return -1;
  auto jit = test::makeJit();
  EXPECT_EQ(test::errorText(jit->addModule(std::move(tsm))), "");
  auto main = jit->lookup("main");
  EXPECT_TRUE(bool(main)) << test::errorText(main.takeError());
  return main ? core::callMain(*signature, main->getAddress(), args) : -1;
}

std::string mainError(const std::string &ir) {
  auto tsm = test::moduleFromIR(ir, "m.ll");
  return tsm.withModuleDo([](llvm::Module &m) {
    auto signature = core::checkMain(m);
    return signature ? std::string() : test::errorText(signature.takeError());
  });
}

// main(i32, ptr, ptr) read envp from a random register; void main() and
// double main(double) gave random exit statuses, @main as a global jumped
// into data.
TEST(JitMain, CallsTheMainsLliAccepts) {
  ::setenv("KILN_JITMAIN_TEST", "B", 1);
  EXPECT_EQ(mainStatus(R"(
declare ptr @getenv(ptr)
@name = private constant [18 x i8] c"KILN_JITMAIN_TEST\00"
define i32 @main(i32 %c, ptr %argv, ptr %envp) {
  %first = load ptr, ptr %envp
  %none = icmp eq ptr %first, null
  br i1 %none, label %bad, label %good
good:
  %v = call ptr @getenv(ptr @name)
  %ch = load i8, ptr %v
  %r = zext i8 %ch to i32
  ret i32 %r
bad:
  ret i32 1
}
)",
                       {"m.ll"}),
            'B');
  EXPECT_EQ(mainStatus("define i32 @main(i32 %c, ptr %v) {\n ret i32 %c\n}",
                       {"m.ll", "a", "b"}),
            3);
  EXPECT_EQ(mainStatus("define void @main() {\n ret void\n}", {"m.ll"}), 0);
  EXPECT_EQ(mainStatus("define i64 @main() {\n ret i64 258\n}", {"m.ll"}), 2);
  EXPECT_EQ(mainStatus("define i1 @main() {\n ret i1 true\n}", {"m.ll"}), 1);
}

TEST(JitMain, RefusesOtherMains) {
  EXPECT_EQ(mainError("@main = global i32 0"),
            "error: 'main' in 'm.ll' is a global variable, not a function");
  EXPECT_EQ(mainError("define double @main(double %x) {\n ret double %x\n}"),
            "error: 'main' in 'm.ll' has type 'double (double)': argc must "
            "be i32");
  EXPECT_EQ(mainError("define double @main() {\n ret double 0.0\n}"),
            "error: 'main' in 'm.ll' has type 'double ()': main must return "
            "i32 (or another integer of 1 to 64 bits, or void)");
  EXPECT_EQ(mainError("define i32 @main(i32 %a, i32 %b) {\n ret i32 0\n}"),
            "error: 'main' in 'm.ll' has type 'i32 (i32, i32)': argv must be "
            "ptr");
  EXPECT_EQ(mainError("declare i32 @main()"),
            "error: 'main' is declared but not defined in 'm.ll'");
  EXPECT_EQ(mainError("define i32 @f() {\n ret i32 0\n}"),
            "error: 'main' function not found in 'm.ll'");
}

} // namespace
