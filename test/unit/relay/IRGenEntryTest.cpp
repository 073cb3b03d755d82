// IRGenEntryTest: the `.entry` slot ABI hosts call compiled Relay through,
// and the `main` an executable gets: eight-byte slots for every type, the
// depth a host hands in, and the max depth baked into main.
#include "IRGenTestUtil.h"
#include "JitRunUtil.h"
#include "relay/interp/Interpreter.h"

#include "kiln/core/IRHelpers.h"
#include "kiln/core/Jit.h"
#include "kiln/runtime/Abi.h"

#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace kiln::relay {
namespace {

using core::OptLevel;
using test::ArenaScope;
using test::compile;
using test::errorText;
using test::jitProgram;

// A host (the interpreter, the router) calls `.entry` at the depth it
// counts in kiln_rt_depth; the callee is one level deeper.
TEST(RelayIRGen, EntryWrapperStartsFromTheInterpreterDepth) {
  ArenaScope arena;
  auto program = compile("fn d(n) { if n == 0 { return 0 }; return d(n - 1) "
                         "+ 1 }\nprint(d(1))");
  auto jit = jitProgram(*program, OptLevel::O2);
  ASSERT_TRUE(jit);
  auto entry = jit->lookupAs<void(const Slot *, Slot *)>("relay.d.entry");
  ASSERT_TRUE(bool(entry));
  struct Call {
    void (*entry)(const Slot *, Slot *);
    Slot args[1], ret;
  };
  auto run = [&](double n) {
    Call call{*entry, {}, {}};
    call.args[0].number = n;
    auto body = [](void *c) {
      auto *call = static_cast<Call *>(c);
      call->entry(call->args, &call->ret);
    };
    kiln_rt_trap_info info;
    return kiln_rt_call_guarded(body, &call, &info) == 0;
  };
  int32_t savedMax = kiln_rt_max_depth, savedDepth = kiln_rt_depth;
  kiln_rt_max_depth = 50;
  kiln_rt_depth = 40;
  EXPECT_TRUE(run(9)) << "depths 41..50";
  EXPECT_FALSE(run(10)) << "depth 51";
  EXPECT_EQ(kiln_rt_depth, 40) << "the host's count is left alone";
  kiln_rt_max_depth = savedMax;
  kiln_rt_depth = savedDepth;
}

TEST(RelayIRGen, EntryWrappersUseEightByteSlots) {
  ArenaScope arena;
  auto program = compile(
      "fn pick(a: array, b: bool, x) -> number { if b { return a[0] + x }; "
      "return x }\nfn flip(b: bool) -> bool { return !b }\n"
      "fn make(n) -> array { return [n, n] }\nprint(pick([1], flip(true), 2), "
      "make(1))");
  auto jit = jitProgram(*program, OptLevel::O2);
  ASSERT_TRUE(jit);
  using Entry = void(const Slot *, Slot *);
  auto pick = jit->lookupAs<Entry>("relay.pick.entry");
  auto flip = jit->lookupAs<Entry>("relay.flip.entry");
  auto make = jit->lookupAs<Entry>("relay.make.entry");
  ASSERT_TRUE(pick && flip && make);
  kiln_rt_array *array = kiln_rt_array_new(1);
  array->data[0] = 40;
  Slot args[3], ret{};
  args[0].array = array;
  args[1].boolean = 1;
  args[2].number = 2;
  (*pick)(args, &ret);
  EXPECT_EQ(ret.number, 42);
  args[0].boolean = 0;
  (*flip)(args, &ret);
  EXPECT_EQ(ret.boolean, 1);
  args[0].number = 3;
  (*make)(args, &ret);
  auto *made = static_cast<kiln_rt_array *>(ret.array);
  ASSERT_EQ(made->length, 2);
  EXPECT_EQ(made->data[1], 3);
}

TEST(RelayIRGen, ExecutableMainRunsTheProgram) {
  auto program = compile("print(\"hello\", kiln_depth())\n"
                         "fn kiln_depth() { return 7 }");
  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = generateProgram(*program, *context);
  ASSERT_TRUE(bool(module)) << errorText(module.takeError());
  addExecutableMain(**module, 0, 1234);
  ASSERT_EQ(errorText(core::verifyModule(**module)), "");
  auto jit = core::Jit::create();
  ASSERT_TRUE(bool(jit)) << errorText(jit.takeError());
  ASSERT_EQ(errorText((*jit)->addModule(llvm::orc::ThreadSafeModule(
                std::move(*module), std::move(context)))),
            "");
  auto main = (*jit)->lookupAs<int(int, char **)>("main");
  ASSERT_TRUE(bool(main)) << errorText(main.takeError());
  int32_t saved = kiln_rt_max_depth;
  testing::internal::CaptureStdout();
  int status = (*main)(0, nullptr);
  std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(kiln_rt_max_depth, 1234);
  kiln_rt_max_depth = saved;
  EXPECT_EQ(status, 0);
  EXPECT_EQ(out, "hello 7\n");
}

} // namespace
} // namespace kiln::relay
