// The --server loop: reconcile every interval and on triggers until SIGTERM/SIGINT, with backoff
// after failed runs and while the Docker engine is unreachable, sd_notify, and metrics.
#pragma once

#include "signals.hpp"

#include "dockerup/cli.hpp"
#include "dockerup/reconciler.hpp"
#include "dockerup/settings.hpp"

#include <functional>
#include <string>
#include <vector>

namespace dockerup {

/// Something besides the clock that asks for a run at once, e.g. an inotify watch of the confdir.
/// `fd` is polled for reading alongside the signals; when it is readable, `drain` is called (it
/// must read what is pending without blocking) and a run starts.
struct Trigger {
  std::string name;  ///< for the log: "confdir changed"
  int fd = -1;
  std::function<void()> drain;
};

/// Returns the exit status: 0 after a requested stop, 1 when the metrics endpoint cannot be
/// opened at start.
int serve(const CommandLine& line, Settings settings, RunContext& context, Signals& signals,
          std::vector<Trigger> triggers = {});

}  // namespace dockerup
