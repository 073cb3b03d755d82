// Faust: Kiln's Faust adapter, the one header embedders include.
//
// `faust -lang llvm` compiles a .dsp to bitcode; Kiln optimises it for the
// host (or any target), JIT-compiles it and exposes it through an API shaped
// like libfaust's llvm_dsp_factory / dsp. See docs/faust.md.
#pragma once

#include "kiln/faust/Dsp.h"
#include "kiln/faust/Factory.h"
#include "kiln/faust/Registry.h"
