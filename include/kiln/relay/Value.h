// Value: a Relay value as a host passes it to a function and gets it back.
//
// A number, a bool or an array of doubles (or nothing, from a function that
// returns no value). Arrays are copied into the program for a call and the
// result is copied out, so a host's vectors never alias the program's.
// LLVM-free.
#pragma once

#include <concepts>
#include <string>
#include <type_traits>
#include <vector>

namespace kiln::relay {

enum class ValueType { Number, Bool, Array, Void };
const char *valueTypeName(ValueType t); ///< "number", "bool", "array", "void"

class Value {
public:
  Value() = default; ///< no value (a function that returns nothing)
  Value(bool b) : Type(ValueType::Bool), Bool(b) {}
  /// Any arithmetic type but bool is a number: Value(40), Value(2.5f).
  template <typename T>
  requires std::is_arithmetic_v<T> &&(!std::same_as<T, bool>)Value(T n)
      : Type(ValueType::Number), Number(double(n)) {}
  Value(std::vector<double> a) : Type(ValueType::Array), Array(std::move(a)) {}
  Value(const char *) = delete; ///< Relay has no string values

  ValueType type() const { return Type; }
  bool isNumber() const { return Type == ValueType::Number; }
  bool isBool() const { return Type == ValueType::Bool; }
  bool isArray() const { return Type == ValueType::Array; }
  bool isVoid() const { return Type == ValueType::Void; }
  /// The value; asserts that it is of that type.
  double number() const;
  bool boolean() const;
  const std::vector<double> &array() const;

  friend bool operator==(const Value &, const Value &) = default;

private:
  ValueType Type = ValueType::Void;
  bool Bool = false;
  double Number = 0;
  std::vector<double> Array;
};

/// As Relay's `print` writes it: "42", "2.5", "true", "[1, 2]"; "" for void.
std::string toString(const Value &value);

} // namespace kiln::relay
