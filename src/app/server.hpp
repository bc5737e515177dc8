// The --server loop: reconcile every interval and on triggers until SIGTERM/SIGINT.
#pragma once

#include "signals.hpp"

#include "dockerup/cli.hpp"
#include "dockerup/reconciler.hpp"
#include "dockerup/settings.hpp"

namespace dockerup {

/// Returns the exit status (0 after a requested stop).
int serve(const CommandLine& line, Settings settings, RunContext& context, Signals& signals);

}  // namespace dockerup
