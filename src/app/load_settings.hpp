// Defaults, then dockerup.conf, then the command line (later wins).
#pragma once

#include "dockerup/cli.hpp"
#include "dockerup/error.hpp"
#include "dockerup/settings.hpp"

namespace dockerup {

/// Errors (bad values, unreadable file) mean exit status 2; warnings are logged here.
Settings load_settings(const CommandLine& line, Errors& errors);

}  // namespace dockerup
