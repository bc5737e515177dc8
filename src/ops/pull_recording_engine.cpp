// PullRecordingEngine: each pull of a run leaves <cache_dir>/pulls/PID-N.json while it runs.
#include "dockerup/cache_files.hpp"
#include "dockerup/log.hpp"
#include "dockerup/pull_records.hpp"
#include "dockerup/status.hpp"

#include <fmt/format.h>

#include <unistd.h>

namespace dockerup {
namespace {

constexpr const char* kFolder = "pulls";

/// The record of one pull: written at the start and on progress, removed however the pull ends.
class RecordedPull {
 public:
  RecordedPull(CacheFiles files, std::string name, PullRecord record)
      : files_(std::move(files)), name_(std::string(kFolder) + "/" + std::move(name)),
        record_(std::move(record)) {
    write();
  }
  ~RecordedPull() {
    try {
      files_.remove(name_);
    } catch (const std::exception& e) {
      log_warning("cannot remove the record of the pull of {}: {}", record_.image, e.what());
    }
  }
  RecordedPull(const RecordedPull&) = delete;
  RecordedPull& operator=(const RecordedPull&) = delete;

  void progress(const PullCounts& counts) {
    record_.counts = counts;
    write();
  }

 private:
  void write() {
    try {
      files_.write(name_, pull_record_to_json(record_));
    } catch (const std::exception& e) {  // a full or read-only cache: the pull matters more
      if (!warned_) log_warning("cannot record the pull of {} for `dockerup status`: {}", record_.image, e.what());
      warned_ = true;
    }
  }

  CacheFiles files_;
  std::string name_;
  PullRecord record_;
  bool warned_ = false;
};

}  // namespace

PullRecordingEngine::PullRecordingEngine(Engine& inner, std::string cache_dir, Clock clock)
    : inner_(inner), cache_dir_(std::move(cache_dir)), clock_(std::move(clock)) {
  try {
    CacheFiles files(cache_dir_);
    std::string mine = fmt::format("{}-", getpid());
    for (const auto& name : files.file_names(kFolder))
      if (!name.starts_with(mine)) files.remove(std::string(kFolder) + "/" + name);
  } catch (const std::exception& e) {
    log_warning("cannot remove the pull records of earlier runs: {}", e.what());
  }
}

void PullRecordingEngine::pull(const std::string& reference, const RegistryAuth* auth,
                               const PullObserver& observer) {
  RecordedPull recorded(CacheFiles(cache_dir_), fmt::format("{}-{}.json", getpid(), next_++),
                        PullRecord{getpid(), reference, format_utc(clock_()), {}});
  inner_.pull(reference, auth, [&](const PullCounts& counts) {
    recorded.progress(counts);
    if (observer) observer(counts);
  });
}

}  // namespace dockerup
