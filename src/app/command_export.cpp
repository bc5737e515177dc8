#include "command_export.hpp"

#include "dockerup/export.hpp"
#include "dockerup/fleet.hpp"
#include "dockerup/log.hpp"
#include "dockerup/redact.hpp"
#include "dockerup/sources.hpp"

#include <cstdio>

namespace dockerup {

int command_export(const CommandLine& line, Settings settings) {
  settings.dry_run = true;  // reads the last-known-good copies, never writes them
  FleetSources fleet;
  SourceLoad load = load_desired_state(settings, fleet.as_source());
  apply_command_line(line, settings);  // as a run does: the command line wins over user-data
  // The log gets the run's structural filter; the output file gets shown_env_value.
  EnvFilter filter = env_filter(load.state.specs, settings.show_secrets);
  for (const auto& warning : load.warnings) log_warning("{}", filter.apply_line(warning));
  for (const auto& error : load.state.errors) log_error("{}", filter.apply(error).str());
  for (const auto& name : load.state.protected_names)
    log_warning("export: {} is left out: its declarations conflict", name);

  ExportResult result = export_specs(load.state.specs, *parse_export_format(*line.format),
                                     settings.show_secrets);
  for (const auto& warning : result.warnings)
    log_warning("export: {}", filter.apply_line(warning));
  if (!settings.show_secrets && !load.state.specs.empty())
    log_info("export: env values are shown as {}; --show-secrets includes them", kHidden);
  std::fputs(result.text.c_str(), stdout);
  std::fflush(stdout);
  return load.state.errors.empty() ? 0 : 1;
}

}  // namespace dockerup
