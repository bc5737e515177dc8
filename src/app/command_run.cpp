#include "command_run.hpp"

#include "load_settings.hpp"
#include "server.hpp"
#include "signals.hpp"

#include "dockerup/cache_files.hpp"
#include "dockerup/confdir_watch.hpp"
#include "dockerup/docker_engine.hpp"
#include "dockerup/fleet.hpp"
#include "dockerup/history.hpp"
#include "dockerup/log.hpp"
#include "dockerup/pull_records.hpp"
#include "dockerup/reconciler.hpp"
#include "dockerup/redact.hpp"
#include "dockerup/registry_credentials.hpp"
#include "dockerup/run_lock.hpp"
#include "dockerup/sources.hpp"
#include "dockerup/spec_cache.hpp"
#include "dockerup/status.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <thread>

namespace dockerup {
namespace {

/// How long an instance that handed over to its successor waits to be stopped by it.
constexpr int kHandOverWaitSeconds = 300;

/// Each action with its wave (what can run together) and what it waits for.
void print_dry_run(const RunResult& result) {
  const auto& actions = result.plan.actions;
  if (actions.empty()) std::printf("nothing to do\n");
  auto graph = action_graph(result.plan);
  auto waves = action_waves(graph);
  for (std::size_t i = 0; i < actions.size(); ++i) {
    std::string after;
    for (auto before : graph[i])
      after += fmt::format("{}{} {}", after.empty() ? ", after " : ", ",
                           to_string(actions[before].type), actions[before].name);
    std::printf("would %s (wave %d%s)\n", actions[i].describe().c_str(), waves[i], after.c_str());
  }
  for (const auto& line : describe_gc_plan(result.gc.planned)) std::printf("%s\n", line.c_str());
  for (const auto& error : result.errors) std::printf("error: %s\n", error.str().c_str());
  std::fflush(stdout);
}

void log_result(const RunResult& result, std::chrono::steady_clock::duration took) {
  for (const auto& error : result.errors) log_error("{}", error.str());
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(took).count();
  log_info("run {}: {} action(s), {} error(s) in {} ms", result.exit_code == 0 ? "ok" : "failed",
           result.report.outcomes.size(), result.errors.size(), ms);
}

void log_cache_errors(const RunResult& result) {
  for (const auto& error : result.errors)
    if (cache_error_phase(error)) log_error("{}", error.str());
}

/// The successor stops us through the API once it holds the lock; until then we idle.
void wait_for_successor(RunContext& context, const std::string& successor) {
  log_info("handed over to container {}; releasing the lock and waiting to be stopped",
           successor.substr(0, 12));
  if (context.release_lock) context.release_lock();
  for (int waited = 0; waited < kHandOverWaitSeconds; ++waited) {
    if (context.hooks.stop_requested && context.hooks.stop_requested()) return;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  log_warning("the successor did not stop this instance within {} s; exiting",
              kHandOverWaitSeconds);
}

std::unique_ptr<RunLock> take_lock(const Settings& settings) {
  std::string why;
  auto lock = RunLock::acquire(settings.cache_dir, false, why);
  if (lock || !settings.server) {
    if (!lock) log_error("{}", why);
    return lock;
  }
  // A server waits: during a self-update the new instance starts while the old one still works.
  log_info("{}; waiting for it", why);
  return RunLock::acquire(settings.cache_dir, true, why);
}

/// The inotify watch of the confdir as a server trigger; none (runs every interval only) when
/// inotify is unavailable.
std::vector<Trigger> confdir_triggers(ConfdirWatch& watch, const std::string& confdir) {
  std::string error;
  if (!watch.start(confdir, error)) {
    log_warning("cannot watch {} for changes ({}); reconciling every interval only", confdir, error);
    return {};
  }
  return {Trigger{"confdir changed", watch.fd(), [&watch] { watch.drain(); }}};
}

}  // namespace

RunResult aborted_run(const std::string& why) {
  RunResult result;
  result.observed = true;  // not an engine outage: the engine may well have answered
  result.aborted = true;
  result.exit_code = 1;
  result.errors.push_back(
      {"run", fmt::format("stopped by an unexpected error: {}; the next run starts over", why)});
  return result;
}

RunResult run_guarded(const Settings& settings, RunContext& context) {
  try {
    return reconcile_once(settings, context);
  } catch (const std::exception& e) {
    return aborted_run(e.what());
  } catch (...) {
    return aborted_run("an exception that is not a std::exception");
  }
}

RunResult run_once(const Settings& settings, RunContext& context) {
  auto started = std::chrono::steady_clock::now();
  auto started_wall = std::chrono::system_clock::now();
  RunResult result = run_guarded(settings, context);
  redact_run_result(result, settings);  // env values and passwords only with --show-secrets
  auto took = std::chrono::steady_clock::now() - started;
  // Skips dry runs, never throws; its own problems become errors of the run (logged below).
  record_run_status(settings, result, started_wall, took);
  if (settings.dry_run)
    print_dry_run(result);
  else if (!(settings.server && !result.observed))  // the server loop reports outages once
    log_result(result, took);
  else
    log_cache_errors(result);  // but a cache that fails meanwhile is said every run
  if (!result.report.handed_over_to.empty()) wait_for_successor(context, result.report.handed_over_to);
  return result;
}

DockerEndpoint docker_endpoint(const Settings& settings) {
  return parse_docker_remote(settings.remote,
                             {settings.tls_ca, settings.tls_cert, settings.tls_key});
}

int command_run(const CommandLine& line, Settings settings) {
  Signals signals;  // before anything else, so no signal can interrupt an action
  std::unique_ptr<Engine> engine;
  try {
    engine = make_docker_engine(docker_endpoint(settings));
  } catch (const std::exception& e) {
    log_error("remote: {}", e.what());
    return 2;
  }

  std::unique_ptr<RunLock> lock;
  if (!settings.dry_run) {  // a dry run changes nothing, so it may look while another one works
    try {
      lock = take_lock(settings);
    } catch (const std::exception& e) {
      log_error("{}", e.what());
      return 1;
    }
    if (!lock) return 1;
  }

  // What `dockerup status` shows while a pull runs; only with the lock (a dry run pulls nothing).
  std::optional<PullRecordingEngine> recording;
  if (!settings.dry_run)
    recording.emplace(*engine, settings.cache_dir, [] { return std::chrono::system_clock::now(); });
  History history(settings.cache_dir, cache_phase::history);  // its problems: run errors
  ConfdirWatch watch;  // --server only: reconcile as soon as the confdir changes
  FleetSources fleet;  // one per process: parsed documents and credentials outlive a run
  SpecFileCache parsed_specs;  // likewise: unchanged containers.d files are not parsed again
  RunContext context{
      .engine = recording ? static_cast<Engine&>(*recording) : *engine,
      .load_desired =
          [&line, &watch, &fleet, &parsed_specs](Settings& run_settings) {
            SourceLoad load = load_desired_state(run_settings, fleet.as_source(), &parsed_specs);
            apply_command_line(line, run_settings);  // user-data keys never beat the command line
            EnvFilter filter = env_filter(load.state.specs, run_settings.show_secrets);
            for (const auto& warning : load.warnings) log_warning("{}", filter.apply_line(warning));
            watch.follow(run_settings.confdir);
            return load.state;
          },
      .hooks = {.sleep = [](int seconds) { std::this_thread::sleep_for(std::chrono::seconds(seconds)); },
                .stop_requested = [&signals] { return signals.stop_requested(); }},
      .history = &history,
      .detect_self = true,
      .release_lock = [&lock] { lock.reset(); },
      // Each run reads the Docker client config afresh and asks each registry's helper once.
      .make_auth = [](const Settings& run_settings) { return make_registry_auth(run_settings); }};
  if (settings.server && !settings.dry_run)
    return serve(line, settings, context, signals, confdir_triggers(watch, settings.confdir));
  return run_once(settings, context).exit_code;
}

}  // namespace dockerup
