// header_check: the public Faust headers compile with only Kiln's and
// Faust's include paths — no LLVM headers leak into them (DESIGN.md).
#include "kiln/faust/Faust.h"

int main() { return 0; }
