// HugeBlocks: an enormous straight-line block is cut into pieces, each moved
// into a function of its own that is selected as at -O0.
//
// LLVM's SelectionDAG works on one basic block at a time, and parts of code
// generation (the DAG combiner's store merging, the machine scheduler's
// memory dependences, the greedy allocator around calls, the constant pool)
// grow faster than linearly in a block's or a function's size: a Relay
// function whose 30,000-element array literal is one block of stores took
// over 150 s at -O1, a user's "hang". After the IR optimiser, such a block
// is cut every 1,024 instructions and each piece becomes an internal
// `optnone` function called in its place: the -O0 selector (FastISel) and
// the passes that skip `optnone` are linear, each piece is small, and the
// rest of the function (a hot loop beside the block) keeps full code
// generation. Code that long and branch-free runs once per pass anyway.
#pragma once

namespace llvm {
class Module;
} // namespace llvm

namespace kiln::core {

/// Limits on one basic block before it is cut into pieces. Ordinary code
/// stays far below. A block on a cycle of the CFG (a loop body) runs many
/// times, where a call per piece and -O0 selection would cost more, so it
/// has more room: Debian's Faust examples reach 4,834 instructions and 860
/// stores and calls in one sample loop after -O3 (fdnRev.dsp).
struct HugeBlockLimits {
  /// Instructions in one block, and in one loop body.
  unsigned instructions = 8192;
  unsigned loopInstructions = 32768;
  /// Stores and real calls (the operations that chain memory and clobber
  /// registers, and the superlinear part: 2,000 vector stores in a loop
  /// body took 5 s at -O2), in one block and in one loop body.
  unsigned memoryWrites = 1024;
  unsigned loopMemoryWrites = 2048;
};

/// Cuts every block over `limits` in every defined function into outlined
/// `optnone` pieces; a function with a piece that cannot move (too many
/// values flowing through it, an alloca) becomes `optnone` as a whole.
/// Returns how many functions had such a block. Run after the optimiser:
/// the IR is optimised as usual; only code generation changes.
unsigned selectHugeBlocksCheaply(llvm::Module &module,
                                 const HugeBlockLimits &limits = {});

} // namespace kiln::core
