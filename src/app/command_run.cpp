#include "command_run.hpp"

#include "load_settings.hpp"
#include "server.hpp"
#include "signals.hpp"

#include "dockerup/docker_engine.hpp"
#include "dockerup/log.hpp"
#include "dockerup/reconciler.hpp"
#include "dockerup/run_lock.hpp"
#include "dockerup/sources.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <thread>

namespace dockerup {
namespace {

void print_dry_run(const RunResult& result) {
  if (result.plan.actions.empty()) std::printf("nothing to do\n");
  for (const auto& action : result.plan.actions)
    std::printf("would %s\n", action.describe().c_str());
  for (const auto& error : result.errors) std::printf("error: %s\n", error.str().c_str());
  std::fflush(stdout);
}

void log_result(const RunResult& result, std::chrono::steady_clock::duration took) {
  for (const auto& error : result.errors) log_error("{}", error.str());
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(took).count();
  log_info("run {}: {} action(s), {} error(s) in {} ms", result.exit_code == 0 ? "ok" : "failed",
           result.report.outcomes.size(), result.errors.size(), ms);
}

}  // namespace

RunResult run_once(const Settings& settings, RunContext& context) {
  auto started = std::chrono::steady_clock::now();
  RunResult result = reconcile_once(settings, context);
  if (settings.dry_run)
    print_dry_run(result);
  else
    log_result(result, std::chrono::steady_clock::now() - started);
  return result;
}

int command_run(const CommandLine& line, Settings settings) {
  Signals signals;  // before anything else, so no signal can interrupt an action
  std::unique_ptr<Engine> engine;
  try {
    engine = make_docker_engine(parse_docker_remote(settings.remote));
  } catch (const std::exception& e) {
    log_error("remote: {}", e.what());
    return 2;
  }

  std::unique_ptr<RunLock> lock;
  if (!settings.dry_run) {  // a dry run changes nothing, so it may look while another one works
    std::string why;
    try {
      lock = RunLock::acquire(settings.cache_dir, false, why);
    } catch (const std::exception& e) {
      log_error("{}", e.what());
      return 1;
    }
    if (!lock) {
      log_error("{}", why);
      return 1;
    }
  }

  RunContext context{*engine, [](Settings& s) { return load_desired_state(s).state; },
                     ExecutorHooks{[](int seconds) {
                                     std::this_thread::sleep_for(std::chrono::seconds(seconds));
                                   },
                                   [&signals] { return signals.stop_requested(); }}};
  if (settings.server && !settings.dry_run) return serve(line, settings, context, signals);
  return run_once(settings, context).exit_code;
}

}  // namespace dockerup
