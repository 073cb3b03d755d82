// Background: exercise 2 of chapter 9, tier-up without waiting.
//
// Chapter 9's router stops the program while the JIT compiles. Production
// engines compile on another thread and keep interpreting meanwhile; the
// switch happens at the first call after the code is ready.
#pragma once

#include "Engine.h"
#include "Interpreter.h"

#include <future>
#include <map>
#include <memory>
#include <string>

namespace ember {

class BackgroundRouter {
public:
  /// `program` (checked) must outlive the router.
  BackgroundRouter(const Program &program, unsigned threshold);
  ~BackgroundRouter();
  kiln::Expected<double> call(const std::string &name,
                              const std::vector<double> &args);
  /// Whether a compilation was started (and so ran off the main thread).
  bool compiledInBackground() const { return Started; }
  uint64_t compiledCalls() const { return CompiledCalls; }

private:
  bool onCall(const Function &fn, const std::vector<double> &args,
              double &result);
  bool ready();

  const Program &P;
  unsigned Threshold;
  Interpreter Interp;
  std::map<std::string, uint64_t> Calls;
  bool Started = false;
  std::future<std::unique_ptr<Engine>> Pending; // the compiling engine
  std::unique_ptr<Engine> Compiled;             // once Pending delivered
  std::map<std::string, void *> Native;
  uint64_t CompiledCalls = 0;
};

} // namespace ember
