// relay_fuzz: the Relay front end and interpreter on arbitrary source text.
//
// Lexer -> parser -> sema, and for programs that pass, the bytecode
// interpreter under a small deterministic step budget and a low call-depth
// limit (the fuzzer runs on the main thread's 8 MiB stack, not on the sized
// thread the driver uses). Any crash, sanitizer report, leak or hang is a
// defect: the front end must turn every input into diagnostics.
#include "FuzzSupport.h"

#include "relay/interp/Interpreter.h"
#include "relay/syntax/Lexer.h"
#include "relay/syntax/Parser.h"
#include "relay/syntax/Sema.h"

#include "kiln/runtime/Abi.h"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace kiln::relay;

namespace {

/// Function entries and loop iterations one input may run. 2,000 reaches
/// the same coverage as 20,000 (cov 2,730 either way on this corpus) at a
/// third more executions per second: a runaway loop costs 10x less.
constexpr uint64_t kStepBudget = 2000;

void interpret(const Program &program) {
  size_t mark = kiln_rt_arena_mark();
  {
    Interpreter interp(program);
    interp.setStepLimit(kStepBudget);
    RuntimeError error;
    interp.run(error);
  }
  kiln_rt_arena_release(mark);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  kiln::fuzz::silenceStdout();
  kiln_rt_max_depth = 200;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string source(reinterpret_cast<const char *>(data), size);
  DiagList diags;
  dumpTokens(lex(source, diags));
  diags.clear();
  auto program = parseProgram("fuzz.relay", source, diags);
  // As the driver does: sema only for a tree that parsed.
  if (!program || !diags.empty() || !analyze(*program, diags))
    return 0;
  dumpAST(*program);
  interpret(*program);
  return 0;
}
