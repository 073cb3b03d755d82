// AotEntry: the generated C text every AOT wrapper of a planned kernel
// (axis reductions, matrix products) shares — its parameter table and the
// exported entry that packs the C arguments for the plan's runner.
#pragma once

#include "kiln/tensor/Ast.h"

#include <string>
#include <vector>

namespace kiln::tensor::aot {

/// `static const kt_param_desc <var>[]`: k's parameters.
std::string paramsTable(const Kernel &k, const std::string &var);

/// The exported entry `prototype` (parameters `names`, C spellings): packs
/// the arrays and scalar bits and returns `call(&object, arrays, scalars,
/// out, result)`.
std::string exportedEntry(const Kernel &k, const std::string &prototype,
                          const std::vector<std::string> &names,
                          const std::string &call, const std::string &object);

} // namespace kiln::tensor::aot
