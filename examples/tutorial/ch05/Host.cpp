// Host: Ember's host functions and a way to call a native double function.
#include "Host.h"

#include <chrono>
#include <cmath>
#include <cstdio>

namespace ember {

namespace {

// Host functions called from compiled code get no context argument, so the
// capture a print() goes to is found through a thread-local pointer.
thread_local std::string *Capture = nullptr;

void writeOutput(const char *text) {
  if (Capture)
    *Capture += text;
  else
    std::fputs(text, stdout);
}

// [tutorial:host-print]
extern "C" double emberPrint(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g\n", x);
  writeOutput(text); // stdout, or a capture (chapter 8)
  return 0;
}
// [/tutorial]

extern "C" double emberSqrt(double x) { return std::sqrt(x); }
extern "C" double emberFloor(double x) { return std::floor(x); }

extern "C" double emberNow() {
  static const auto start = std::chrono::steady_clock::now();
  std::chrono::duration<double> since =
      std::chrono::steady_clock::now() - start;
  return since.count();
}

} // namespace

OutputCapture::OutputCapture() : Outer(Capture) { Capture = &Text; }
OutputCapture::~OutputCapture() { Capture = Outer; }

// [tutorial:host-table]
const std::vector<HostFunction> &hostFunctions() {
  static const std::vector<HostFunction> table = {
      {"print", 1, (void *)&emberPrint},
      {"sqrt", 1, (void *)&emberSqrt},
      {"floor", 1, (void *)&emberFloor},
      {"now", 0, (void *)&emberNow},
  };
  return table;
}
// [/tutorial]

const HostFunction *findHostFunction(const std::string &name) {
  for (const HostFunction &fn : hostFunctions())
    if (name == fn.name)
      return &fn;
  return nullptr;
}

bool callNative(void *fn, const std::vector<double> &a, double &result) {
  using D = double;
  switch (a.size()) {
  case 0: result = ((D(*)())fn)(); return true;
  case 1: result = ((D(*)(D))fn)(a[0]); return true;
  case 2: result = ((D(*)(D, D))fn)(a[0], a[1]); return true;
  case 3: result = ((D(*)(D, D, D))fn)(a[0], a[1], a[2]); return true;
  case 4: result = ((D(*)(D, D, D, D))fn)(a[0], a[1], a[2], a[3]); return true;
  default: return false;
  }
}

} // namespace ember
