// Host: the C++ functions Ember programs may call with `extern`.
//
// A language is only useful if it can talk to its host. Ember's host
// functions take and return doubles; the JIT learns their addresses from
// this table (Jit::defineSymbols), and chapter 8's interpreter calls them
// through the same pointers, so both print exactly the same text.
#pragma once

#include <string>
#include <vector>

namespace ember {

struct HostFunction {
  const char *name;
  unsigned arity;
  void *address; // a double(double...) function with `arity` parameters
};

/// print(x): writes x and a newline to stdout; returns 0. Also sqrt, floor
/// and now() (seconds since its first call, for timing loops; not clock(),
/// a C library function of another type).
const std::vector<HostFunction> &hostFunctions();

/// While one is alive, print() on this thread appends to it instead of
/// writing to stdout: chapter 8 compares what two engines printed. Nests.
class OutputCapture {
public:
  OutputCapture();
  ~OutputCapture();
  OutputCapture(const OutputCapture &) = delete;
  OutputCapture &operator=(const OutputCapture &) = delete;
  const std::string &text() const { return Text; }

private:
  std::string Text;
  std::string *Outer;
};

/// The host function called `name`, or null.
const HostFunction *findHostFunction(const std::string &name);

/// Calls the double(double...) function at `fn` with `args` (at most
/// MaxCallArgs of them); returns false if there are too many.
constexpr size_t MaxCallArgs = 4;
bool callNative(void *fn, const std::vector<double> &args, double &result);

} // namespace ember
