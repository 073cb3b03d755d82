// Limits: the sizes the tensor front end refuses to go beyond, shared by the
// parser, sema and the executors so every mode rejects the same kernels.
//
// Every walker over a kernel body (sema, printer, irgen, both reference
// executors, the tree's destructor) recurses once per level of nesting, so
// the parser and typeCheck bound the depth well within a thread's stack,
// also under AddressSanitizer.
#pragma once

#include <cstdint>
#include <string>

namespace kiln::tensor::syntax {

/// Levels of parentheses, calls, unary operators and binary operators (each
/// operator of a chain `a + b + c` is one level) in one kernel body.
constexpr unsigned kMaxNesting = 1000;

/// Parameters of one kernel (the executors keep one bit per parameter).
constexpr unsigned kMaxParams = 60;

/// Elements of one array or of a call's broadcast shape: their bytes (at
/// most 8 each) and every index then fit in an int64_t.
constexpr int64_t kMaxElements = int64_t(1) << 60;

/// The product of `rank` dimensions (each >= 0), or -1 when it exceeds
/// kMaxElements (a zero dimension makes it 0 whatever the others are).
inline int64_t elementCount(const int64_t *shape, int rank) {
  int64_t n = 1;
  for (int d = 0; d < rank; ++d)
    if (shape[d] == 0)
      return 0;
  for (int d = 0; d < rank; ++d)
    if (__builtin_mul_overflow(n, shape[d], &n) || n > kMaxElements)
      return -1;
  return n;
}

/// The diagnostic at the first parameter beyond kMaxParams.
inline std::string tooManyParams(const std::string &kernel) {
  return "kernel '" + kernel + "' has more than " + std::to_string(kMaxParams) +
         " parameters";
}

/// The diagnostic for a body deeper than kMaxNesting.
inline std::string nestingTooDeep() {
  return "expression nesting too deep: more than " +
         std::to_string(kMaxNesting) +
         " levels (each operator of a chain like a + b + c counts as one)";
}

} // namespace kiln::tensor::syntax
