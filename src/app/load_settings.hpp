// Defaults, then dockerup.conf, then the command line (later wins).
#pragma once

#include "dockerup/cli.hpp"
#include "dockerup/error.hpp"
#include "dockerup/settings.hpp"

namespace dockerup {

/// Errors (bad values, unreadable file) mean exit status 2; warnings are logged here.
Settings load_settings(const CommandLine& line, Errors& errors);

/// Trust only what root wrote: an error (exit status 2) when the cache dir or a folder above it
/// is not owned by root (or the user dockerup runs as) or is writable by group or others. Whoever
/// can write there could plant a rollback request or an image ledger, or hold the run lock.
void check_cache_dir_trust(const Settings& settings, Errors& errors);

/// Makes the logger follow `settings` (log_format): at start and after a SIGHUP reload.
void apply_log_settings(const Settings& settings);

}  // namespace dockerup
