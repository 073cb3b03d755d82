// Engine.h: the state behind a kiln_engine (C API internal).
//
// One engine owns, created on first use so that a host using only Relay
// never builds a tensor pool: a core::Jit for IR units, a tensor::Engine, a
// faust::Registry. The parts are created under `mutex`; once created each is
// safe to use from many threads (their own contracts).
#pragma once

#include "Internal.h"

namespace kiln::core {
class Jit;
}
namespace kiln::tensor {
class Engine;
}
namespace kiln::faust {
class Registry;
}

namespace kiln::capi {

class DiagnosticSink; // IRInput.h

struct EngineState {
  OptLevel level = OptLevel::O2;
  std::string triple;   ///< normalised; the host's when no target was given
  std::string cpu;      ///< the target CPU ("generic", or the host's)
  std::string features; ///< the CPU's features (LLVM syntax), for emission
  std::string target;   ///< "triple:cpu", what kiln_engine_target returns
  bool isHost = true;   ///< code can run here
  unsigned threads = 0; ///< tensor pool size (0 = hardware)
  bool cache = false;
  /// Code generation errors of the units' LLVM contexts, returned by the
  /// lookup that compiled them (IRInput.h).
  std::shared_ptr<DiagnosticSink> codegenErrors;

  EngineState();
  ~EngineState();
  /// The parts, created on first call; errors (e.g. the JIT cannot be
  /// created) come back as a kiln_error.
  kiln_error *jit(core::Jit *&out);
  kiln_error *tensor(tensor::Engine *&out);
  faust::Registry &registry();

private:
  std::mutex Mutex;
  std::unique_ptr<core::Jit> Jit;
  std::unique_ptr<tensor::Engine> Tensor;
  std::unique_ptr<faust::Registry> Registry;
};

/// A non-host engine cannot run code: KILN_ERROR_TARGET naming its target.
kiln_error *requireHost(const EngineState &state, const char *function);

} // namespace kiln::capi
