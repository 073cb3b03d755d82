// TargetString: libfaust's "triple:cpu" target strings, and the SHA keys
// that name factories.
//
// libfaust names a target as "triple[:cpu]" (getDSPMachineTarget()); Kiln's
// core takes a TargetSpec. A factory's key hashes what decides its code.
#pragma once

#include "kiln/core/Target.h"

#include <string>
#include <vector>

namespace kiln::faust {

/// A spec for "triple[:cpu]" (empty = the host; a missing cpu = generic).
llvm::Expected<core::TargetSpec> targetFromString(const std::string &target);

/// `spec` as "triple:cpu".
std::string targetString(const core::TargetSpec &spec);

/// SHA-1 (hex) of `parts` joined with separators.
std::string shaOf(const std::vector<std::string> &parts);

} // namespace kiln::faust
