// The metrics store and its Prometheus text rendering.
#include "dockerup/metrics.hpp"

#include "dockerup/cache_files.hpp"
#include "dockerup/labels.hpp"
#include "dockerup/plan.hpp"
#include "dockerup/status.hpp"

#include <fmt/format.h>

namespace dockerup {
namespace {

// Every series exists from the start (at 0), so rate() and alerts work before the first event.
constexpr const char* kResults[] = {run_result::ok, run_result::failed, run_result::unreachable,
                                    run_result::interrupted};
constexpr ActionType kActionTypes[] = {ActionType::Remove, ActionType::Create, ActionType::Start,
                                       ActionType::Replace, ActionType::Rename};
constexpr const char* kStates[] = {"created", "running", "paused", "restarting",
                                   "removing", "exited", "dead"};

/// Label values escaped as the text format asks (backslash, quote, newline).
std::string escape(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"')
      out += {'\\', c};
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

Metrics::Metrics() {
  for (const char* result : kResults) runs_[result] = 0;
  for (ActionType type : kActionTypes)
    for (const char* result : {"ok", "failed"}) actions_[{std::string(to_string(type)), result}] = 0;
  for (const char* state : kStates) managed_[state] = 0;
  for (const char* phase : cache_phase::all) cache_errors_[phase] = 0;
}

void Metrics::record_run(const RunResult& result, double duration_seconds, std::int64_t now_unix) {
  std::lock_guard lock(mutex_);
  std::string name = result_name(result);
  ++runs_[name];
  any_run_ = true;
  last_duration_ = duration_seconds;
  errors_ += result.errors.size();
  for (const auto& error : result.errors)
    if (auto phase = cache_error_phase(error)) ++cache_errors_[*phase];
  engine_reachable_ = result.observed;
  if (name == run_result::ok) last_success_ = now_unix;
  for (const auto& outcome : result.report.outcomes)
    ++actions_[{std::string(to_string(outcome.action.type)), outcome.error ? "failed" : "ok"}];
  // Without a fresh look at the engine the previous counts are the best we know.
  if (result.observed && !result.aborted) {
    for (auto& [state, count] : managed_) count = 0;
    for (const auto& c : result.final_observed.containers)
      if (c.managed()) ++managed_[c.state];
  }
}

bool Metrics::engine_reachable() const {
  std::lock_guard lock(mutex_);
  return engine_reachable_;
}

bool Metrics::any_run() const {
  std::lock_guard lock(mutex_);
  return any_run_;
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  header(out, "dockerup_runs_total", "counter", "Reconcile runs by result.");
  for (const auto& [result, count] : runs_)
    out += fmt::format("dockerup_runs_total{{result=\"{}\"}} {}\n", escape(result), count);
  header(out, "dockerup_run_duration_seconds", "gauge", "Duration of the last run.");
  out += fmt::format("dockerup_run_duration_seconds {:.3f}\n", last_duration_);
  header(out, "dockerup_actions_total", "counter", "Actions carried out, by kind and result.");
  for (const auto& [key, count] : actions_)
    out += fmt::format("dockerup_actions_total{{kind=\"{}\",result=\"{}\"}} {}\n",
                       escape(key.first), escape(key.second), count);
  header(out, "dockerup_errors_total", "counter", "Problems reported by runs.");
  out += fmt::format("dockerup_errors_total {}\n", errors_);
  header(out, "dockerup_cache_errors_total", "counter",
         "Cache files (history, image ledger, last-known-good copies, status) that could not be "
         "written or read, or were corrupt, by run phase.");
  for (const auto& [phase, count] : cache_errors_)
    out += fmt::format("dockerup_cache_errors_total{{phase=\"{}\"}} {}\n", escape(phase), count);
  header(out, "dockerup_managed_containers", "gauge",
         "Containers dockerup created, by Docker state, at the end of the last run.");
  for (const auto& [state, count] : managed_)
    out += fmt::format("dockerup_managed_containers{{state=\"{}\"}} {}\n", escape(state), count);
  header(out, "dockerup_engine_reachable", "gauge",
         "1 when the last run could reach the Docker engine.");
  out += fmt::format("dockerup_engine_reachable {}\n", engine_reachable_ ? 1 : 0);
  if (last_success_) {
    header(out, "dockerup_last_success_timestamp_seconds", "gauge",
           "Unix time at the end of the last successful run.");
    out += fmt::format("dockerup_last_success_timestamp_seconds {}\n", *last_success_);
  }
  return out;
}

}  // namespace dockerup
