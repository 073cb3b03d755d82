// MachineCode: encoding and parsing Kiln's Faust machine-code container.
#include "MachineCode.h"

#include <cstdlib>

namespace kiln::faust {

namespace {

constexpr const char *kMagic1 = "KILN-FAUST-MACHINE 1\n";
constexpr const char *kMagic2 = "KILN-FAUST-MACHINE 2\n";
constexpr size_t kMagicSize = 21;

Diagnostic malformed(std::string message) {
  Diagnostic diag = errorDiagnostic(std::move(message));
  diag.kind = ErrorKind::InvalidArgument;
  return diag;
}

/// Reads the `field value` line at `pos`; false at the end of the header.
bool nextLine(const std::string &machine, size_t &pos, std::string &field,
              std::string &value) {
  size_t eol = machine.find('\n', pos);
  size_t space = machine.find(' ', pos);
  if (eol == std::string::npos || space == std::string::npos || space > eol)
    return false;
  field = machine.substr(pos, space - pos);
  value = machine.substr(space + 1, eol - space - 1);
  pos = eol + 1;
  return true;
}

} // namespace

std::string
encodeMachine(const std::vector<std::pair<std::string, std::string>> &fields,
              const std::vector<std::string> &objects) {
  std::string out = objects.size() == 1 ? kMagic1 : kMagic2;
  for (const auto &[field, value] : fields)
    out += field + " " + value + "\n";
  for (const std::string &object : objects)
    out += "object " + std::to_string(object.size()) + "\n" + object;
  return out;
}

kiln::Expected<MachineCode> parseMachine(const std::string &machine) {
  bool several = machine.compare(0, kMagicSize, kMagic2) == 0;
  if (!several && machine.compare(0, kMagicSize, kMagic1) != 0)
    return malformed("not Kiln Faust machine code (bad header)");
  MachineCode code;
  std::string field, value;
  for (size_t pos = kMagicSize; nextLine(machine, pos, field, value);) {
    if (field != "object") {
      if (!code.objects.empty())
        break; // fields come before the objects
      code.fields[field] = value;
      continue;
    }
    uint64_t size = std::strtoull(value.c_str(), nullptr, 10);
    if (size == 0 || size > machine.size() - pos)
      break;
    code.objects.push_back(machine.substr(pos, size));
    pos += size;
    if (pos == machine.size())
      return code;
    if (!several)
      break;
  }
  return malformed("Kiln Faust machine code is truncated or malformed");
}

} // namespace kiln::faust
