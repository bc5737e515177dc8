// `dockerup status [--json]`: what the last run did, from <cache_dir>/status.json.
#pragma once

#include "dockerup/cli.hpp"
#include "dockerup/error.hpp"
#include "dockerup/settings.hpp"

namespace dockerup {

/// Exit status, as a Nagios/NRPE check reads it: 0 the last run succeeded, 1 it failed (also
/// when the engine was unreachable or the run was interrupted), 3 (UNKNOWN) no usable status
/// file (no run yet, or the file cannot be read).
inline constexpr int kStatusOk = 0;
inline constexpr int kStatusFailed = 1;
inline constexpr int kStatusUnknown = 3;

int command_status(const CommandLine& line, const Settings& settings);

/// What status says (UNKNOWN, exit 3) when the settings or the cache dir cannot be read or
/// trusted: a check reports what it cannot see, it does not fail as a usage error would.
int status_unknown(const Errors& errors);

}  // namespace dockerup
