// The status file: what the last run did, written to <cache_dir>/status.json after every run so
// `dockerup status` (and a Nagios/NRPE check built on it) can answer without talking to Docker.
#pragma once

#include "dockerup/reconciler.hpp"
#include "dockerup/settings.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace dockerup {

/// One declared container as the last run left it.
struct ContainerStatus {
  std::string name;
  std::string image;     ///< as declared
  std::string source;    ///< where it is declared: a file, "user-data" or a fleet source URL
  std::string image_id;  ///< "sha256:..." of the container's image; empty when it does not exist
  std::string state;     ///< Docker's state (running, exited, ...), "missing", or "unknown"
  std::string last_action;         ///< create, start, replace, rename, remove; empty: never
  std::string last_action_reason;  ///< why the planner chose it
  std::string last_action_result;  ///< ok or failed
  std::string last_action_time;    ///< RFC 3339 (UTC) start of the run that did it
  std::string last_error;          ///< this run's problem with the container; empty: none
  bool operator==(const ContainerStatus&) const = default;
};

/// Values of RunStatus::result.
namespace run_result {
inline constexpr const char* ok = "ok";                    ///< every declared container runs
inline constexpr const char* failed = "failed";            ///< something failed; the rest was done
inline constexpr const char* unreachable = "unreachable";  ///< engine not reachable: no change
inline constexpr const char* interrupted = "interrupted";  ///< SIGTERM between two actions
}  // namespace run_result

struct RunStatus {
  std::string version;  ///< dockerup version that wrote the file
  std::string time;     ///< RFC 3339 (UTC) start of the run
  double duration_seconds = 0;
  std::string result;   ///< see run_result
  int exit_code = 0;    ///< what `dockerup` returned (or would have) for this run
  std::vector<std::string> errors;  ///< every problem of the run, with context
  int actions = 0;         ///< actions carried out
  int failed_actions = 0;  ///< of which failed
  std::string last_success;  ///< RFC 3339 start of the last successful run; empty: none yet
  std::vector<ContainerStatus> containers;  ///< every declared container, in declaration order
  bool operator==(const RunStatus&) const = default;
};

/// "ok", "failed", "unreachable" or "interrupted" for a finished run.
std::string result_name(const RunResult& result);

/// The status of a run that started at `started` and took `took`. `previous` (the last status
/// file) supplies what this run cannot know: the last action of containers it did not touch, the
/// last success time, and image IDs while the engine is unreachable.
RunStatus make_run_status(const RunResult& result, std::chrono::system_clock::time_point started,
                          std::chrono::duration<double> took,
                          const std::optional<RunStatus>& previous);

/// The JSON text of the status file (stable field order, one object).
std::string status_to_json(const RunStatus& status);
/// Parses what status_to_json wrote; nullopt and `error` on anything else.
std::optional<RunStatus> status_from_json(const std::string& text, std::string& error);

/// The human table `dockerup status` prints.
std::string render_status_table(const RunStatus& status);

/// <cache_dir>/status.json
std::string status_file_path(const std::string& cache_dir);

/// Writes the file atomically (readers never see half a file). Throws Failure naming the path.
void save_run_status(const std::string& cache_dir, const RunStatus& status);

/// nullopt with `error` empty when there is no file; with `error` set when it cannot be used.
std::optional<RunStatus> load_run_status(const std::string& cache_dir, std::string& error);

/// What the run commands call after each real run: builds the status from the previous file and
/// saves it. Never throws: the status file's own problems (a previous file that is corrupt,
/// moved aside; one that cannot be written) become errors of `result` (cache_error "status"),
/// so the log, the exit code and the metrics still say what status.json cannot. Does nothing
/// on dry runs: they change nothing, so the last real run's status stays true.
std::optional<RunStatus> record_run_status(const Settings& settings, RunResult& result,
                                           std::chrono::system_clock::time_point started,
                                           std::chrono::duration<double> took);

/// RFC 3339 in UTC with seconds: "2026-11-23T13:37:00Z".
std::string format_utc(std::chrono::system_clock::time_point time);

}  // namespace dockerup
