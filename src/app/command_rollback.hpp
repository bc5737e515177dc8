// `dockerup rollback NAME`: put a container's previous image and spec back, and hold it there
// until its declaration or image changes again.
#pragma once

#include "dockerup/cli.hpp"
#include "dockerup/settings.hpp"

namespace dockerup {

int command_rollback(const CommandLine& line, Settings settings);

}  // namespace dockerup
