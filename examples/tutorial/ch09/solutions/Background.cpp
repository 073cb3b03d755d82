// Background: std::async compiles the program; calls poll the future.
#include "Background.h"
#include "Host.h"

#include <chrono>

namespace ember {

BackgroundRouter::BackgroundRouter(const Program &program, unsigned threshold)
    : P(program), Threshold(threshold), Interp(program) {
  Interp.setCallHook(
      [this](const Function &fn, const std::vector<double> &args,
             double &result) { return onCall(fn, args, result); });
}

// The engine must not outlive a compilation still using `P`.
BackgroundRouter::~BackgroundRouter() {
  if (Pending.valid())
    Pending.wait();
}

kiln::Expected<double> BackgroundRouter::call(const std::string &name,
                                              const std::vector<double> &args) {
  return Interp.call(name, args);
}

// [tutorial:ex-background-ready]
/// True once the background compilation has delivered an engine; never
/// blocks.
bool BackgroundRouter::ready() {
  if (!Compiled && Pending.valid() &&
      Pending.wait_for(std::chrono::seconds(0)) == std::future_status::ready)
    Compiled = Pending.get(); // null if compilation failed
  return Compiled != nullptr;
}
// [/tutorial]

bool BackgroundRouter::onCall(const Function &fn,
                              const std::vector<double> &args, double &result) {
  if (++Calls[fn.name] > Threshold && !Started) {
    Started = true;
    Pending = std::async(std::launch::async, [this] {
      auto engine = Engine::create(P); // on another thread
      return engine ? std::move(*engine) : nullptr;
    });
  }
  if (!ready() || fn.params.size() > MaxCallArgs)
    return false; // keep interpreting meanwhile
  void *&native = Native[fn.name];
  if (!native) {
    kiln::Expected<void *> address = Compiled->address(fn.name);
    if (!address)
      return false;
    native = *address;
  }
  ++CompiledCalls;
  return callNative(native, args, result);
}

} // namespace ember
