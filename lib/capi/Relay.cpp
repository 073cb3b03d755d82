// Relay.cpp: the C API over Relay (include/kiln/c/relay.h).
//
// A kiln_relay_program wraps a relay::CompiledProgram compiled with the
// engine's opt level and cache setting; kiln_value converts to and from
// relay::Value at each call (arrays are copied both ways, a result array is
// malloc'd so that kiln_value_clear frees it). Relay's runtime keeps its call
// depth and timeout flag process-wide, so CompiledProgram allows one run or
// call at a time in the whole process: this layer holds one process-wide
// mutex around every run and call, which is what makes kiln.h's promise
// ("a program may be shared; Relay calls are serialised") true.
#include "Engine.h"

#include "kiln/relay/CompiledProgram.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

/// A compiled program; keeps its engine alive.
struct kiln_relay_program {
  std::shared_ptr<kiln::capi::EngineState> state;
  kiln::relay::CompiledProgram program;
  std::vector<kiln::relay::FunctionInfo> functions; ///< names are borrowed
};

namespace kiln::capi {
namespace {

/// Serialises every Relay run and call in the process (see the file
/// comment): the runtime's depth count and timeout flag are global.
std::mutex &relayMutex() {
  static std::mutex mutex;
  return mutex;
}

/// True while a print callback runs, on the thread running the Relay code:
/// a run or call from inside it would wait forever for the Relay lock.
thread_local bool insidePrint = false;

kiln_error *invalid(const char *function, const std::string &message) {
  return makeError(KILN_ERROR_INVALID_ARGUMENT,
                   std::string(function) + ": " + message);
}

/// The C options as RunOptions at the engine's opt level and cache setting.
kiln_error *toRunOptions(const kiln_relay_options &in, const EngineState &state,
                         relay::RunOptions &out) {
  switch (in.mode) {
  case KILN_RELAY_AUTO: out.mode = relay::Mode::Auto; break;
  case KILN_RELAY_INTERP: out.mode = relay::Mode::Interp; break;
  case KILN_RELAY_JIT: out.mode = relay::Mode::Jit; break;
  default:
    return invalid("kiln_relay_compile",
                   "mode " + std::to_string(int(in.mode)) +
                       " is not KILN_RELAY_AUTO, _INTERP or _JIT");
  }
  if (!(in.timeout_seconds >= 0) || std::isinf(in.timeout_seconds))
    return invalid("kiln_relay_compile",
                   "timeout_seconds must be a finite number >= 0");
  if (in.max_depth < 1) // Relay would quietly use its default instead
    return invalid("kiln_relay_compile", "max_depth " +
                                             std::to_string(in.max_depth) +
                                             " must be at least 1");
  out.level = state.level;
  out.cache = state.cache;
  out.timeoutSeconds = in.timeout_seconds;
  out.maxDepth = in.max_depth;
  if (kiln_print_fn print = in.print) {
    void *user = in.print_user_data;
    out.print = [print, user](std::string_view text) {
      struct Inside { // restored also if the callback throws (C++ hosts)
        bool outer = std::exchange(insidePrint, true);
        ~Inside() { insidePrint = outer; }
      } inside;
      print(user, text.data(), text.size());
    };
  }
  return nullptr;
}

/// Refuses a run or call made from inside a print callback.
kiln_error *notFromPrint() {
  if (!insidePrint)
    return nullptr;
  return invalid(currentEntry,
                 "called from a print callback, which runs while the "
                 "process-wide Relay lock is held (it would wait forever)");
}

kiln_value_type typeOf(relay::ValueType type) {
  switch (type) {
  case relay::ValueType::Number: return KILN_VALUE_NUMBER;
  case relay::ValueType::Bool: return KILN_VALUE_BOOL;
  case relay::ValueType::Array: return KILN_VALUE_ARRAY;
  case relay::ValueType::Void: break;
  }
  return KILN_VALUE_VOID;
}

/// Argument `index` as a relay::Value; a void, unknown or NULL-array value
/// is an InvalidArgument error.
kiln_error *toValue(const kiln_value &in, size_t index, relay::Value &out) {
  std::string what = "argument " + std::to_string(index + 1);
  switch (in.type) {
  case KILN_VALUE_NUMBER: out = relay::Value(in.number); return nullptr;
  case KILN_VALUE_BOOL: out = relay::Value(in.boolean != 0); return nullptr;
  case KILN_VALUE_ARRAY:
    if (!in.array && in.length)
      return invalid("kiln_relay_call", what + ": array is NULL but length " +
                                            std::to_string(in.length));
    if (in.length > std::vector<double>().max_size())
      return invalid("kiln_relay_call", what + ": length " +
                                            std::to_string(in.length) +
                                            " is more than an array can hold");
    out = relay::Value(std::vector<double>(in.array, in.array + in.length));
    return nullptr;
  case KILN_VALUE_VOID:
    return invalid("kiln_relay_call", what + " is KILN_VALUE_VOID");
  }
  return invalid("kiln_relay_call",
                 what + " has an unknown type " + std::to_string(int(in.type)));
}

/// A call's result as a kiln_value; an array is malloc'd (freed by
/// kiln_value_clear).
kiln_error *fromValue(const relay::Value &in, kiln_value &out) {
  kiln_value value{typeOf(in.type()), 0, 0, nullptr, 0};
  if (in.isNumber())
    value.number = in.number();
  else if (in.isBool())
    value.boolean = in.boolean() ? 1 : 0;
  else if (in.isArray()) {
    const std::vector<double> &a = in.array();
    value.array = static_cast<double *>(
        std::malloc(std::max<size_t>(1, a.size()) * sizeof(double)));
    if (!value.array)
      return makeError(KILN_ERROR_OTHER,
                       "kiln_relay_call: out of memory for the result array");
    if (!a.empty())
      std::memcpy(value.array, a.data(), a.size() * sizeof(double));
    value.length = a.size();
  }
  out = value;
  return nullptr;
}

/// The arguments of a call of `name` as Values. Only a call with the
/// function's arity reads the caller's values: for an unknown name or
/// another count, CompiledProgram::call words the error (located at the
/// function) from the name and the count alone, so nothing past the
/// caller's array is read.
kiln_error *toValues(const kiln_relay_program &program, const char *name,
                     const kiln_value *args, size_t count,
                     std::vector<relay::Value> &values) {
  const relay::FunctionInfo *f = nullptr;
  for (const relay::FunctionInfo &info : program.functions)
    if (info.name == name)
      f = &info;
  if (!f)
    return nullptr;
  if (count != f->params.size() && count > 4096)
    return invalid("kiln_relay_call", "'" + f->name + "' takes " +
                                          std::to_string(f->params.size()) +
                                          " arguments, not " +
                                          std::to_string(count));
  values.resize(count);
  for (size_t i = 0; i < count && count == f->params.size(); ++i)
    if (kiln_error *error = toValue(args[i], i, values[i]))
      return error;
  return nullptr;
}

} // namespace
} // namespace kiln::capi

