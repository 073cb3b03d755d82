// Router: counts calls in the interpreter's call hook and switches a
// function to native code when its count reaches the threshold.
#include "Router.h"
#include "Host.h"
#include "Source.h"

#include <cstdio>

namespace ember {

Router::Router(const Program &program, Options options)
    : P(program), Opts(std::move(options)), Interp(program) {
  Interp.setCallHook(
      [this](const Function &fn, const std::vector<double> &args,
             double &result) { return onCall(fn, args, result); });
}

kiln::Expected<double> Router::call(const std::string &name,
                                    const std::vector<double> &args) {
  return Interp.call(name, args);
}

// [tutorial:router-on-call]
bool Router::onCall(const Function &fn, const std::vector<double> &args,
                    double &result) {
  FunctionStats &stats = Stats[fn.name];
  if (!stats.native && stats.interpreted >= Opts.threshold)
    stats.native = compile(fn);
  if (!stats.native) {
    ++stats.interpreted;
    return false; // the interpreter runs this call
  }
  ++stats.compiled;
  return callNative(stats.native, args, result);
}
// [/tutorial]

// [tutorial:router-compile]
/// The whole program is compiled once, at the first tier-up: the JIT then
/// compiles lazily, so each later tier-up is only a lookup.
void *Router::compile(const Function &fn) {
  if (CompileFailed || fn.params.size() > MaxCallArgs)
    return nullptr; // stays interpreted
  if (!Compiled) {
    auto engine = Engine::create(P, Opts.jit);
    if (!engine) {
      CompileFailed = true;
      printDiagnostics(engine.diagnostics());
      return nullptr;
    }
    Compiled = std::move(*engine);
  }
  kiln::Expected<void *> address = Compiled->address(fn.name);
  if (!address)
    return nullptr;
  if (Opts.trace)
    std::printf("[tier-up] %s after %llu interpreted calls\n", fn.name.c_str(),
                (unsigned long long)Stats[fn.name].interpreted);
  return *address;
}
// [/tutorial]

} // namespace ember
