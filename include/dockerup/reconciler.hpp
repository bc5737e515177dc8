// One reconcile run, as named phases (see reconciler.cpp): load sources -> observe -> refresh
// images -> history and holds -> plan -> execute -> verify -> record history -> collect garbage.
#pragma once

#include "dockerup/engine.hpp"
#include "dockerup/executor.hpp"
#include "dockerup/gc.hpp"
#include "dockerup/plan.hpp"
#include "dockerup/settings.hpp"

#include <functional>
#include <memory>
#include <set>
#include <map>
#include <string>

namespace dockerup {

struct RunResult {
  /// 0: every declared container runs as declared; 1: something failed (the rest was still done).
  int exit_code = 0;
  Errors errors;          ///< every problem of the run, with context
  Plan plan;
  ExecutionReport report;
  bool observed = false;  ///< false when the engine could not be listed: nothing was changed
  DesiredState desired;   ///< what the sources declared this run
  ObservedState initial_observed;  ///< the engine as seen before anything was done
  /// The engine as seen at the end of the run (equal to the first look when nothing was done).
  /// `final_observed_complete` is false when that last look failed: GC must not run then.
  ObservedState final_observed;
  bool final_observed_complete = false;
  GcReport gc;  ///< what garbage collection removed (or, in a dry run, would remove)
  /// The run's interval setting after user-data keys were applied: what the server waits next.
  int interval = 0;
  /// The run stopped part-way at an unexpected exception (see run_guarded): what it saw and did
  /// is unknown, so status and metrics keep their previous picture of the containers.
  bool aborted = false;
};

/// Adds problems found after the run itself (the status file's) to its errors; any makes the
/// run fail (exit code 1).
void add_run_errors(RunResult& result, const Errors& errors);

/// Loads the desired state for this run (injected so tests can declare specs directly).
using DesiredStateLoader = std::function<DesiredState(Settings& settings)>;

class History;

struct RunContext {
  Engine& engine;
  DesiredStateLoader load_desired = {};
  ExecutorHooks hooks = {};
  /// Rollback history; null: none kept (tests). Its cache problems (take_problems) become
  /// errors of the run that met them.
  History* history = nullptr;
  std::function<std::int64_t()> now = {};  ///< unix seconds; default: the system clock
  bool detect_self = false;  ///< look for our own container (self-update)
  /// Self-update hand-over: called once this process replaced its own container, so that the
  /// new instance (waiting for the run lock) can take over.
  std::function<void()> release_lock = {};
  /// Makes this run's registry credential lookup (each run starts with an empty cache, so a
  /// rotated token or password is picked up). Unset: anonymous pulls.
  std::function<std::unique_ptr<RegistryAuthSource>(const Settings& settings)> make_auth = {};
};

/// `settings` is this run's copy: user-data may change some of its keys. Whatever fails after the
/// sources were loaded becomes an error of the run, with context; only an exception of
/// `load_desired` itself reaches the caller.
RunResult reconcile_once(Settings settings, RunContext& context);

struct ImageRefresh {
  std::map<std::string, std::string> errors;  ///< reference -> why pulling or checking failed
  bool pulled = false;  ///< some image changed locally: the images must be listed again
  /// Present images whose registry refused the credentials (or whose credentials could not be
  /// found): errors of the run, one per image, though nothing is stopped or replaced for them.
  /// An unreachable registry is not one of them: a warning, the local image stays in use.
  Errors refused;
};

/// Images to pull before planning: missing ones always, present ones when pulling is on for them
/// (global `pull` and the spec's update.pull). Each distinct reference once, `at_once` at a time.
/// `auth` null: anonymous pulls.
ImageRefresh refresh_images(const std::vector<ContainerSpec>& specs,
                            const std::vector<ImageSummary>& images, bool pull_enabled,
                            int at_once, Engine& engine, RegistryAuthSource* auth = nullptr);

/// Dry run: the references whose tag the registry now serves as another image than the local
/// one (asks only for digests; pulls nothing). Unknown answers count as "not moved".
std::set<std::string> moved_images(const std::vector<ContainerSpec>& specs,
                                   const std::vector<ImageSummary>& images, bool pull_enabled,
                                   Engine& engine, RegistryAuthSource* auth = nullptr);

}  // namespace dockerup
