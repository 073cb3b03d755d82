// RunArgs: what `kiln tensor run` checks before it measures — the kernel
// chosen from a program and the --shape overrides of its array parameters.
//
// Beside Measure.h so the tool only declares flags and renders results.
// Errors are kiln::Diagnostics without location; ErrorKind::InvalidArgument
// marks a misuse of the command (the tool exits 2), anything else exits 1.
#pragma once

#include "Measure.h"

#include "kiln/tensor/Ast.h"

#include <functional>
#include <string>

namespace kiln::tensor::harness {

/// Reads one dimension (the caller's number syntax, e.g. 1e6); false if not
/// a whole number.
using DimParser = std::function<bool(const std::string &, int64_t &)>;

/// "NAME=D0xD1.." (1 to 4 non-negative dimensions, at most 2^60 elements)
/// as an override; InvalidArgument naming --shape when malformed.
Expected<ShapeOverrides::value_type>
parseShapeOverride(const std::string &text, const DimParser &parseDim);

/// The kernel called `name` in `program` (read from `file`), or its only
/// kernel when `name` is empty, with `shapes` checked against it;
/// InvalidArgument when `name` is needed or checkShapes fails.
Expected<const Kernel *> chooseKernel(const Program &program,
                                      const std::string &name,
                                      const std::string &file,
                                      const ShapeOverrides &shapes = {});

/// Fails (InvalidArgument) when an override names no array parameter of `k`
/// or names one twice.
Status checkShapes(const Kernel &k, const ShapeOverrides &shapes);

} // namespace kiln::tensor::harness
