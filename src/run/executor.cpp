// execute: runs a plan's actions as tasks on the scheduler (scheduler.hpp) over the plan's
// dependency graph; perform: one action as one task, its failure turned into an Error value.
#include "dockerup/executor.hpp"

#include "scheduler.hpp"

#include "dockerup/labels.hpp"
#include "dockerup/log.hpp"
#include "dockerup/redact.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace dockerup {
namespace {

/// Why an action failed, as it is logged and reported: a Docker error may echo the create body,
/// so it passes the env filter of the action's spec (redact.hpp) unless --show-secrets.
std::string printable_failure(const Action& action, const char* what, bool show_secrets) {
  if (show_secrets) return what;
  EnvFilter filter;
  if (action.spec) filter.add(*action.spec);
  return filter.apply(what);
}

/// `parallel` slots for engine work; waiting actions hold none, so more may be in progress (each
/// on its own thread, bounded by kTasksPerSlot). parallel=1 stays the serial order: one action
/// in progress, waits included.
ScheduleLimits limits(int parallel) {
  parallel = std::max(parallel, 1);
  return {.working = parallel, .in_flight = parallel == 1 ? 1 : kTasksPerSlot * parallel};
}

}  // namespace

std::size_t ExecutionReport::failures() const {
  std::size_t count = 0;
  for (const auto& outcome : outcomes) count += outcome.error.has_value();
  return count;
}

Labels managed_labels(const ContainerSpec& spec, std::string_view managed_value) {
  return {{std::string(labels::managed), std::string(managed_value)},
          {std::string(labels::name), spec.name},
          {std::string(labels::spec_hash), spec_hash(spec)},
          {std::string(labels::source), spec.source},
          {std::string(labels::image), spec.image}};
}

bool has_fixed_host_port(const ContainerSpec& spec) {
  for (const auto& port : spec.ports)
    if (port.host_port) return true;
  return false;
}

Executor::Executor(Engine& engine, ExecutorOptions options, ExecutorHooks hooks)
    : engine_(engine), options_(options), hooks_(std::move(hooks)) {
  if (!hooks_.sleep)
    hooks_.sleep = [](int seconds) { std::this_thread::sleep_for(std::chrono::seconds(seconds)); };
  if (!hooks_.stop_requested) hooks_.stop_requested = [] { return false; };
}

ExecutionReport Executor::execute(const Plan& plan) {
  std::vector<std::optional<ActionOutcome>> outcomes(plan.actions.size());
  // Each task writes only its own slot; the scheduler's lock orders those writes before the
  // reads below.
  auto schedule = run_scheduled(
      action_graph(plan), limits(options_.parallel),
      [&](std::size_t i, TaskSlot& slot) { outcomes[i] = perform(plan.actions[i], slot); },
      // Only before an action starts: one that has begun is always finished or rolled back.
      [this] { return !hooks_.stop_requested(); });

  ExecutionReport report;
  for (auto& outcome : outcomes)
    if (outcome) report.outcomes.push_back(std::move(*outcome));
  report.interrupted = schedule.stopped;
  if (schedule.stopped)
    Logger::instance().log(LogLevel::Warning, {},
                           fmt::format("stop requested: {} remaining action(s) not started",
                                       plan.actions.size() - report.outcomes.size()));
  std::lock_guard lock(mutex_);
  report.handed_over_to = handed_over_to_;
  return report;
}

ActionOutcome Executor::perform(const Action& action, TaskSlot& slot) {
  auto context = LogContext{.container = action.name, .action = to_string(action.type)};
  Logger::instance().log(LogLevel::Info, context,
                         fmt::format("{} {}: {}{}", to_string(action.type), action.name,
                                     action.reason,
                                     action.image.empty() ? "" : " (image " + action.image + ")"));
  ActionOutcome outcome{action, std::nullopt};
  bool rolling = action.type == ActionType::Replace && action.spec->update.rolling;
  try {
    // Rolling replacements run one after the other (action_graph), so this sees the halt of
    // every rolling replacement before it.
    if (rolling) {
      std::lock_guard lock(mutex_);
      if (!halted_rolling_.empty())
        fail("not started: rolling update halted because {}", halted_rolling_);
    }
    run(action, slot);
  } catch (const std::exception& e) {
    std::string why = printable_failure(action, e.what(), options_.show_secrets);
    outcome.error = Error{fmt::format("container {}", action.name),
                          fmt::format("{} failed: {}", to_string(action.type), why)};
    Logger::instance().log(LogLevel::Error, context, outcome.error->message);
    // One rolling replacement failing stops the others of this run: the next may fail alike.
    std::lock_guard lock(mutex_);
    if (rolling && halted_rolling_.empty())
      halted_rolling_ = fmt::format("{} failed: {}", action.name, why);
  } catch (...) {  // a task must not throw: it would end the whole process
    outcome.error = Error{fmt::format("container {}", action.name),
                          fmt::format("{} failed: unknown error", to_string(action.type))};
    Logger::instance().log(LogLevel::Error, context, outcome.error->message);
  }
  return outcome;
}

}  // namespace dockerup
