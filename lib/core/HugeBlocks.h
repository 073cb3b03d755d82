// HugeBlocks: functions with one enormous straight-line block get the -O0
// instruction selector, after the IR optimiser has run on them.
//
// LLVM's SelectionDAG works on one basic block at a time, and parts of it
// (the DAG combiner's store merging, the machine scheduler's memory
// dependences, the greedy allocator around calls) grow faster than linearly
// in the block's size: a Relay function whose 20,000-element array literal
// is one block of stores took over a minute at -O1, a user's "hang". The -O0
// selector (FastISel) and the passes that skip `optnone` functions are
// linear, so such a function compiles in milliseconds; its IR is still
// optimised, and code that long and branch-free runs once per call anyway.
#pragma once

namespace llvm {
class Module;
} // namespace llvm

namespace kiln::core {

/// Limits on one basic block before its function is selected as at -O0.
/// Ordinary code, including large Faust sample loops, stays far below.
struct HugeBlockLimits {
  /// Instructions in one block.
  unsigned instructions = 8192;
  /// Stores and calls in one block (the operations that chain memory).
  unsigned memoryWrites = 1024;
};

/// Marks `optnone noinline` every defined function with a block over
/// `limits` (dropping the attributes optnone excludes); returns how many.
/// Run after the optimiser: the attribute then only affects code generation.
unsigned selectHugeBlocksCheaply(llvm::Module &module,
                                 const HugeBlockLimits &limits = {});

} // namespace kiln::core
