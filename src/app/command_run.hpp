// `dockerup [run]`: one reconcile run, or the --server loop.
#pragma once

#include "dockerup/cli.hpp"
#include "dockerup/reconciler.hpp"
#include "dockerup/settings.hpp"

namespace dockerup {

int command_run(const CommandLine& line, Settings settings);

/// One reconcile run with its logging (or, for --dry-run, the printed plan).
RunResult run_once(const Settings& settings, RunContext& context);

}  // namespace dockerup
