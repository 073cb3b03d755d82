// CompiledProgram: the embedding API over the three executors (Executor.h).
//
// Every run and call happens on a thread whose stack holds the depth limit,
// with the guards set, the runtime's array arena marked and released, and
// print output sent to the host's sink. Values cross as slots: arrays are
// copied into the arena for the call and the result copied out of it.
#include "kiln/relay/CompiledProgram.h"

#include "DriverSupport.h"
#include "Executor.h"

#include <algorithm>
#include <cstring>
#include <optional>

namespace kiln::relay {

struct CompiledProgram::Impl {
  RunOptions Options;
  std::unique_ptr<Program> Ast;
  std::unique_ptr<Executor> Exec; ///< after Ast: it refers to it

  const FuncDecl *find(std::string_view name) const;
  Status onProgramThread(const std::function<Status()> &body);
};

namespace {

ValueType valueTypeOf(Type t) {
  switch (t) {
  case Type::Number: return ValueType::Number;
  case Type::Bool: return ValueType::Bool;
  case Type::Array: return ValueType::Array;
  default: return ValueType::Void;
  }
}

/// "a number", "a bool", "an array", "an empty Value".
std::string withArticle(ValueType t) {
  if (t == ValueType::Void)
    return "an empty Value";
  return std::string(t == ValueType::Array ? "an " : "a ") + valueTypeName(t);
}

Diagnostic badCall(SourceLoc loc, std::string message) {
  Diagnostic d{loc, std::move(message)};
  d.kind = ErrorKind::InvalidArgument;
  return d;
}

/// Arity and argument types, located at the function or the parameter.
Status checkArguments(const FuncDecl &f, const std::vector<Value> &args) {
  if (args.size() != f.params.size())
    return badCall(f.loc, "'" + f.name + "' takes " +
                              std::to_string(f.params.size()) + " argument" +
                              (f.params.size() == 1 ? "" : "s") + ", not " +
                              std::to_string(args.size()));
  for (size_t i = 0; i < args.size(); ++i) {
    ValueType want = valueTypeOf(f.paramTypes[i]);
    if (args[i].type() != want)
      return badCall(f.params[i].loc, "argument " + std::to_string(i + 1) +
                                          " of '" + f.name + "' ('" +
                                          f.params[i].name + "') must be " +
                                          withArticle(want) + ", not " +
                                          withArticle(args[i].type()));
  }
  return {};
}

/// The arguments as slots; arrays are new arrays in this thread's arena
/// (kiln_rt_array_new traps when memory runs out: call under a guard).
void toSlots(const std::vector<Value> &args, std::vector<Slot> &slots) {
  for (size_t i = 0; i < args.size(); ++i) {
    const Value &v = args[i];
    if (v.isNumber()) {
      slots[i].number = v.number();
    } else if (v.isBool()) {
      slots[i].boolean = v.boolean() ? 1 : 0;
    } else {
      kiln_rt_array *a = kiln_rt_array_new(int64_t(v.array().size()));
      if (!v.array().empty())
        std::memcpy(a->data, v.array().data(),
                    v.array().size() * sizeof(double));
      slots[i].array = a;
    }
  }
}

Value fromSlot(Type type, Slot slot) {
  switch (type) {
  case Type::Number: return Value(slot.number);
  case Type::Bool: return Value(slot.boolean != 0);
  case Type::Array: {
    auto *a = static_cast<const kiln_rt_array *>(slot.array);
    return a ? Value(std::vector<double>(a->data, a->data + a->length))
             : Value(std::vector<double>{});
  }
  default: return Value();
  }
}

Expected<std::unique_ptr<Executor>> makeExecutor(const Program &ast,
                                                 const RunOptions &options) {
  if (options.mode == Mode::Interp)
    return makeInterpreted(ast, options);
  if (options.mode == Mode::Auto)
    return makeRouted(ast, options);
  // Compilation on a stack as large as a run's, as the router's is not:
  // a whole program may nest as deep as the parser allows, and more.
  std::optional<Expected<std::unique_ptr<Executor>>> made;
  Status started = runOnLargeStack(
      options.maxDepth, [&] { made.emplace(makeCompiled(ast, options)); });
  if (!started)
    return started.takeDiagnostics();
  return std::move(*made);
}

} // namespace

const FuncDecl *CompiledProgram::Impl::find(std::string_view name) const {
  for (auto &f : Ast->functions)
    if (f.get() != Ast->main && f->name == name)
      return f.get();
  return nullptr;
}

Status
CompiledProgram::Impl::onProgramThread(const std::function<Status()> &body) {
  Status result;
  Status started = runOnLargeStack(Options.maxDepth, [&] {
    OutputScope output(Options.print);
    {
      GuardScope guards(Options.maxDepth, Options.timeoutSeconds);
      size_t mark = kiln_rt_arena_mark();
      result = body();
      kiln_rt_arena_release(mark);
    }
    if (Status sink = output.failure(); !sink) {
      Diagnostics all = result ? Diagnostics{} : result.takeDiagnostics();
      for (Diagnostic &d : sink.takeDiagnostics())
        all.push_back(std::move(d));
      result = std::move(all);
    }
  });
  if (!started)
    return started;
  return result;
}

CompiledProgram::CompiledProgram(std::unique_ptr<Impl> impl)
    : P(std::move(impl)) {}
CompiledProgram::CompiledProgram(CompiledProgram &&) noexcept = default;
CompiledProgram &
CompiledProgram::operator=(CompiledProgram &&) noexcept = default;
CompiledProgram::~CompiledProgram() = default;

Expected<CompiledProgram> CompiledProgram::compile(std::string file,
                                                   std::string source,
                                                   const RunOptions &options) {
  auto ast = analyzeWithLimits(file, source, options.maxDepth,
                               options.timeoutSeconds, options.timings);
  if (!ast)
    return ast.takeDiagnostics();
  auto impl = std::make_unique<Impl>();
  impl->Options = options;
  impl->Ast = std::move(*ast);
  auto exec = makeExecutor(*impl->Ast, options);
  if (!exec)
    return exec.takeDiagnostics();
  impl->Exec = std::move(*exec);
  return CompiledProgram(std::move(impl));
}

Status CompiledProgram::run(RunStats *stats) {
  return P->onProgramThread([&] { return P->Exec->run(stats); });
}

Expected<Value> CompiledProgram::call(std::string_view name,
                                      const std::vector<Value> &args) {
  const FuncDecl *f = P->find(name);
  if (!f) {
    Diagnostic unknown =
        badCall({}, "no function named '" + std::string(name) + "'");
    unknown.file = P->Ast->file;
    return unknown;
  }
  if (Status ok = checkArguments(*f, args); !ok) {
    Diagnostics diags = ok.takeDiagnostics();
    attachSource(diags, P->Ast->file, P->Ast->source);
    return diags;
  }
  Value result;
  Status status = P->onProgramThread([&]() -> Status {
    std::vector<Slot> slots(std::max<size_t>(1, args.size()));
    kiln_rt_trap_info info;
    if (!callGuarded([&] { toSlots(args, slots); }, info))
      return trapDiagnostic("", info);
    Slot ret{};
    Status called = P->Exec->call(f->index, slots.data(), &ret);
    if (called)
      result = fromSlot(f->returnType, ret);
    return called;
  });
  if (!status)
    return status.takeDiagnostics();
  return result;
}

std::vector<FunctionInfo> CompiledProgram::functions() const {
  std::vector<FunctionInfo> out;
  for (auto &f : P->Ast->functions) {
    if (f.get() == P->Ast->main)
      continue;
    FunctionInfo info{f->name, {}, valueTypeOf(f->returnType)};
    for (Type t : f->paramTypes)
      info.params.push_back(valueTypeOf(t));
    out.push_back(std::move(info));
  }
  return out;
}

void CompiledProgram::setPrintSink(PrintSink sink) {
  P->Options.print = std::move(sink);
}

} // namespace kiln::relay
