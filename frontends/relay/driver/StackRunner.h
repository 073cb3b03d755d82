// StackRunner: the large-stack thread Relay runs and calls execute on.
//
// A run needs a stack that holds maxDepth calls (runtime/stack.c sizes it);
// creating such a thread for every call cost ~40 µs, which an embedder
// calling a small Relay function in a loop pays each time. One runner
// thread is therefore kept for the process and reused: a run hands it the
// job and waits. Relay runs are one at a time process-wide (the runtime's
// depth and timeout state is global), so one runner suffices; a run that
// finds it busy (a nested or concurrent one) gets a thread of its own as
// before.
#pragma once

#include <cstddef>
#include <functional>

namespace kiln::relay {

/// Runs `fn` on a thread with at least `bytes` of stack (the kept runner
/// when it is free and large enough, else a new runner or a one-off
/// thread); 0, or the pthread error when no thread could be created (fn has
/// not run). Called on the runner itself, fn runs inline.
int runOnRunner(size_t bytes, const std::function<void()> &fn);

} // namespace kiln::relay