using namespace kiln::capi;
using namespace kiln;

KILN_API kiln_error *kiln_relay_compile(kiln_engine *engine, const char *file,
                                        const char *source, size_t size,
                                        const kiln_relay_options *options,
                                        kiln_relay_program **out) {
  return guard(__func__, [&]() -> kiln_error * {
    KILN_REQUIRE(engine);
    KILN_REQUIRE(source || size == 0);
    KILN_REQUIRE(out);
    if (kiln_error *error = requireHost(*engine->state, "kiln_relay_compile"))
      return error;
    const kiln_relay_options defaults = KILN_RELAY_OPTIONS_INIT;
    relay::RunOptions run;
    if (kiln_error *error =
            toRunOptions(options ? *options : defaults, *engine->state, run))
      return error;
    auto compiled = relay::CompiledProgram::compile(
        file && *file ? file : "<input>",
        std::string(source ? source : "", size), run);
    if (!compiled)
      return errorOf(compiled);
    auto functions = compiled->functions();
    *out = new kiln_relay_program{engine->state, std::move(*compiled),
                                  std::move(functions)};
    return nullptr;
  });
}

KILN_API void kiln_relay_program_free(kiln_relay_program *program) {
  delete program;
}

KILN_API kiln_error *kiln_relay_run(kiln_relay_program *program) {
  return guard(__func__, [&]() -> kiln_error * {
    KILN_REQUIRE(program);
    if (kiln_error *error = notFromPrint())
      return error;
    std::lock_guard<std::mutex> lock(relayMutex());
    Status ran = program->program.run();
    return errorOf(ran);
  });
}

KILN_API kiln_error *kiln_relay_call(kiln_relay_program *program,
                                     const char *name, const kiln_value *args,
                                     size_t count, kiln_value *result) {
  return guard(__func__, [&]() -> kiln_error * {
    KILN_REQUIRE(program);
    KILN_REQUIRE(name);
    KILN_REQUIRE(args || count == 0);
    if (kiln_error *error = notFromPrint())
      return error;
    std::vector<relay::Value> values;
    if (kiln_error *error = toValues(*program, name, args, count, values))
      return error;
    std::unique_lock<std::mutex> lock(relayMutex());
    auto called = program->program.call(name, values);
    lock.unlock();
    if (!called)
      return errorOf(called);
    return result ? fromValue(*called, *result) : nullptr;
  });
}

KILN_API void kiln_value_clear(kiln_value *value) {
  if (!value)
    return;
  if (value->type == KILN_VALUE_ARRAY)
    std::free(value->array);
  *value = kiln_value{KILN_VALUE_VOID, 0, 0, nullptr, 0};
}

KILN_API size_t kiln_relay_function_count(const kiln_relay_program *program) {
  return program ? program->functions.size() : 0;
}

KILN_API kiln_error *kiln_relay_function_info(const kiln_relay_program *program,
                                              size_t index, const char **name,
                                              size_t *params,
                                              kiln_value_type *param_types,
                                              size_t capacity,
                                              kiln_value_type *result) {
  return guard(__func__, [&]() -> kiln_error * {
    KILN_REQUIRE(program);
    if (index >= program->functions.size())
      return makeError(KILN_ERROR_INVALID_ARGUMENT,
                       "kiln_relay_function_info: index " +
                           std::to_string(index) + " is out of range (" +
                           std::to_string(program->functions.size()) +
                           " functions)");
    const relay::FunctionInfo &f = program->functions[index];
    if (name)
      *name = f.name.c_str();
    if (params)
      *params = f.params.size();
    for (size_t i = 0; param_types && i < f.params.size() && i < capacity; ++i)
      param_types[i] = typeOf(f.params[i]);
    if (result)
      *result = typeOf(f.result);
    return nullptr;
  });
}
