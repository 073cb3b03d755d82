// GraphAot: graphs in AOT libraries — what `kiln tensor build` does with a
// file that holds graphs (docs/tensor-graphs.md, "AOT libraries").
//
// A graph runs from C without Kiln: its steps are the library's own
// kernels, its plan is C tables, and a small C runtime in the library
// checks the inputs, plans the temporaries once per set of input shapes in
// a context the caller owns, and copies the results into caller memory.
// No LLVM types in this header.
#pragma once

#include "kiln/tensor/Graph.h"
#include "kiln/tensor/Tensor.h"

#include <string>

namespace kiln::tensor {

/// Writes the shared library `path` with every kernel and graph of
/// `program`, and its C99 header `headerPath` (none when empty), or with
/// options.emit the steps' kernels as IR/asm/object. No partial files on
/// error. Thread-safe as buildSharedLibrary is.
Status buildGraphLibrary(const GraphProgram &program, const std::string &path,
                         const std::string &headerPath,
                         const AotOptions &options = {});

} // namespace kiln::tensor
