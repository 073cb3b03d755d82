// Soundfiles: Faust's SoundUI with a reader that looks in one place.
#include "Soundfiles.h"

#include <faust/gui/SoundUI.h>
#include <sndfile.h>

namespace kiln::faust::host {

namespace {

std::string dirOf(const std::string &path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

/// Faust's libsndfile reader, with relative names resolved against the
/// .dsp's directory only (SoundUI would try the working directory first) and
/// without a message for each place it looks.
class QuietReader : public LibsndfileReader {
public:
  QuietReader(std::string dir, Diagnostics &warnings)
      : Dir(std::move(dir) + "/"), Warnings(warnings) {}
  bool checkFile(const std::string &path) override {
    if (!path.starts_with("/") && !path.starts_with(Dir))
      return false; // SoundUI's working-directory attempt
    SF_INFO info{};
    SNDFILE *f = sf_open(path.c_str(), SFM_READ, &info);
    if (f)
      return sf_close(f), true;
    if (path.starts_with(Dir)) { // the last place tried
      Diagnostic warning = errorDiagnostic("cannot open soundfile '" + path +
                                           "'; it plays silence");
      warning.severity = Severity::Warning;
      Warnings.push_back(std::move(warning));
    }
    return false;
  }

private:
  std::string Dir;
  Diagnostics &Warnings;
};

} // namespace

Soundfiles::Soundfiles(::dsp &dsp, const std::string &dspPath, bool isDouble,
                       Diagnostics &warnings)
    : UI(std::make_unique<SoundUI>(dirOf(dspPath), -1,
                                   new QuietReader(dirOf(dspPath), warnings),
                                   isDouble)) {
  dsp.buildUserInterface(UI.get());
}

Soundfiles::~Soundfiles() = default;

} // namespace kiln::faust::host
