// Registry: creates Faust factories and caches them by SHA key.
//
// libfaust keeps one process-wide factory table; Kiln keeps it in a context
// object (no globals), with the same operations. Every member is safe to call
// from many threads at once: a factory whose key exists is returned, never
// compiled twice at once: a second caller for the same key waits for the first.
#pragma once

#include "kiln/faust/Factory.h"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace kiln::faust {

class Registry {
public:
  /// Each entry point comes twice: the structured form (a factory or the
  /// diagnostics: faust's errors located at file:line:col with the source
  /// line, kind Parse or Type; the others unlocated, kind IO,
  /// InvalidArgument or the core's), then libfaust's shape,
  /// a thin wrapper that returns null and renders the diagnostics
  /// (`file:line:col: error: ...`) into `error`.
  using Result = kiln::Expected<std::shared_ptr<Factory>>;

  /// From a .dsp file / Faust source text (named `name`, which also names
  /// the DSP unless it declares one).
  Result createDSPFactoryFromFile(const std::string &path,
                                  const FactoryOptions &options);
  std::shared_ptr<Factory>
  createDSPFactoryFromFile(const std::string &path,
                           const FactoryOptions &options, std::string &error);
  Result createDSPFactoryFromString(const std::string &name,
                                    const std::string &code,
                                    const FactoryOptions &options);
  std::shared_ptr<Factory>
  createDSPFactoryFromString(const std::string &name, const std::string &code,
                             const FactoryOptions &options, std::string &error);

  /// From Factory::writeBitcode / writeIR output (optimised and compiled for
  /// `target` at `level`, as FactoryOptions says).
  Result readDSPFactoryFromBitcode(const std::string &bitcode,
                                   const std::string &target,
                                   kiln::OptLevel level);
  std::shared_ptr<Factory> readDSPFactoryFromBitcode(const std::string &bitcode,
                                                     const std::string &target,
                                                     kiln::OptLevel level,
                                                     std::string &error);
  Result readDSPFactoryFromBitcodeFile(const std::string &path,
                                       const std::string &target,
                                       kiln::OptLevel level);
  std::shared_ptr<Factory>
  readDSPFactoryFromBitcodeFile(const std::string &path,
                                const std::string &target, kiln::OptLevel level,
                                std::string &error);
  Result readDSPFactoryFromIR(const std::string &ir, const std::string &target,
                              kiln::OptLevel level);
  std::shared_ptr<Factory> readDSPFactoryFromIR(const std::string &ir,
                                                const std::string &target,
                                                kiln::OptLevel level,
                                                std::string &error);
  Result readDSPFactoryFromIRFile(const std::string &path,
                                  const std::string &target,
                                  kiln::OptLevel level);
  std::shared_ptr<Factory> readDSPFactoryFromIRFile(const std::string &path,
                                                    const std::string &target,
                                                    kiln::OptLevel level,
                                                    std::string &error);
  /// From Factory::writeMachine output: the object is loaded as is, with no
  /// optimisation or code generation. It must be for this host.
  Result readDSPFactoryFromMachine(const std::string &machine);
  std::shared_ptr<Factory> readDSPFactoryFromMachine(const std::string &machine,
                                                     std::string &error);
  Result readDSPFactoryFromMachineBase64(const std::string &base64);
  std::shared_ptr<Factory>
  readDSPFactoryFromMachineBase64(const std::string &base64,
                                  std::string &error);
  Result readDSPFactoryFromMachineFile(const std::string &path);
  std::shared_ptr<Factory>
  readDSPFactoryFromMachineFile(const std::string &path, std::string &error);

  /// The cached factory with this key, or null.
  std::shared_ptr<Factory> getDSPFactoryFromSHAKey(const std::string &key);
  /// The keys of every cached factory.
  std::vector<std::string> getAllDSPFactories();
  /// Drops the registry's reference; true when it was registered.
  bool deleteDSPFactory(const std::shared_ptr<Factory> &factory);
  void deleteAllDSPFactories();

private:
  struct Entry;
  /// The factory under `key`, built by `build` (once, unless it fails).
  Result getOrBuild(const std::string &key,
                    const std::function<Result()> &build);

  std::mutex Mutex;
  std::map<std::string, std::shared_ptr<Entry>> Factories;
};

} // namespace kiln::faust
