// `dockerup [run]`: one reconcile run, or the --server loop.
#pragma once

#include "dockerup/cli.hpp"
#include "dockerup/settings.hpp"

namespace dockerup {

int command_run(const CommandLine& line, Settings settings);

}  // namespace dockerup
