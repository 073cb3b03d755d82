// RunIR: lli as a library call — run an IR or bitcode file's main in the JIT.
//
// `kiln run FILE.ll` is a thin caller of runIRFile; an embedder gets the same
// behaviour without the tool: main's type is checked before the call (a
// `main` of another type is an error, never a jump into data), static
// constructors, destructors and atexit handlers run, compiled code is cached,
// and with isolation a crash or a limit is an error instead of the host's
// end. Errors are kiln::Diagnostics; nothing is printed but main's output.
#pragma once

#include "kiln/core/Isolate.h"
#include "kiln/core/Pipeline.h"
#include "kiln/core/Timing.h"
#include "kiln/support/Expected.h"

#include <functional>
#include <string>
#include <vector>

namespace kiln::core {

struct RunIROptions {
  OptLevel level = OptLevel::O2;
  /// Reuse and keep compiled code under CompileCache::defaultDirectory().
  bool cache = true;
  /// Teaching aids, forwarded to the optimiser (see PipelineOptions).
  llvm::raw_ostream *printPipeline = nullptr;
  llvm::raw_ostream *printChanged = nullptr;
  /// Phase times (parse, optimize, codegen, link, run) are added here.
  PhaseTimings *timings = nullptr;
  /// Run main in a kiln-executor process (Isolate.h); isolate.limits'
  /// wallSeconds then ends a run that takes too long, as an error.
  IsolateOptions isolate;
  /// In process, JIT code cannot be stopped: when main still runs after
  /// timeoutSeconds (> 0), onTimeout is called on a watchdog thread while
  /// main goes on. It should end the process (the kiln tool reports and
  /// exits); without it the limit only goes unenforced.
  double timeoutSeconds = 0;
  std::function<void(double seconds)> onTimeout;
};

/// Loads `file` (textual IR or bitcode), checks its main (JitMain.h),
/// JIT-compiles it and calls main with argv = {file, args...} and the
/// process's environment. Returns main's exit status: its result modulo
/// 256, 0 for a void main. Main runs on the calling thread (in process) and
/// may write to stdout and stderr; one call at a time per process, as for
/// any C program's main.
kiln::Expected<int> runIRFile(const std::string &file,
                              const std::vector<std::string> &args,
                              const RunIROptions &options = {});

} // namespace kiln::core
