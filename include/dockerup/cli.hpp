// The command line, compatible with the original dockerup (Boost.Program_options).
#pragma once

#include "dockerup/settings.hpp"

#include <optional>
#include <string>
#include <vector>

namespace dockerup {

/// What the command line says, before the config file is read. Only options that were given
/// are set, so they can override the config file afterwards.
struct CommandLine {
  std::string command = "run";  ///< run (default), status, rollback
  std::vector<std::string> arguments;  ///< positional arguments after the command (rollback NAME)

  std::optional<std::string> config_file, cache_dir, confdir, remote, log_format, metrics_listen;
  std::optional<std::string> docker_config;
  std::optional<int> interval, parallel;
  std::optional<std::string> format;  ///< export --format: compose, ecs or kubernetes
  std::vector<std::string> source_urls;  ///< --source-url, repeatable: added to the settings' list
  std::optional<bool> aws, pull;
  bool server = false, verbose = false, dry_run = false, show_secrets = false, json = false;
  bool help = false, version = false;

  std::string help_text;  ///< filled always, printed for --help
};

struct CommandLineParse {
  CommandLine line;
  std::optional<std::string> error;  ///< usage error: print it and exit 2
};

CommandLineParse parse_command_line(int argc, const char* const argv[]);

/// Applies the options that were given on top of `settings` (the command line wins).
void apply_command_line(const CommandLine& line, Settings& settings);

}  // namespace dockerup
