// FactoryCache: factories compiled from source, kept on disk as machine code.
//
// A hit skips the faust subprocess, the optimiser and codegen: the object is
// loaded as is. An entry is keyed by the factory's SHA key (code, arguments,
// target, level), the host CPU and the faust binary, and it records a hash of
// every Faust library the program read: if one changed, the entry is stale
// and the factory is rebuilt. Entries live in core's CompileCache (checksummed
// files under $KILN_CACHE_DIR/faust).
#pragma once

#include "kiln/faust/Factory.h"

#include <memory>
#include <string>

namespace kiln::faust {

struct FaustInput;

/// The cached factory for `input` under `key`, or null (miss or stale).
std::shared_ptr<Factory> loadCachedFactory(const std::string &key,
                                           const FaustInput &input);

/// Stores `factory` (built from `input`); failures are silent (a cache).
void storeCachedFactory(Factory &factory, const FaustInput &input);

} // namespace kiln::faust
