// MachineCode: encoding and parsing Kiln's Faust machine-code container.
//
// Version 3 (one object) and 4 (several) end with a BLAKE3 checksum line
// over everything before it, so a corrupted file or string is refused
// before any of its code is loaded (versions 1 and 2, without it, are still
// read). The checksum catches damage, not malice: machine code runs as is.
#include "MachineCode.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/BLAKE3.h"

#include <cstdlib>

namespace kiln::faust {

namespace {

constexpr const char *kMagic1 = "KILN-FAUST-MACHINE 1\n";
constexpr const char *kMagic2 = "KILN-FAUST-MACHINE 2\n";
constexpr const char *kMagic3 = "KILN-FAUST-MACHINE 3\n";
constexpr const char *kMagic4 = "KILN-FAUST-MACHINE 4\n";
constexpr size_t kMagicSize = 21;
constexpr const char *kChecksumField = "\nchecksum ";
constexpr size_t kChecksumLine = 10 + 64 + 1; // field, 32 bytes hex, '\n'

std::string checksum(llvm::StringRef bytes) {
  llvm::BLAKE3 hasher;
  hasher.update(bytes);
  return llvm::toHex(hasher.final(), /*LowerCase=*/true);
}

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
  std::string out = objects.size() == 1 ? kMagic3 : kMagic4;
  for (const auto &[field, value] : fields)
    out += field + " " + value + "\n";
  for (const std::string &object : objects)
    out += "object " + std::to_string(object.size()) + "\n" + object;
  return out + kChecksumField + checksum(out) + "\n";
}

namespace {

/// The container without its checksum line when the checksum matches
/// (versions 3 and 4), or as it is (1 and 2); an error for anything else.
kiln::Expected<std::string> verified(const std::string &machine,
                                     bool &several) {
  auto magic = [&](const char *m) {
    return machine.compare(0, kMagicSize, m) == 0;
  };
  several = magic(kMagic2) || magic(kMagic4);
  if (magic(kMagic1) || magic(kMagic2))
    return machine;
  if (!magic(kMagic3) && !magic(kMagic4))
    return malformed("not Kiln Faust machine code (bad header)");
  if (machine.size() < kMagicSize + kChecksumLine ||
      machine.compare(machine.size() - kChecksumLine, 10, kChecksumField) != 0)
    return malformed("Kiln Faust machine code is truncated or malformed");
  std::string body = machine.substr(0, machine.size() - kChecksumLine);
  if (machine.compare(machine.size() - 65, 64, checksum(body)) != 0)
    return malformed("Kiln Faust machine code is corrupted (its checksum "
                     "does not match)");
  return body;
}

} // namespace

kiln::Expected<MachineCode> parseMachine(const std::string &container) {
  bool several = false;
  kiln::Expected<std::string> body = verified(container, several);
  if (!body)
    return body.takeDiagnostics();
  const std::string &machine = *body;
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
