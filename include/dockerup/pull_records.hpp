// The pulls a run has going, for `dockerup status`: a boot-time pull of a large image must not
// look like a hang. While a pull runs, <cache_dir>/pulls/PID-N.json names the image, since when,
// and how far it is; the file goes when the pull ends, whether it worked or not. A file left by
// a run that crashed is never shown as a pull: only those of the process that holds the cache
// dir's run lock count (RunLock::held_by), and the next run removes the others.
#pragma once

#include "dockerup/engine.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace dockerup {

/// One running pull. Image references carry no credentials; nothing else is recorded.
struct PullRecord {
  int pid = 0;         ///< the dockerup that pulls
  std::string image;   ///< as declared
  std::string since;   ///< RFC 3339 (UTC) start of the pull
  PullCounts counts;
  bool operator==(const PullRecord&) const = default;
};

std::string pull_record_to_json(const PullRecord& record);
/// nullopt when `text` is not what pull_record_to_json writes.
std::optional<PullRecord> pull_record_from_json(const std::string& text);

/// The pulls running now in this cache dir, oldest first; none when no dockerup holds its lock.
std::vector<PullRecord> live_pulls(const std::string& cache_dir);

/// "pulling IMAGE since TIME (2/5 layers, 1.5 MB of 3.2 MB)"
std::string describe_pull(const PullRecord& record);
/// `dockerup status --json`: the status object with a "pulling" array added (always present).
std::string add_pulls_json(const std::string& status_json, const std::vector<PullRecord>& pulls);

/// The engine of a run, keeping a record of each pull while it runs (see the top of this file).
/// Every other call goes straight to `inner`. A record that cannot be written costs nothing but
/// a warning: the pull goes on.
class PullRecordingEngine final : public Engine {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  /// Removes the records other processes left in `cache_dir` (this process must hold its run
  /// lock, so they are all stale).
  PullRecordingEngine(Engine& inner, std::string cache_dir, Clock clock);

  void pull(const std::string& reference, const RegistryAuth* auth,
            const PullObserver& observer = {}) override;

  std::vector<ContainerSummary> list_containers() override { return inner_.list_containers(); }
  ContainerDetails inspect_container(const std::string& id) override {
    return inner_.inspect_container(id);
  }
  std::vector<ImageSummary> list_images() override { return inner_.list_images(); }
  std::optional<std::string> registry_digest(const std::string& reference,
                                             const RegistryAuth* auth) override {
    return inner_.registry_digest(reference, auth);
  }
  std::string create(const CreateRequest& request) override { return inner_.create(request); }
  void start(const std::string& id) override { inner_.start(id); }
  void stop(const std::string& id, int timeout_s) override { inner_.stop(id, timeout_s); }
  void remove(const std::string& id, bool remove_anonymous_volumes) override {
    inner_.remove(id, remove_anonymous_volumes);
  }
  void rename(const std::string& id, const std::string& new_name) override {
    inner_.rename(id, new_name);
  }
  void remove_image(const std::string& id) override { inner_.remove_image(id); }

 private:
  Engine& inner_;
  std::string cache_dir_;
  Clock clock_;
  std::atomic<int> next_{1};
};

}  // namespace dockerup
