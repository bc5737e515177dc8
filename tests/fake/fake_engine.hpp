// An in-memory Engine for unit tests (ninja's FakeCommandRunner idea): it keeps state like a
// tiny Docker and records every call, so tests compare the record with an expected list. Safe to
// call from several threads, as the parallel executor does: one lock guards all state.
#pragma once

#include "dockerup/engine.hpp"

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace dockerup::testing {

class FakeEngine : public Engine {
 public:
  /// Adds a local image with one tag ("app:v1") and returns its ID.
  std::string add_image(const std::string& tag, const std::string& id);
  /// Gives the image `id` these labels; like Docker, every container of it gets them too
  /// (under the labels it was created with).
  void label_image(const std::string& id, const Labels& labels);
  /// What a pull of `reference` yields; a reference not listed here fails to pull.
  void add_registry_image(const std::string& reference, const std::string& id);
  /// Adds a container as if created outside this test's code (by hand or by an earlier run);
  /// it gets the labels of its image (by image_id) under its own, as in Docker.
  std::string add_container(ContainerSummary summary);

  /// Any call whose record (see calls) starts with `prefix` throws Failure(message).
  void fail_on(const std::string& prefix, const std::string& message = "injected failure");
  /// Pulls and digest checks of `reference` fail with "unauthorized" (RegistryRefused, as the
  /// Docker engine reports a registry's 401) unless given exactly this
  /// X-Registry-Auth header (as a registry with htpasswd would).
  void requires_auth(const std::string& reference, const std::string& header) {
    Lock lock(mutex_);
    required_auth_[reference] = header;
  }
  /// Pulls of `reference` tell their observer {2 layers, 1 done, 0.5 of 1 MB} and then wait
  /// until release_pulls() (at most `bound`): a test can look at a pull while it runs.
  void hold_pulls(const std::string& reference,
                  std::chrono::milliseconds bound = std::chrono::seconds(20));
  /// Waits (at most `bound`) until `count` held pulls are waiting; false when they did not come.
  bool wait_for_held_pulls(int count = 1, std::chrono::milliseconds bound = std::chrono::seconds(20));
  void release_pulls();
  /// Containers created from this image exit with `code` right after start.
  void exits_on_start(const std::string& image_reference, int code = 1);
  /// Containers created from this image are up when looked at, but already restarted this often.
  void crash_loops(const std::string& image_reference, int restarts);
  /// Containers created from this image report this HEALTHCHECK status ("healthy", "unhealthy").
  void health_of(const std::string& image_reference, const std::string& health);

  /// Calls whose record starts with `prefix` wait until `count` of them are in progress at once
  /// (at most `bound`, then they go on and meetings_met() turns false): proves calls overlap
  /// without measuring time. Several prefixes may each have their own meeting.
  void meet_on(const std::string& prefix, int count,
               std::chrono::milliseconds bound = std::chrono::seconds(20));
  bool meetings_met() const;
  /// The most calls of the meeting on `prefix` that were in progress at the same moment.
  int most_at_once(const std::string& prefix) const;

  /// "list_containers", "create web", "start web", "stop web", "remove web", "rename web old"...
  /// (by container name at the time of the call, so records read like a story).
  std::vector<std::string> calls() const;
  void clear_calls();
  /// The X-Registry-Auth header the Docker engine would have sent with each pull and
  /// registry_digest call, in call order: {"pull app:v1", header} ("" when anonymous).
  std::vector<std::pair<std::string, std::string>> auth_headers() const;
  /// Calls other than the read-only ones (list, inspect, registry_digest).
  std::vector<std::string> mutations() const;

  /// The timeout of the last stop() call; -1 before any.
  int last_stop_timeout() const;

  const ContainerSummary* container(const std::string& name) const;
  std::vector<ContainerSummary> containers() const;
  const CreateRequest* created_request(const std::string& id) const;

  std::vector<ContainerSummary> list_containers() override;
  ContainerDetails inspect_container(const std::string& id) override;
  std::vector<ImageSummary> list_images() override;
  void pull(const std::string& reference, const RegistryAuth* auth,
            const PullObserver& observer = {}) override;
  std::optional<std::string> registry_digest(const std::string& reference,
                                             const RegistryAuth* auth) override;
  std::string create(const CreateRequest& request) override;
  void start(const std::string& id) override;
  void stop(const std::string& id, int timeout_s) override;
  void remove(const std::string& id, bool remove_anonymous_volumes) override;
  void rename(const std::string& id, const std::string& new_name) override;
  void remove_image(const std::string& id) override;

 private:
  using Lock = std::unique_lock<std::mutex>;
  /// Every public method takes the lock first; the helpers below expect it held.
  void record(const std::string& call, Lock& lock);
  void check_auth(const std::string& call, const std::string& reference, const RegistryAuth* auth);
  void hold_pull(Lock& lock, const PullObserver& observer);
  ContainerSummary& find(const std::string& id_or_name);
  const ContainerSummary* find_by_name(const std::string& name) const;
  void add_image_locked(const std::string& tag, const std::string& id);

  mutable std::mutex mutex_;
  struct Meeting {
    int count = 0, arrived = 0, inside = 0, most = 0;
    std::chrono::milliseconds bound{0};
  };
  void attend(Meeting& meeting, Lock& lock);
  std::condition_variable met_;
  std::map<std::string, Meeting> meetings_;  // prefix -> its meeting
  bool meetings_met_ = true;
  std::condition_variable hold_changed_;
  std::set<std::string> held_references_;
  std::chrono::milliseconds hold_bound_{0};
  int held_waiting_ = 0;
  bool pulls_released_ = false;

  std::vector<std::string> calls_;
  std::vector<std::pair<std::string, std::string>> auth_headers_;
  std::map<std::string, std::string> failures_;  // prefix -> message
  std::map<std::string, int> exit_codes_;        // image reference -> exit code on start
  std::map<std::string, std::string> health_;    // image reference -> health status
  std::map<std::string, int> restarts_;          // image reference -> restart count
  std::map<std::string, std::string> registry_;  // reference -> image id
  std::map<std::string, std::string> required_auth_;  // reference -> X-Registry-Auth
  std::vector<ImageSummary> images_;
  std::vector<ContainerSummary> containers_;
  std::map<std::string, CreateRequest> requests_;  // id -> what create() was asked
  int next_id_ = 1;
  int last_stop_timeout_ = -1;
  std::int64_t clock_ = 1000;
};

}  // namespace dockerup::testing
