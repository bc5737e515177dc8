// The narrow boundary between dockerup and a container engine. The Docker implementation
// (docker_engine.hpp) talks to the Engine API; tests use a fake that records calls
// (tests/fake_engine.hpp). Every method throws dockerup::Failure (or HttpFailure) on error.
#pragma once

#include "dockerup/labels.hpp"
#include "dockerup/pull_counts.hpp"
#include "dockerup/registry_auth.hpp"
#include "dockerup/spec.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dockerup {

using Labels = std::map<std::string, std::string>;

/// One row of "list containers": enough to plan a run without inspecting anything.
struct ContainerSummary {
  std::string id;
  std::string name;      ///< without the leading "/"
  std::string image;     ///< reference the container was created from, as Docker reports it
  std::string image_id;  ///< "sha256:..."
  Labels labels;
  std::string state;       ///< created, running, paused, restarting, removing, exited, dead
  std::string status;      ///< human text, e.g. "Exited (0) 5 seconds ago"
  int exit_code = -1;      ///< parsed from status when exited, else -1
  std::int64_t created = 0;  ///< unix seconds
  /// Labels of the container's image (attach_image_labels, plan.hpp). Docker copies them onto
  /// the container, so they are what an image author could forge.
  Labels image_labels;
  /// The containers this one depends on, as far as a listing shows: the X of network mode
  /// "container:X" and the targets of its legacy links (IDs or names, as Docker reports them).
  /// volumes-from is not in a listing. Used to remove dependents before what they depend on.
  std::vector<std::string> uses = {};

  bool running() const { return state == "running" || state == "restarting" || state == "paused"; }
  /// Created by dockerup: the only containers it normally touches. io.dockerup.managed must
  /// hold one of dockerup's values, and a value the image carries too may come from the image
  /// (an image cannot make its containers look managed; see labels.hpp).
  bool managed() const {
    const std::string key(labels::managed);
    auto it = labels.find(key);
    if (it == labels.end() ||
        (it->second != labels::managed_value && it->second != labels::managed_value_other))
      return false;
    auto from_image = image_labels.find(key);
    return from_image == image_labels.end() || from_image->second != it->second;
  }
  bool operator==(const ContainerSummary&) const = default;
};

/// What inspect adds to the summary: what the executor needs to prove a new container is up.
struct ContainerDetails {
  std::string id;
  std::string name;
  std::string image_id;
  bool running = false;
  bool restarting = false;
  int exit_code = 0;
  int restart_count = 0;
  std::string health;      ///< "", "starting", "healthy", "unhealthy" (empty: no HEALTHCHECK)
  std::string started_at;  ///< RFC 3339 as Docker reports it
  std::string error;       ///< State.Error, e.g. "exec: not found"
  Labels labels;
  std::vector<std::string> anonymous_volumes;  ///< names of the container's anonymous volumes
};

struct ImageSummary {
  std::string id;  ///< "sha256:..."
  std::vector<std::string> tags;     ///< "repo:tag" as Docker reports them
  std::vector<std::string> digests;  ///< "repo@sha256:..."
  std::int64_t size = 0;
  std::int64_t created = 0;
  Labels labels;
  bool operator==(const ImageSummary&) const = default;
};

/// What create() is asked to make: the spec plus the labels dockerup adds.
struct CreateRequest {
  std::string name;  ///< Docker container name (may be a temporary name during replacement)
  ContainerSpec spec;
  Labels labels;
};

class Engine {
 public:
  virtual ~Engine() = default;

  /// Every container, running or not (one API call).
  virtual std::vector<ContainerSummary> list_containers() = 0;
  virtual ContainerDetails inspect_container(const std::string& id) = 0;
  /// Every image (one API call).
  virtual std::vector<ImageSummary> list_images() = 0;

  /// Pulls exactly this reference (never all tags). Throws on any error, including errors that
  /// the engine reports inside a successful streaming body. `auth` null: anonymous; otherwise
  /// the credentials for the reference's registry (sent as X-Registry-Auth). `observer`, when
  /// set, is told how far the pull is while it runs (PullCounts).
  virtual void pull(const std::string& reference, const RegistryAuth* auth,
                    const PullObserver& observer = {}) = 0;
  /// Digest of the manifest the registry currently serves for `reference` ("sha256:..."), or
  /// nullopt when the engine cannot tell (e.g. the registry is unreachable). Does not download
  /// the image. `auth` as for pull. Throws RegistryRefused when the registry refuses the
  /// credentials (or their absence); pull throws it too for such a refusal.
  virtual std::optional<std::string> registry_digest(const std::string& reference,
                                                     const RegistryAuth* auth) = 0;

  /// Returns the new container's ID.
  virtual std::string create(const CreateRequest& request) = 0;
  virtual void start(const std::string& id) = 0;
  /// Sends the stop signal, waits up to timeout_s, then kills.
  virtual void stop(const std::string& id, int timeout_s) = 0;
  virtual void remove(const std::string& id, bool remove_anonymous_volumes) = 0;
  virtual void rename(const std::string& id, const std::string& new_name) = 0;
  virtual void remove_image(const std::string& id) = 0;
};

}  // namespace dockerup
