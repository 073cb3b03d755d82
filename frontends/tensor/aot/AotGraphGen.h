// AotGraphGen: a graph file's AOT library — the plans of its graphs as C
// tables (AotGraph.h), the entries of each graph, and their header text.
//
// A graph's steps are kernels like any other (elementwise, axis
// reductions, matrix products), so the library holds them as kernels of
// its own, compiled by the kernel path, with entries kept private; what a
// graph adds is its plan as data and the C runtime that runs it
// (AotGraph*.c). See docs/tensor-graphs.md, "AOT libraries".
#pragma once

#include "kiln/tensor/Graph.h"
#include "kiln/tensor/Tensor.h"

#include <functional>
#include <string>

namespace kiln::tensor::aot {

/// What a graph library adds to a kernel library's build (AotBuild.cpp).
struct GraphParts {
  /// The complete wrapper source from the kernels' wrappers.
  std::function<std::string(const std::string &kernelWrappers)> wrapper;
  /// The header, whose last-error function is `guard`_last_error.
  std::function<std::string(const std::string &guard)> header;
  /// The program's last `steps` kernels are the graphs' steps: those that
  /// tableKernel accepts get only their kt_aot_kernel table in the C.
  size_t steps = 0;
};

/// A step kernel the graph runtime calls from its kt_aot_kernel table alone
/// (an elementwise kernel or a whole-array reduction; not a matrix product
/// or an axis reduction, whose C drivers are generated). Aot.cpp.
bool tableKernel(const Kernel &k);

/// Writes the shared library (and header) for `program`'s kernels and
/// graphs, as buildSharedLibrary does for kernels (AotBuild.cpp).
Status buildLibrary(const Program &program, const std::string &path,
                    const std::string &headerPath, const AotOptions &options,
                    const GraphParts *graphs);

} // namespace kiln::tensor::aot
