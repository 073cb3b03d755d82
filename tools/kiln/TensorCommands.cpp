// kiln tensor: placeholder until the tensor frontend lands.
#include "Command.h"
namespace kiln::tool {
std::vector<Command> tensorCommands() { return {}; }
} // namespace kiln::tool
