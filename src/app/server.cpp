#include "server.hpp"

#include "command_run.hpp"
#include "load_settings.hpp"

#include "dockerup/log.hpp"

namespace dockerup {

int serve(const CommandLine& line, Settings settings, RunContext& context, Signals& signals) {
  log_info("dockerup {} serving: reconciling every {} s", DOCKERUP_VERSION, settings.interval);
  while (true) {
    run_once(settings, context);
    if (signals.stop_requested()) break;
    auto wake = signals.wait(settings.interval * 1000);
    if (wake == Signals::Wake::Stop) break;
    if (wake == Signals::Wake::Reload || signals.take_reload()) {
      Errors errors;
      Settings reloaded = load_settings(line, errors);
      if (errors.empty()) {
        settings = reloaded;
        settings.server = true;
        log_info("SIGHUP: configuration re-read from {}", settings.config_file);
      } else {
        for (const auto& error : errors) log_error("{}", error.str());
        log_error("SIGHUP: configuration has errors; keeping the previous one");
      }
    }
  }
  log_info("stop requested: exiting");
  return 0;
}

}  // namespace dockerup
