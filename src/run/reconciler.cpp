// reconcile_once: one run as named phases, in this order:
//   load sources -> observe -> refresh images -> history and holds -> plan -> execute -> verify
//   -> record history -> collect garbage.
// Each phase takes what it reads as parameters and returns what it produces. A phase that fails
// adds an Error with context ("docker", "registry", "history", "gc"; "cache (PHASE)" for a cache
// file that cannot be written or read, or was corrupt) to the run instead of throwing, so one broken step never ends the run with an exception (only the source loader's
// own exceptions reach the caller: without a declared state there is no run).
#include "dockerup/reconciler.hpp"

#include "dockerup/history.hpp"
#include "dockerup/log.hpp"
#include "dockerup/self_container.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdint>
#include <map>
#include <memory>
#include <set>

namespace dockerup {
namespace {

/// How many image references are checked or pulled at once (never more than `parallel`).
constexpr int kPullsAtOnce = 4;

void append(Errors& to, const Errors& from) { to.insert(to.end(), from.begin(), from.end()); }

/// Runs one step of a phase; its exception becomes the error "<what>: <why><consequence>" of
/// the run at `where`. Returns whether the step completed.
template <typename Step>
bool guarded(Errors& errors, std::string_view where, std::string_view what, Step&& step,
             std::string_view consequence = {}) {
  std::string why;
  try {
    step();
    return true;
  } catch (const std::exception& e) {
    why = e.what();
  } catch (...) {
    why = "unknown error";
  }
  errors.push_back({std::string(where), fmt::format("{}: {}{}", what, why, consequence)});
  return false;
}

std::int64_t now_of(const RunContext& context) {
  if (context.now) return context.now();
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---- Phase 0: load sources -------------------------------------------------------------------

/// The declared state; user-data may change this run's `settings`. Sources report their own
/// problems as errors; a loader that throws means the run cannot start, which the caller (the
/// server's catch-all) reports.
DesiredState load_sources(Settings& settings, const DesiredStateLoader& load, Errors& errors) {
  DesiredState desired = load(settings);
  append(errors, desired.errors);
  return desired;
}

// ---- Phase 1: observe ------------------------------------------------------------------------

/// Every container and image. nullopt when the engine cannot be listed: without a complete view
/// any decision could remove or duplicate containers.
std::optional<ObservedState> observe(Engine& engine, Errors& errors, std::string_view what,
                                     std::string_view consequence) {
  ObservedState observed;
  if (!guarded(errors, "docker", what, [&] {
        observed.containers = engine.list_containers();
        observed.images = engine.list_images();
        attach_image_labels(observed);
      }, consequence))
    return std::nullopt;
  return observed;
}

// ---- Phase 2: refresh images -----------------------------------------------------------------

/// This run's registry credential lookup (null: anonymous). Each run makes a new one, so a
/// rotated token or password is picked up.
std::unique_ptr<RegistryAuthSource> make_auth(const Settings& settings, RunContext& context,
                                              Errors& errors) {
  std::unique_ptr<RegistryAuthSource> auth;
  if (context.make_auth)
    guarded(errors, "registry", "cannot set up registry credentials (pulling anonymously)",
            [&] { auth = context.make_auth(settings); });
  return auth;
}

/// Pulls what is missing (and, with pull on, what moved in its registry), then lists the images
/// again if any changed. Returns the pull errors for the planner; nullopt when the images
/// cannot be listed again (nothing may be decided then).
std::optional<std::map<std::string, std::string>> refresh(const Settings& settings,
                                                          const std::vector<ContainerSpec>& specs,
                                                          Engine& engine, RegistryAuthSource* auth,
                                                          ObservedState& observed,
                                                          Errors& errors) {
  ImageRefresh refresh = refresh_images(specs, observed.images, settings.pull,
                                        std::min(kPullsAtOnce, settings.parallel), engine, auth);
  append(errors, refresh.refused);
  if (refresh.pulled && !guarded(errors, "docker", "cannot list images after pulling", [&] {
        observed.images = engine.list_images();
        attach_image_labels(observed);
      }, "; nothing was changed"))
    return std::nullopt;
  return refresh.errors;
}

// ---- Phase 3: history and holds --------------------------------------------------------------

/// Crash-loop rollbacks are requested, then rollbacks and holds replace declared specs in
/// `desired`. Returns the names rolled back this run. A broken history is an error; the run goes
/// on with the specs as declared.
std::set<std::string> history_and_holds(const Settings& settings, const ObservedState& observed,
                                        RunContext& context, DesiredState& desired,
                                        Errors& errors) {
  std::set<std::string> rolled_back;
  if (!context.history) return rolled_back;
  guarded(errors, "history", "cannot apply rollbacks and holds", [&] {
    if (!settings.dry_run)
      request_crash_loop_rollbacks(observed.containers, *context.history, context.engine,
                                   settings.crashloop_restarts,
                                   60 + std::int64_t{settings.interval}, now_of(context));
    rolled_back = apply_history(desired, observed.images, *context.history);
  });
  return rolled_back;
}

// ---- Phase 4: plan ---------------------------------------------------------------------------

PlanOptions plan_options(const Settings& settings, std::map<std::string, std::string> pull_errors,
                         std::set<std::string> moved_images, const std::string& self_id) {
  PlanOptions options;
  options.exclusive = settings.exclusive;
  options.pulls_attempted = !settings.dry_run;
  options.pull_errors = std::move(pull_errors);
  options.moved_images = std::move(moved_images);
  if (!self_id.empty()) options.never_remove.insert(self_id);
  return options;
}

// ---- Phase 5: execute ------------------------------------------------------------------------

ExecutionReport execute(const Settings& settings, const Plan& plan, const std::string& self_id,
                        RegistryAuthSource* auth, RunContext& context) {
  const ExecutorOptions options{.stop_timeout = settings.stop_timeout,
                                .start_wait = settings.start_wait,
                                .rolling_wait = settings.rolling_wait,
                                .health_timeout = settings.health_timeout,
                                .remove_volumes = !settings.gc_keep_volumes,
                                .self_id = self_id,
                                .auth = auth,
                                .parallel = settings.parallel,
                                .show_secrets = settings.show_secrets};
  Executor executor(context.engine, options, context.hooks);
  return executor.execute(plan);
}

// ---- Phase 6: verify -------------------------------------------------------------------------

/// Every declared container runs (or, for a one-shot with restart "no", finished with 0).
Errors verify_declared(const std::vector<ContainerSpec>& specs,
                       const std::vector<ContainerSummary>& containers) {
  Errors errors;
  std::map<std::string, const ContainerSummary*> by_name;
  for (const auto& c : containers) by_name[c.name] = &c;
  for (const auto& spec : specs) {
    auto it = by_name.find(spec.name);
    const ContainerSummary* found = it == by_name.end() ? nullptr : it->second;
    if (!found) {
      errors.push_back({fmt::format("container {}", spec.name), "does not exist after the run"});
    } else if (found->state == "restarting") {
      errors.push_back({fmt::format("container {}", spec.name),
                        fmt::format("keeps restarting ({})", found->status)});
    } else if (!found->running() && !(found->exit_code == 0 && spec.restart == "no")) {
      errors.push_back({fmt::format("container {}", spec.name),
                        fmt::format("is not running ({})", found->status)});
    }
  }
  return errors;
}

/// Containers this run created or started are inspected once more: a crash loop that happens to
/// be up in the listing shows in its restart count. Only those, so a no-op run inspects nothing.
Errors verify_started(const ExecutionReport& report, const std::vector<ContainerSummary>& after,
                      Engine& engine) {
  Errors errors;
  for (const auto& outcome : report.outcomes) {
    const Action& action = outcome.action;
    if (outcome.error || (action.type != ActionType::Create && action.type != ActionType::Start))
      continue;
    for (const auto& c : after) {
      if (c.name != action.name || !c.running()) continue;
      try {
        auto details = engine.inspect_container(c.id);
        if (details.restart_count > 0)
          errors.push_back({fmt::format("container {}", action.name),
                            fmt::format("restarted {} time(s) since it was started (last exit "
                                        "code {})", details.restart_count, details.exit_code)});
      } catch (const std::exception& e) {
        errors.push_back({fmt::format("container {}", action.name),
                          fmt::format("cannot inspect it after starting: {}", e.what())});
      }
    }
  }
  return errors;
}

struct Verified {
  ObservedState final;    ///< the engine at the end of the run
  bool current = true;    ///< `final` was looked at after the last action (history may use it)
  bool complete = true;   ///< ... and the run was not interrupted (GC may use it)
};

/// Looks at the engine again (a no-op run already saw that everything runs) once new containers
/// had start_wait seconds to fail, and checks every declared container that has no error yet.
/// A run stopped by a signal only looks, without waiting and without a verdict.
Verified verify(const Settings& settings, const DesiredState& desired, const Plan& plan,
                const ExecutionReport& report, const ObservedState& before, RunContext& context,
                Errors& errors) {
  Verified verified{before, true, !report.interrupted};
  if (!plan.actions.empty()) {
    bool started = std::any_of(plan.actions.begin(), plan.actions.end(), [](const Action& a) {
      return a.type == ActionType::Create || a.type == ActionType::Start;
    });
    if (started && !report.interrupted && settings.start_wait > 0 && context.hooks.sleep)
      context.hooks.sleep(settings.start_wait);
    auto again = observe(context.engine, errors, "cannot verify the result", "");
    if (!again) return {before, false, false};
    verified.final = std::move(*again);
  }
  if (report.interrupted) return verified;
  // Specs with an error were reported already; verify only the ones acted on or kept.
  std::set<std::string> reported;
  for (const auto& error : errors) reported.insert(error.where);
  std::vector<ContainerSpec> to_verify;
  for (const auto& spec : desired.specs)
    if (!reported.count(fmt::format("container {}", spec.name))) to_verify.push_back(spec);
  append(errors, verify_declared(to_verify, verified.final.containers));
  append(errors, verify_started(report, verified.final.containers, context.engine));
  return verified;
}

// ---- Phase 7: record history -----------------------------------------------------------------

void record(const std::vector<ContainerSpec>& declared, const std::set<std::string>& rolled_back,
            const ObservedState& before, const ExecutionReport& report,
            const ObservedState& after, RunContext& context, Errors& errors) {
  if (!context.history) return;
  guarded(errors, "history", "cannot record what runs now (rollback may miss this version)", [&] {
    record_history(*context.history, declared, rolled_back, before, report, after,
                   now_of(context));
  });
}

// ---- Phase 8: collect garbage ----------------------------------------------------------------

/// GC checks its own preconditions (complete looks, every source read, gc=off); images it cannot
/// remove are warnings in its report. Only a failure of GC itself is an error of the run.
GcReport collect(const Settings& settings, const GcRunFacts& facts,
                 const std::vector<ContainerSpec>& declared, RunContext& context, Errors& errors) {
  GcReport report;
  report.dry_run = settings.dry_run;
  guarded(errors, "gc", "garbage collection failed", [&] {
    // Images GC keeps for rollback, asked after this run's history is recorded.
    // gc=off plans nothing, so the histories (a file per container) are not read for it.
    bool wanted = context.history && settings.gc != GcMode::Off;
    auto keep = wanted ? context.history->kept_images(declared) : std::set<std::string>{};
    report = collect_garbage(settings, facts, context.engine, keep);
  });
  append(errors, report.cache_errors);  // the image ledger's; GC itself went on
  return report;
}

/// The run's result, with the history's cache problems of this run (files that could not be
/// read or written, corrupt ones moved aside) among its errors.
RunResult finished(RunResult result, const RunContext& context) {
  if (context.history) append(result.errors, context.history->take_problems());
  result.exit_code = result.errors.empty() ? 0 : 1;
  return result;
}

}  // namespace

void add_run_errors(RunResult& result, const Errors& errors) {
  append(result.errors, errors);
  if (!errors.empty()) result.exit_code = 1;
}

RunResult reconcile_once(Settings settings, RunContext& context) {
  RunResult result;
  Errors& errors = result.errors;

  result.desired = load_sources(settings, context.load_desired, errors);
  result.interval = settings.interval;  // user-data may have set it
  const std::vector<ContainerSpec> declared = result.desired.specs;  // before rollbacks, holds

  auto observed =
      observe(context.engine, errors, "cannot observe the engine", "; nothing was changed");
  if (!observed) return finished(std::move(result), context);
  result.observed = true;

  // This run's credential lookup: each registry is asked at most once per run.
  auto auth = make_auth(settings, context, errors);
  std::map<std::string, std::string> pull_errors;
  std::set<std::string> moved;
  if (settings.dry_run) {  // a dry run pulls nothing: the plan shows the pulls instead
    moved = moved_images(result.desired.specs, observed->images, settings.pull, context.engine,
                         auth.get());
  } else {
    auto refreshed = refresh(settings, result.desired.specs, context.engine, auth.get(),
                             *observed, errors);
    if (!refreshed) return finished(std::move(result), context);
    pull_errors = std::move(*refreshed);
  }

  auto rolled_back = history_and_holds(settings, *observed, context, result.desired, errors);
  result.initial_observed = *observed;

  const std::string self_id =
      context.detect_self ? detect_self_container(observed->containers).value_or("") : "";
  result.plan = make_plan(result.desired, *observed,
                          plan_options(settings, std::move(pull_errors), std::move(moved), self_id));
  append(errors, result.plan.errors);

  Verified verified;  // ObservedState holds every container's labels: moved, not copied
  if (settings.dry_run) {
    verified.final = std::move(*observed);
  } else {
    result.report = execute(settings, result.plan, self_id, auth.get(), context);
    for (const auto& outcome : result.report.outcomes)
      if (outcome.error) errors.push_back(*outcome.error);
    verified = verify(settings, result.desired, result.plan, result.report, *observed, context,
                      errors);
    if (verified.current)
      record(declared, rolled_back, result.initial_observed, result.report, verified.final,
             context, errors);
  }
  result.final_observed = std::move(verified.final);
  result.final_observed_complete = verified.complete;

  GcRunFacts facts{.observed_completely = result.observed && result.final_observed_complete,
                   .failed_sources = result.desired.failed_sources,
                   .specs = result.desired.specs,
                   .containers_before = result.initial_observed.containers,
                   .containers_after = result.final_observed.containers,
                   .images_after = result.final_observed.images};
  result.gc = collect(settings, facts, declared, context, errors);
  return finished(std::move(result), context);
}

}  // namespace dockerup
