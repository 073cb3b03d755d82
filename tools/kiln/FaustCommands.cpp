// kiln faust: placeholder until the Faust adapter lands.
#include "Command.h"
namespace kiln::tool {
std::vector<Command> faustCommands() { return {}; }
} // namespace kiln::tool
