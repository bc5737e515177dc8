// `dockerup export --format compose|ecs|kubernetes`: the merged desired state (every source, as
// the next run would apply it) in the format of another engine, on stdout.
#pragma once

#include "dockerup/cli.hpp"
#include "dockerup/settings.hpp"

namespace dockerup {

/// Warnings (fields without a counterpart, sources that failed) go to stderr. Exit status 0, or 1
/// when a source reported an error (the document then lacks what that source declares).
int command_export(const CommandLine& line, Settings settings);

}  // namespace dockerup
