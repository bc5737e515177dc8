#include "dockerup/reconciler.hpp"

#include "dockerup/history.hpp"
#include "dockerup/image_ref.hpp"
#include "dockerup/self_container.hpp"
#include "dockerup/log.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <set>

namespace dockerup {
namespace {

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

void append(Errors& to, const Errors& from) { to.insert(to.end(), from.begin(), from.end()); }

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

std::int64_t now_of(const RunContext& context) {
  if (context.now) return context.now();
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

RunResult reconcile_once(Settings settings, RunContext& context) {
  RunResult result;
  result.desired = context.load_desired(settings);
  result.interval = settings.interval;  // user-data may have set it
  DesiredState& desired = result.desired;
  const std::vector<ContainerSpec> declared = desired.specs;  // before rollbacks and holds
  append(result.errors, desired.errors);

  ObservedState observed;
  try {
    observed.containers = context.engine.list_containers();
    observed.images = context.engine.list_images();
    attach_image_labels(observed);
  } catch (const std::exception& e) {
    // Without a complete view, any decision could remove or duplicate containers: do nothing.
    result.errors.push_back({"docker", fmt::format("cannot observe the engine: {}; nothing was "
                                                   "changed", e.what())});
    result.exit_code = 1;
    return result;
  }
  result.observed = true;

  PlanOptions options;
  options.exclusive = settings.exclusive;
  options.pulls_attempted = !settings.dry_run;
  // This run's credential lookup: each registry is asked at most once per run.
  std::unique_ptr<RegistryAuthSource> auth = context.make_auth ? context.make_auth(settings) : nullptr;
  if (settings.dry_run)
    options.moved_images =
        moved_images(desired.specs, observed.images, settings.pull, context.engine, auth.get());
  if (!settings.dry_run) {
    bool pulled = false;
    options.pull_errors = refresh_images(desired.specs, observed.images, settings.pull,
                                         context.engine, pulled, auth.get());
    if (pulled) {
      try {
        observed.images = context.engine.list_images();
        attach_image_labels(observed);
      } catch (const std::exception& e) {
        result.errors.push_back({"docker", fmt::format("cannot list images after pulling: {}; "
                                                       "nothing was changed", e.what())});
        result.exit_code = 1;
        return result;
      }
    }
  }

  std::set<std::string> rolled_back;
  if (context.history) {
    if (!settings.dry_run)
      request_crash_loop_rollbacks(observed.containers, *context.history, context.engine,
                                   settings.crashloop_restarts,
                                   60 + std::int64_t{settings.interval},
                                   now_of(context));
    rolled_back = apply_history(desired, observed.images, *context.history);
  }

  result.initial_observed = observed;
  // Images GC keeps for rollback; asked after this run's history is recorded.
  auto kept_images = [&] {
    return context.history ? context.history->kept_images(declared) : std::set<std::string>{};
  };

  const std::string self_id =
      context.detect_self ? detect_self_container(observed.containers).value_or("") : "";
  if (!self_id.empty()) options.never_remove.insert(self_id);

  result.plan = make_plan(desired, observed, options);
  append(result.errors, result.plan.errors);
  if (settings.dry_run) {
    result.final_observed = observed;
    result.final_observed_complete = true;
    result.gc = collect_garbage(settings, result, context.engine, kept_images());
    result.exit_code = result.errors.empty() ? 0 : 1;
    return result;
  }

  const ExecutorOptions executor_options{.stop_timeout = settings.stop_timeout,
                                         .start_wait = settings.start_wait,
                                         .rolling_wait = settings.rolling_wait,
                                         .health_timeout = settings.health_timeout,
                                         .remove_volumes = !settings.gc_keep_volumes,
                                         .self_id = self_id,
                                         .auth = auth.get()};
  Executor executor(context.engine, executor_options, context.hooks);
  result.report = executor.execute(result.plan);
  for (const auto& outcome : result.report.outcomes)
    if (outcome.error) result.errors.push_back(*outcome.error);

  // A no-op run already saw that everything runs; otherwise look again once the new containers
  // had start_wait seconds to fail.
  if (!result.plan.actions.empty() && !result.report.interrupted) {
    bool created = false;
    for (const auto& action : result.plan.actions)
      created = created || action.type == ActionType::Create || action.type == ActionType::Start;
    if (created && settings.start_wait > 0 && context.hooks.sleep) context.hooks.sleep(settings.start_wait);
    try {
      observed.containers = context.engine.list_containers();
      observed.images = context.engine.list_images();
      attach_image_labels(observed);
    } catch (const std::exception& e) {
      result.errors.push_back({"docker", fmt::format("cannot verify the result: {}", e.what())});
      result.final_observed = observed;
      result.exit_code = 1;
      return result;
    }
  }
  result.final_observed = observed;
  result.final_observed_complete = !result.report.interrupted;
  if (context.history)
    record_history(*context.history, declared, rolled_back, result.initial_observed, result.report, observed,
                   now_of(context));
  // GC checks its own preconditions (complete observation, every source read, gc=off); its
  // failures are warnings and never change the exit status.
  result.gc = collect_garbage(settings, result, context.engine, kept_images());
  // Specs with a plan error were reported already; verify only the ones that were acted on or kept.
  std::set<std::string> reported;
  for (const auto& error : result.errors) reported.insert(error.where);
  std::vector<ContainerSpec> to_verify;
  for (const auto& spec : desired.specs)
    if (!reported.count(fmt::format("container {}", spec.name))) to_verify.push_back(spec);
  if (!result.report.interrupted) {
    append(result.errors, verify_declared(to_verify, observed.containers));
    append(result.errors, verify_started(result.report, observed.containers, context.engine));
  }

  result.exit_code = result.errors.empty() ? 0 : 1;
  return result;
}

}  // namespace dockerup
