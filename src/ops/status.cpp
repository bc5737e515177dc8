// Building the status of one run from its RunResult, and keeping it in the cache dir.
#include "dockerup/status.hpp"

#include "dockerup/error.hpp"
#include "dockerup/labels.hpp"
#include "dockerup/utc_time.hpp"
#include "dockerup/cache_files.hpp"

#include <fmt/format.h>


namespace dockerup {
namespace {

/// The container of declared name `name`: by Docker name, else by dockerup's name label (a
/// replacement left under a temporary name still belongs to it).
const ContainerSummary* find_container(const ObservedState& observed, const std::string& name) {
  for (const auto& c : observed.containers)
    if (c.name == name) return &c;
  for (const auto& c : observed.containers) {
    auto label = c.labels.find(std::string(labels::name));
    if (label != c.labels.end() && label->second == name) return &c;
  }
  return nullptr;
}

const ContainerStatus* find_previous(const std::optional<RunStatus>& previous,
                                     const std::string& name) {
  if (!previous) return nullptr;
  for (const auto& c : previous->containers)
    if (c.name == name) return &c;
  return nullptr;
}

/// Every error of the run about this container, joined.
std::string errors_about(const RunResult& result, const std::string& name) {
  std::string where = fmt::format("container {}", name);
  std::string joined;
  for (const auto& error : result.errors) {
    if (error.where != where) continue;
    if (!joined.empty()) joined += "; ";
    joined += error.message;
  }
  return joined;
}

/// What this run did to the container, or what an earlier run did (from `before`).
void fill_last_action(ContainerStatus& status, const RunResult& result, const std::string& time,
                      const ContainerStatus* before) {
  for (const auto& outcome : result.report.outcomes) {
    if (outcome.action.name != status.name) continue;
    status.last_action = std::string(to_string(outcome.action.type));
    status.last_action_reason = outcome.action.reason;
    status.last_action_result = outcome.error ? "failed" : "ok";
    status.last_action_time = time;
  }
  if (status.last_action.empty() && before) {
    status.last_action = before->last_action;
    status.last_action_reason = before->last_action_reason;
    status.last_action_result = before->last_action_result;
    status.last_action_time = before->last_action_time;
  }
}

ContainerStatus container_status(const ContainerSpec& spec, const RunResult& result,
                                 const std::string& time, const std::optional<RunStatus>& previous) {
  ContainerStatus status;
  status.name = spec.name;
  status.image = spec.image;
  status.source = spec.source;
  const ContainerStatus* before = find_previous(previous, spec.name);
  if (!result.observed) {
    // The engine did not answer: say so instead of guessing, keep what was last known.
    status.state = "unknown";
    if (before) status.image_id = before->image_id;
  } else if (const ContainerSummary* found = find_container(result.final_observed, spec.name)) {
    status.state = found->state;
    status.image_id = found->image_id;
  } else {
    status.state = "missing";
  }
  fill_last_action(status, result, time, before);
  status.last_error = errors_about(result, spec.name);
  return status;
}

}  // namespace

std::string format_utc(std::chrono::system_clock::time_point time) {
  return strftime_utc(time, "%Y-%m-%dT%H:%M:%SZ");
}

std::string result_name(const RunResult& result) {
  if (!result.observed) return run_result::unreachable;
  if (result.report.interrupted) return run_result::interrupted;
  return result.exit_code == 0 ? run_result::ok : run_result::failed;
}

RunStatus make_run_status(const RunResult& result, std::chrono::system_clock::time_point started,
                          std::chrono::duration<double> took,
                          const std::optional<RunStatus>& previous) {
  RunStatus status;
  status.version = DOCKERUP_VERSION;
  status.time = format_utc(started);
  status.duration_seconds = took.count();
  status.result = result_name(result);
  status.exit_code = result.exit_code;
  for (const auto& error : result.errors) status.errors.push_back(error.str());
  for (const auto& outcome : result.report.outcomes) {
    ++status.actions;
    if (outcome.error) ++status.failed_actions;
  }
  if (status.result == run_result::ok)
    status.last_success = status.time;
  else if (previous)
    status.last_success = previous->last_success;
  if (result.aborted) {  // nothing known about this run's containers: the last picture stands
    if (previous) status.containers = previous->containers;
    return status;
  }
  for (const auto& spec : result.desired.specs)
    status.containers.push_back(container_status(spec, result, status.time, previous));
  return status;
}

constexpr const char* kStatusFile = "status.json";

std::string status_file_path(const std::string& cache_dir) { return cache_dir + "/" + kStatusFile; }

void save_run_status(const std::string& cache_dir, const RunStatus& status) {
  CacheFiles(cache_dir).write(kStatusFile, status_to_json(status));
}

namespace {

/// The previous status through `files` (which reports a file it does not trust).
std::optional<RunStatus> load_previous(const CacheFiles& files, std::string& error) {
  error.clear();
  std::optional<std::string> text;
  try {
    text = files.read(kStatusFile);  // one that is not trusted is moved aside
  } catch (const Failure& e) {
    error = e.what();
    return std::nullopt;
  }
  if (!text) return std::nullopt;
  std::string why;
  std::optional<RunStatus> status = status_from_json(*text, why);
  if (!status) error = fmt::format("{}: {}", files.path(kStatusFile), why);
  return status;
}

}  // namespace

std::optional<RunStatus> load_run_status(const std::string& cache_dir, std::string& error) {
  return load_previous(CacheFiles(cache_dir), error);
}

std::optional<RunStatus> record_run_status(const Settings& settings, RunResult& result,
                                           std::chrono::system_clock::time_point started,
                                           std::chrono::duration<double> took) {
  if (settings.dry_run) return std::nullopt;
  CacheFiles files(settings.cache_dir, cache_phase::status);
  std::string error;
  std::optional<RunStatus> previous = load_previous(files, error);
  if (!error.empty())  // corrupt or unreadable: moved aside, rebuilt below
    files.set_aside(kStatusFile, "previous status ignored: " + error);
  add_run_errors(result, files.take_problems());  // in the file written next
  RunStatus status = make_run_status(result, started, took, previous);
  // Not written: the error is the run's (log, exit code, metrics, STATUS=), not the file's.
  if (!files.try_write(kStatusFile, status_to_json(status)))
    add_run_errors(result, files.take_problems());
  return status;
}

}  // namespace dockerup
