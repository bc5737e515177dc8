#include "load_settings.hpp"

#include "dockerup/config_file.hpp"
#include "dockerup/log.hpp"
#include "dockerup/sources.hpp"
#include "dockerup/trusted_path.hpp"

#include <unistd.h>

#include <cerrno>

namespace dockerup {

namespace {

/// `dockerup status` run by a user who may not read dockerup.conf (root's, 0600): it reads what
/// it may, so it goes on with the defaults and the command line and says what it skipped.
bool status_may_not_read(const CommandLine& line, const std::string& path) {
  if (line.command != "status" || access(path.c_str(), R_OK) == 0 || errno != EACCES) return false;
  log_warning("{}: cannot read it as uid {} (permission denied); status uses the defaults and the "
              "command line",
              path, geteuid());
  return true;
}

}  // namespace

Settings load_settings(const CommandLine& line, Errors& errors) {
  Settings settings;
  if (line.config_file) settings.config_file = *line.config_file;
  if (status_may_not_read(line, settings.config_file)) {
    apply_command_line(line, settings);
    return settings;
  }
  ConfigLoad load = load_config_file(settings.config_file, settings);
  for (const auto& warning : load.warnings) log_warning("{}", warning);
  errors.insert(errors.end(), load.errors.begin(), load.errors.end());
  // The default path may be absent; a file named on the command line must exist (a typo in a
  // unit file would otherwise run with defaults).
  if (!load.found && line.config_file)
    errors.push_back({settings.config_file, "--config: no such file"});
  else if (!load.found) log_debug("no config file at {}: using defaults", settings.config_file);
  // StrictModes: checked after reading, so that strict_modes=false in the file itself counts.
  if (load.found && settings.strict_modes)
    if (auto unsafe = check_file_mode(settings.config_file)) errors.push_back(*unsafe);
  apply_command_line(line, settings);
  return settings;
}

void check_cache_dir_trust(const Settings& settings, Errors& errors) {
  std::string why = check_trusted_dir(settings.cache_dir);
  if (why.empty()) return;
  if (access(settings.cache_dir.c_str(), X_OK) != 0 && errno == EACCES) {  // root's, not untrusted
    errors.push_back({settings.cache_dir,
                      fmt::format("cannot read it as uid {} (permission denied)", geteuid())});
    return;
  }
  errors.push_back({settings.cache_dir,
                    fmt::format("refusing the cache dir: {}; it and every folder above it must be "
                                "owned by root and writable only by their owner",
                                why)});
}

}  // namespace dockerup

namespace dockerup {

void apply_log_settings(const Settings& settings) {
  Logger::instance().set_json(settings.log_format == "json");
}

}  // namespace dockerup
