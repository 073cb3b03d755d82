// Executor: the kiln-executor process behind an isolated Jit.
//
// Starts the program with a socket pair (ORC's remote protocol) and a notes
// pipe (the executor says there when an allocation failed), applies the
// wall-clock limit to calls, and, when a call fails because the process
// ended, turns its wait status into an error that names the signal.
#pragma once

#include "kiln/core/Isolate.h"

#include "llvm/ADT/FunctionExtras.h"
#include "llvm/ExecutionEngine/Orc/SimpleRemoteEPC.h"
#include "llvm/Support/Error.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <sys/resource.h>
#include <sys/types.h>

namespace kiln::core::detail {

class ExecutorProcess {
public:
  /// Starts the executor; `epc` receives ORC's connection to it.
  static llvm::Expected<std::unique_ptr<ExecutorProcess>>
  launch(const IsolateOptions &options,
         std::unique_ptr<llvm::orc::SimpleRemoteEPC> &epc);
  /// Kills the executor if it still runs and reaps it.
  ~ExecutorProcess();

  /// Shuts the connection down in both directions. ORC's transport only
  /// closes its descriptor, which neither wakes its own reader blocked on
  /// that socket nor tells the executor: call this before ending the
  /// session, and the executor leaves.
  void hangUp();

  /// Runs `call` (one call into the executor) under the wall-clock limit.
  /// When it fails because the executor ended: its exit status if it exited
  /// (the code called exit), else an error naming the signal, the limit or
  /// the timeout. Later calls fail at once.
  llvm::Expected<int32_t>
  guard(llvm::unique_function<llvm::Expected<int32_t>()> call);

private:
  ExecutorProcess(pid_t pid, int notes, int channel, IsolateLimits limits)
      : Pid(pid), NotesFd(notes), ChannelFd(channel), Limits(limits) {}
  /// reap's result when the process was reaped by someone else (ECHILD).
  static constexpr int UnknownStatus = -1;
  /// Waits up to a few seconds for the process to end (then kills it);
  /// its wait status, or UnknownStatus.
  int reap();
  std::string describeDeath(int status) const;
  bool allocationFailed() const;

  pid_t Pid;
  int NotesFd;
  int ChannelFd; ///< our own duplicate of the host's end, for hangUp
  IsolateLimits Limits;
  std::mutex Mutex;
  bool Reaped = false;
  std::atomic<bool> TimedOut{false};
  struct rusage Usage {}; ///< of the reaped process
  std::string Ended;      ///< why later calls fail
};

} // namespace kiln::core::detail
