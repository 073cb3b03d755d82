// Json: a small JSON reader for the description `getJSONmydsp()` returns.
//
// Faust describes each DSP (struct size, inputs, outputs, metadata, UI items
// with byte offsets) as JSON. This reader covers the whole JSON grammar with
// no dependency; malformed text is an error string, never an exception.
#pragma once

#include <string>
#include <vector>

namespace kiln::faust::json {

struct Value {
  enum class Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object
  } kind = Kind::Null;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Value> array;
  /// Object members in document order (Faust's metadata order matters):
  /// keys[i] names members[i].
  std::vector<std::string> keys;
  std::vector<Value> members;

  /// The member `key`, or null when absent or not an object.
  const Value *get(const std::string &key) const;
  /// Member as number/string, with a default when absent or of another kind.
  double numberOr(const std::string &key, double fallback) const;
  std::string stringOr(const std::string &key,
                       const std::string &fallback) const;
};

/// Parses `text`; on failure returns false and sets `error` (with offset).
bool parse(const std::string &text, Value &out, std::string &error);

} // namespace kiln::faust::json
