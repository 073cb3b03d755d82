// Value: the host's view of a Relay value, printed as Relay prints it.
#include "kiln/relay/Value.h"

#include "kiln/runtime/Abi.h"

#include <cassert>

namespace kiln::relay {

const char *valueTypeName(ValueType t) {
  switch (t) {
  case ValueType::Number: return "number";
  case ValueType::Bool: return "bool";
  case ValueType::Array: return "array";
  case ValueType::Void: return "void";
  }
  return "void";
}

double Value::number() const {
  assert(isNumber() && "number() of a value that is not a number");
  return Number;
}

bool Value::boolean() const {
  assert(isBool() && "boolean() of a value that is not a bool");
  return Bool;
}

const std::vector<double> &Value::array() const {
  assert(isArray() && "array() of a value that is not an array");
  return Array;
}

namespace {
std::string format(double v) {
  char text[32];
  int n = kiln_rt_format_f64(text, sizeof text, v);
  return std::string(text, size_t(n));
}
} // namespace

std::string toString(const Value &value) {
  switch (value.type()) {
  case ValueType::Number: return format(value.number());
  case ValueType::Bool: return value.boolean() ? "true" : "false";
  case ValueType::Void: return "";
  case ValueType::Array: break;
  }
  std::string text = "[";
  for (size_t i = 0; i < value.array().size(); ++i)
    text += (i ? ", " : "") + format(value.array()[i]);
  return text + "]";
}

} // namespace kiln::relay
