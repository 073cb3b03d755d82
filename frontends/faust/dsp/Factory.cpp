// Factory: accessors and serialization (bitcode, IR, machine/object code).
//
// Machine code is Kiln's own container (MachineCode.h): a text header and the
// optimised objects. Reading it for the host loads the objects into a JIT as
// is: no optimisation, no codegen. The libfaust-shaped overloads (with
// `std::string &error`) render the structured forms' diagnostics.
#include "kiln/faust/Factory.h"

#include "FactoryImpl.h"
#include "MachineCode.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/Emit.h"
#include "kiln/faust/Dsp.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Base64.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

namespace kiln::faust {

Factory::Factory(std::unique_ptr<Impl> impl) : P(std::move(impl)) {
  P->target = targetString(P->spec);
  P->timings = nullptr; // the caller's, valid only while building
}
Factory::~Factory() = default;

const std::string &Factory::name() const { return P->name; }
const std::string &Factory::shaKey() const { return P->shaKey; }
const std::string &Factory::dspCode() const { return P->dspCode; }
const std::string &Factory::compileOptions() const { return P->compileOptions; }
const std::vector<std::string> &Factory::libraryList() const {
  return P->libraryList;
}
const std::vector<std::string> &Factory::includePathnames() const {
  return P->includePathnames;
}
const std::vector<std::string> &Factory::warningMessages() const {
  return P->warnings;
}
const std::string &Factory::target() const { return P->target; }
bool Factory::isHost() const { return P->jit != nullptr; }

std::string getDSPMachineTarget() { return targetString(core::hostTarget()); }

namespace {

/// Writes an output file; its failure as an IO diagnostic.
kiln::Status writeOut(const std::string &path, const std::string &data) {
  if (auto err = core::writeOutputFile(path, data)) {
    Diagnostics diags = core::toDiagnostics(std::move(err));
    for (Diagnostic &diag : diags)
      if (diag.kind == ErrorKind::Other)
        diag.kind = ErrorKind::IO;
    return diags;
  }
  return {};
}

/// "factory 'x' has no WHAT (read from machine code)".
Diagnostic nothingToWrite(const std::string &name, const char *what) {
  Diagnostic diag = errorDiagnostic("factory '" + name + "' has no " + what +
                                    " (read from machine code)");
  diag.kind = ErrorKind::InvalidArgument;
  return diag;
}

/// The libfaust shape of a Status: false with the rendered diagnostics.
bool rendered(const kiln::Status &status, std::string &error) {
  if (!status)
    error = kiln::render(status.diagnostics());
  return status.ok();
}

/// The libfaust shape of a string result: empty with the diagnostics.
std::string rendered(kiln::Expected<std::string> result, std::string &error) {
  if (!result) {
    error = kiln::render(result.diagnostics());
    return {};
  }
  return std::move(*result);
}

} // namespace

std::string Factory::writeBitcode() const { return P->bitcode; }

kiln::Status Factory::writeBitcodeFile(const std::string &path) const {
  if (P->bitcode.empty())
    return nothingToWrite(P->name, "bitcode");
  return writeOut(path, P->bitcode);
}

std::string Factory::writeIR() const {
  llvm::LLVMContext context;
  auto m = llvm::parseBitcodeFile(llvm::MemoryBufferRef(P->bitcode, P->name),
                                  context);
  if (!m) {
    llvm::consumeError(m.takeError());
    return {};
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  (*m)->print(os, nullptr);
  return os.str();
}

kiln::Status Factory::writeIRFile(const std::string &path) const {
  std::string ir = writeIR();
  if (ir.empty())
    return nothingToWrite(P->name, "IR");
  return writeOut(path, ir);
}

kiln::Expected<std::string> Factory::writeMachine(const std::string &target) {
  auto spec = targetFromString(target.empty() ? P->target : target);
  if (!spec)
    return core::toDiagnostics(spec.takeError());
  auto objects = machineObjects(*P, *spec);
  if (!objects)
    return core::toDiagnostics(objects.takeError());
  return encodeMachine(
      {{"class", P->className},
       {"target", targetString(*spec)},
       {"key", P->shaKey},
       {"level", kiln::optLevelName(P->level)},
       {"name", P->name},
       {"size", std::to_string(P->info.size)}}, // the JSON's wraps
      *objects);
}

kiln::Expected<std::string>
Factory::writeMachineBase64(const std::string &target) {
  kiln::Expected<std::string> machine = writeMachine(target);
  if (!machine)
    return machine.takeDiagnostics();
  return llvm::encodeBase64(*machine);
}

kiln::Status Factory::writeMachineFile(const std::string &path,
                                       const std::string &target) {
  kiln::Expected<std::string> machine = writeMachine(target);
  if (!machine)
    return machine.takeDiagnostics();
  return writeOut(path, *machine);
}

kiln::Status Factory::writeObjectcodeFile(const std::string &path,
                                          const std::string &target) {
  auto spec = targetFromString(target.empty() ? P->target : target);
  if (!spec)
    return core::toDiagnostics(spec.takeError());
  auto object = compileObject(*P, *spec);
  if (!object)
    return core::toDiagnostics(object.takeError());
  return writeOut(path, *object);
}

// libfaust's shape: the structured forms above, rendered.

bool Factory::writeBitcodeFile(const std::string &path,
                               std::string &error) const {
  return rendered(writeBitcodeFile(path), error);
}

bool Factory::writeIRFile(const std::string &path, std::string &error) const {
  return rendered(writeIRFile(path), error);
}

std::string Factory::writeMachine(const std::string &target,
                                  std::string &error) {
  return rendered(writeMachine(target), error);
}

std::string Factory::writeMachineBase64(const std::string &target,
                                        std::string &error) {
  return rendered(writeMachineBase64(target), error);
}

bool Factory::writeMachineFile(const std::string &path,
                               const std::string &target, std::string &error) {
  return rendered(writeMachineFile(path, target), error);
}

bool Factory::writeObjectcodeFile(const std::string &path,
                                  const std::string &target,
                                  std::string &error) {
  return rendered(writeObjectcodeFile(path, target), error);
}

} // namespace kiln::faust
