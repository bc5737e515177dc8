#include "command_status.hpp"

#include "dockerup/fleet.hpp"
#include "dockerup/pull_records.hpp"
#include "dockerup/status.hpp"

#include <unistd.h>

#include <cstdio>

namespace dockerup {
namespace {

/// A user other than root reads only what that user may: the cache dir is root's and 0700.
void print_non_root_note() {
  if (geteuid() == 0) return;
  std::printf("note: dockerup status runs as uid %u and reads only what that user may; the cache "
              "dir is private to root (run it as root, e.g. through sudo)\n",
              static_cast<unsigned>(geteuid()));
}

}  // namespace

int status_unknown(const Errors& errors) {
  for (const auto& error : errors) std::printf("UNKNOWN: %s\n", error.str().c_str());
  print_non_root_note();
  return kStatusUnknown;
}

int command_status(const CommandLine& line, const Settings& settings) {
  std::string error;
  std::optional<RunStatus> status = load_run_status(settings.cache_dir, error);
  // Read now, not at the last run: a pull that runs (the first run's too) is news right now.
  std::vector<PullRecord> pulls = live_pulls(settings.cache_dir);
  if (!status) {
    if (!error.empty()) return status_unknown({{"", error}});
    std::printf("UNKNOWN: no status file at %s: %s\n", status_file_path(settings.cache_dir).c_str(),
                pulls.empty() ? "dockerup has not run yet with this cache dir"
                              : "the first run with this cache dir is still going");
    for (const auto& pull : pulls) std::printf("%s\n", describe_pull(pull).c_str());
    return kStatusUnknown;
  }
  if (line.json) {
    // Written again from what was parsed, so the output matches the exit status even if a run
    // replaces the file meanwhile (fields documented in dockerup(8)).
    std::string json = add_pulls_json(
        add_fleet_pending_json(status_to_json(*status), settings.cache_dir), pulls);
    std::fputs(json.c_str(), stdout);
  } else {
    std::fputs(render_status_table(*status).c_str(), stdout);
    // Read now, not at the last run: a waiting change is news until its slot comes.
    auto notices = fleet_status_lines(settings.cache_dir);
    for (const auto& pull : pulls) notices.push_back(describe_pull(pull));
    if (!notices.empty()) std::fputs("\n", stdout);
    for (const auto& notice : notices) std::printf("%s\n", notice.c_str());
  }
  return status->result == run_result::ok ? kStatusOk : kStatusFailed;
}

}  // namespace dockerup
