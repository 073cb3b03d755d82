// EmitTest: objects for several targets are ELF for the right machine; asm,
// bitcode and IR come out; failures leave no file behind.
#include "TestUtil.h"

#include "kiln/core/Emit.h"
#include "kiln/core/IRFile.h"
#include "kiln/core/Target.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Target/TargetMachine.h"

#include <elf.h>

using namespace kiln;
using core::OptLevel;

namespace {

std::string emitFor(const std::string &triple, core::EmitKind kind) {
  llvm::LLVMContext context;
  auto module = core::parseIR(test::SampleIR, "emit", context);
  EXPECT_TRUE(bool(module));
  auto spec = core::targetFromTriple(triple);
  EXPECT_TRUE(bool(spec));
  auto tm = core::createTargetMachine(*spec, OptLevel::O2);
  EXPECT_TRUE(bool(tm));
  auto out = core::emitToString(**module, **tm, kind);
  EXPECT_TRUE(bool(out));
  return *out;
}

uint16_t elfMachine(const std::string &object) {
  EXPECT_GE(object.size(), sizeof(Elf64_Ehdr));
  EXPECT_EQ(object.substr(0, 4), "\x7f"
                                 "ELF");
  Elf64_Ehdr header;
  memcpy(&header, object.data(), sizeof header);
  EXPECT_EQ(header.e_type, ET_REL);
  return header.e_machine;
}

TEST(Emit, X86_64ObjectIsElfForX86_64) {
  EXPECT_EQ(elfMachine(emitFor("x86_64-linux-gnu", core::EmitKind::Object)),
            EM_X86_64);
}

TEST(Emit, AArch64ObjectIsElfForAArch64) {
  EXPECT_EQ(elfMachine(emitFor("aarch64-linux-gnu", core::EmitKind::Object)),
            EM_AARCH64);
}

TEST(Emit, RiscV64ObjectIsElfForRiscV) {
  EXPECT_EQ(elfMachine(emitFor("riscv64-linux-gnu", core::EmitKind::Object)),
            EM_RISCV);
}

TEST(Emit, AssemblyBitcodeAndIR) {
  std::string x86 = emitFor("x86_64-linux-gnu", core::EmitKind::Assembly);
  EXPECT_NE(x86.find("fib:"), std::string::npos);
  EXPECT_NE(x86.find("ret"), std::string::npos);
  std::string arm = emitFor("aarch64-linux-gnu", core::EmitKind::Assembly);
  EXPECT_NE(arm.find("fib:"), std::string::npos);
  EXPECT_NE(arm.find("ret"), std::string::npos);
  std::string bc = emitFor("x86_64-linux-gnu", core::EmitKind::Bitcode);
  EXPECT_EQ(bc.substr(0, 4), std::string("BC\xc0\xde", 4));
  std::string ll = emitFor("aarch64-linux-gnu", core::EmitKind::IR);
  EXPECT_NE(ll.find("target triple = \"aarch64-unknown-linux-gnu\""),
            std::string::npos);
  EXPECT_NE(ll.find("define"), std::string::npos);

  // Bitcode reads back to a module with the same functions.
  llvm::LLVMContext context;
  auto back = core::parseIR(bc, "roundtrip.bc", context);
  ASSERT_TRUE(bool(back));
  EXPECT_NE((*back)->getFunction("fib"), nullptr);
}

TEST(Emit, ParsesEmitKinds) {
  EXPECT_EQ(core::parseEmitKind("obj"), core::EmitKind::Object);
  EXPECT_EQ(core::parseEmitKind("asm"), core::EmitKind::Assembly);
  EXPECT_EQ(core::parseEmitKind("bc"), core::EmitKind::Bitcode);
  EXPECT_EQ(core::parseEmitKind("ll"), core::EmitKind::IR);
  EXPECT_EQ(core::parseEmitKind("exe"), std::nullopt);
}

TEST(Emit, UnwritablePathIsAnErrorAndLeavesNothing) {
  llvm::LLVMContext context;
  auto module = core::parseIR(test::SampleIR, "emit", context);
  ASSERT_TRUE(bool(module));
  auto tm = core::createTargetMachine(core::hostTarget(), OptLevel::O0);
  ASSERT_TRUE(bool(tm));
  std::string path = "/nonexistent-dir/out.o";
  std::string text = test::errorText(
      core::emitToFile(**module, **tm, core::EmitKind::Object, path));
  EXPECT_NE(text.find("error: cannot write '/nonexistent-dir/out.o'"),
            std::string::npos)
      << text;
  EXPECT_FALSE(llvm::sys::fs::exists(path));
}

TEST(Emit, AtomicWriteReplacesWholeFile) {
  std::string dir = test::freshTempDir("emit");
  std::string path = dir + "/file.txt";
  ASSERT_EQ(test::errorText(core::writeOutputFile(path, "first version")), "");
  ASSERT_EQ(test::errorText(core::writeOutputFile(path, "2")), "");
  auto buffer = llvm::MemoryBuffer::getFile(path);
  ASSERT_TRUE(bool(buffer));
  EXPECT_EQ((*buffer)->getBuffer(), "2");
  std::error_code ec;
  int entries = 0;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec))
    ++entries;
  EXPECT_EQ(entries, 1) << "no temporary files may remain";
  llvm::sys::fs::remove_directories(dir);
}

} // namespace
