// Soundfiles: the soundfiles a DSP plays, loaded the way `kiln faust render`
// does — relative names resolve against the .dsp's directory only, and a
// file that is not there plays silence, reported once as a warning.
#pragma once

#include "kiln/support/Diagnostic.h"

#include <faust/dsp/dsp.h>

#include <memory>
#include <string>

class SoundUI;

namespace kiln::faust::host {

/// Owns the loaded soundfiles; the DSP reads their samples while it lives,
/// so it must outlive every compute() of the DSP it was built for.
class Soundfiles {
public:
  /// Loads the soundfiles of `dsp` (before its init()), found next to the
  /// .dsp file `dspPath`; each missing one adds a warning to `warnings`.
  Soundfiles(::dsp &dsp, const std::string &dspPath, bool isDouble,
             Diagnostics &warnings);
  ~Soundfiles();
  Soundfiles(const Soundfiles &) = delete;
  Soundfiles &operator=(const Soundfiles &) = delete;

private:
  std::unique_ptr<SoundUI> UI;
};

} // namespace kiln::faust::host
