// FaustCompatDsp.cpp: libfaust's C instance API (llvm-dsp-c.h) over Dsp.
//
// An llvm_dsp owns one kiln::faust::Dsp, which is Faust's own `dsp`: each
// call forwards to it, the UI through UIGlue (FaustGlue.h) and metadata
// through MetaGlue. libfaust's instance calls have no error channel, so a
// NULL instance or buffer makes a call do nothing (or return 0/NULL) rather
// than crash. Instances are not looked up in the factory table: an instance
// is used by one thread at a time and its hot path (compute) takes no lock.
#include "FaustCompat.h"
#include "FaustGlue.h"

using namespace kiln;
using namespace kiln::capi;
using namespace kiln::capi::compat;

namespace {

/// Runs `call` on the instance's Dsp when there is one (void calls).
template <typename F> void withDsp(llvm_dsp *dsp, F &&call) noexcept {
  if (!dsp)
    return;
  shield(0, [&] {
    call(*dsp->dsp);
    return 0;
  });
}

} // namespace

extern "C" {

KILN_LIBFAUST_API llvm_dsp *createCDSPInstance(llvm_dsp_factory *factory) {
  return shield<llvm_dsp *>(nullptr, [&]() -> llvm_dsp * {
    auto f = lookup(factory);
    if (!f)
      return nullptr;
    auto instance = f->createInstance();
    return instance ? new llvm_dsp{std::move(*instance)} : nullptr;
  });
}

KILN_LIBFAUST_API void deleteCDSPInstance(llvm_dsp *dsp) { delete dsp; }

KILN_LIBFAUST_API llvm_dsp *cloneCDSPInstance(llvm_dsp *dsp) {
  return shield<llvm_dsp *>(nullptr, [&]() -> llvm_dsp * {
    if (!dsp)
      return nullptr;
    std::unique_ptr<faust::Dsp> copy(dsp->dsp->clone());
    return copy ? new llvm_dsp{std::move(copy)} : nullptr;
  });
}

KILN_LIBFAUST_API int getNumInputsCDSPInstance(llvm_dsp *dsp) {
  return dsp ? dsp->dsp->getNumInputs() : 0;
}

KILN_LIBFAUST_API int getNumOutputsCDSPInstance(llvm_dsp *dsp) {
  return dsp ? dsp->dsp->getNumOutputs() : 0;
}

KILN_LIBFAUST_API int getSampleRateCDSPInstance(llvm_dsp *dsp) {
  return dsp ? dsp->dsp->getSampleRate() : 0;
}

KILN_LIBFAUST_API void initCDSPInstance(llvm_dsp *dsp, int sample_rate) {
  withDsp(dsp, [&](faust::Dsp &d) { d.init(sample_rate); });
}

KILN_LIBFAUST_API void instanceInitCDSPInstance(llvm_dsp *dsp,
                                                int sample_rate) {
  withDsp(dsp, [&](faust::Dsp &d) { d.instanceInit(sample_rate); });
}

KILN_LIBFAUST_API void instanceConstantsCDSPInstance(llvm_dsp *dsp,
                                                     int sample_rate) {
  withDsp(dsp, [&](faust::Dsp &d) { d.instanceConstants(sample_rate); });
}

KILN_LIBFAUST_API void instanceResetUserInterfaceCDSPInstance(llvm_dsp *dsp) {
  withDsp(dsp, [](faust::Dsp &d) { d.instanceResetUserInterface(); });
}

KILN_LIBFAUST_API void instanceClearCDSPInstance(llvm_dsp *dsp) {
  withDsp(dsp, [](faust::Dsp &d) { d.instanceClear(); });
}

KILN_LIBFAUST_API void buildUserInterfaceCDSPInstance(llvm_dsp *dsp,
                                                      UIGlue *glue) {
  if (!glue)
    return;
  withDsp(dsp, [&](faust::Dsp &d) {
    GlueUI ui(*glue);
    d.buildUserInterface(&ui);
  });
}

KILN_LIBFAUST_API void metadataCDSPInstance(llvm_dsp *dsp, MetaGlue *meta) {
  if (!meta)
    return;
  withDsp(dsp, [&](faust::Dsp &d) {
    CallbackMeta forward(meta->declare, meta->metaInterface);
    d.metadata(&forward);
  });
}

KILN_LIBFAUST_API void computeCDSPInstance(llvm_dsp *dsp, int count,
                                           FAUSTFLOAT **input,
                                           FAUSTFLOAT **output) {
  if (!dsp || count < 0)
    return;
  faust::Dsp &d = *dsp->dsp;
  // withDsp's barrier: a double-precision DSP's compute allocates (its
  // double copies of the buffers) and can throw std::bad_alloc.
  if (buffersPresent(input, d.getNumInputs()) &&
      buffersPresent(output, d.getNumOutputs()))
    withDsp(dsp, [&](faust::Dsp &on) { on.compute(count, input, output); });
}

} // extern "C"
