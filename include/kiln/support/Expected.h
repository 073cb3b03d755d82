// Expected: a value or the diagnostics that explain why there is none.
//
// The result type of every fallible call in Kiln's public C++ API. A small
// class of our own rather than std::expected: Kiln's public headers stay
// C++20 for embedders, and libstdc++ 12 (Debian 12) offers std::expected only
// under -std=c++23. The shape follows std::expected (operator bool, *, ->,
// value()) so moving to it later is mechanical. LLVM-free.
#pragma once

#include "kiln/support/Diagnostic.h"

#include <cassert>
#include <optional>
#include <utility>

namespace kiln {

template <typename T> class [[nodiscard]] Expected {
public:
  Expected(T value) : Value(std::move(value)) {}
  /// A failure; `diags` must hold at least one error.
  Expected(Diagnostics diags) : Diags(std::move(diags)) {
    assert(!Diags.empty() && "a failed Expected needs a diagnostic");
  }
  Expected(Diagnostic diag) : Diags{std::move(diag)} {}

  explicit operator bool() const { return Value.has_value(); }
  bool ok() const { return Value.has_value(); }
  T &operator*() { return value(); }
  const T &operator*() const { return value(); }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }
  T &value() {
    assert(Value && "value() of a failed Expected");
    return *Value;
  }
  const T &value() const {
    assert(Value && "value() of a failed Expected");
    return *Value;
  }
  /// Why there is no value (empty on success).
  const Diagnostics &diagnostics() const { return Diags; }
  Diagnostics takeDiagnostics() { return std::move(Diags); }

private:
  std::optional<T> Value;
  Diagnostics Diags;
};

/// Success or diagnostics, for calls that return nothing else.
template <> class [[nodiscard]] Expected<void> {
public:
  Expected() = default;
  Expected(Diagnostics diags) : Diags(std::move(diags)) {
    assert(!Diags.empty() && "a failed Expected needs a diagnostic");
  }
  Expected(Diagnostic diag) : Diags{std::move(diag)} {}
  explicit operator bool() const { return Diags.empty(); }
  bool ok() const { return Diags.empty(); }
  const Diagnostics &diagnostics() const { return Diags; }
  Diagnostics takeDiagnostics() { return std::move(Diags); }

private:
  Diagnostics Diags;
};

using Status = Expected<void>;

} // namespace kiln
