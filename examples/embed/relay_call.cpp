// relay_call: embedding Relay in a C++ program.
//
// Compiles a Relay program once, calls its functions by name with numbers
// and arrays, gets values back, and captures what the program prints. Errors
// are kiln::Diagnostics; this host renders them with kiln::render.
#include "kiln/relay/Relay.h"

#include <cstdio>
#include <string>
#include <vector>

static const char *const Program = R"(
fn dot(a: array, b: array) -> number {
    let s = 0
    for i in 0..len(a) { s = s + a[i] * b[i] }
    return s
}
fn mandelbrot(width: number, height: number) -> array {
    let counts = []
    for y in 0..height {
        for x in 0..width {
            let c_re = (x - width / 2) * 4 / width
            let c_im = (y - height / 2) * 4 / height
            let z_re = 0
            let z_im = 0
            let n = 0
            while n < 100 && z_re * z_re + z_im * z_im <= 4 {
                let t = z_re * z_re - z_im * z_im + c_re
                z_im = 2 * z_re * z_im + c_im
                z_re = t
                n = n + 1
            }
            counts.push(n)
        }
    }
    print("computed", len(counts), "cells")
    return counts
}
)";

int main() {
  using namespace kiln;
  std::string printed;
  relay::RunOptions options;
  options.mode = relay::Mode::Auto; // or Interp, Jit
  options.level = OptLevel::O2;
  options.print = [&](std::string_view text) { printed += text; };
  auto program =
      relay::CompiledProgram::compile("embedded.relay", Program, options);
  if (!program) {
    std::fprintf(stderr, "%s\n", render(program.diagnostics()).c_str());
    return 1;
  }
  auto dot = program->call(
      "dot", {std::vector<double>{1, 2, 3}, std::vector<double>{4, 5, 6}});
  if (!dot) {
    std::fprintf(stderr, "%s\n", render(dot.diagnostics()).c_str());
    return 1;
  }
  std::printf("dot = %s\n", relay::toString(*dot).c_str());
  auto cells = program->call("mandelbrot", {40, 20});
  if (!cells)
    return 1;
  double total = 0;
  for (double n : cells->array())
    total += n;
  std::printf("mandelbrot: %zu cells, %g iterations\n", cells->array().size(),
              total);
  std::printf("captured: %s", printed.c_str());
  // A bad call is a located error, not a crash.
  auto bad = program->call("dot", {1, 2});
  std::printf("%s\n", render(bad.diagnostics()).c_str());
  return 0;
}
