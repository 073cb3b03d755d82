// MachineCode: Kiln's Faust machine-code container, written and read.
//
// A text header (magic, then `field value` lines: class, target, key,
// level, name, size) and the optimised objects, each as `object SIZE\n` and
// SIZE bytes. Version 1 carries one object; version 2 one or more (a factory
// compiled in two halves: set-up, then compute). LLVM-free.
#pragma once

#include "kiln/support/Expected.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace kiln::faust {

/// A container's header fields and objects.
struct MachineCode {
  std::map<std::string, std::string> fields;
  std::vector<std::string> objects;
};

/// The container: `fields` in the order given, then `objects`.
std::string
encodeMachine(const std::vector<std::pair<std::string, std::string>> &fields,
              const std::vector<std::string> &objects);

/// Reads a container; an InvalidArgument diagnostic ("not Kiln Faust machine
/// code (bad header)", "... truncated or malformed") when it is not one.
kiln::Expected<MachineCode> parseMachine(const std::string &machine);

} // namespace kiln::faust
