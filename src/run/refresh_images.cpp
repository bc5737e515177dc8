// The pull phase before planning. It runs before the planner because the planner must see the
// image a tag points to *now* to decide whether a container is out of date. Each distinct
// reference is checked once per run, several at a time.
#include "dockerup/image_ref.hpp"
#include "dockerup/log.hpp"
#include "dockerup/reconciler.hpp"

#include "scheduler.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <set>

namespace dockerup {
namespace {

/// Whether the local image carries `digest` for this reference's repository.
bool local_has_digest(const std::string& reference, const ImageSummary& local,
                      const std::string& digest) {
  auto ref = parse_image_ref(reference);
  if (!ref) return false;
  std::string expected = ref->name() + "@" + digest;
  return std::any_of(local.digests.begin(), local.digests.end(), [&](const std::string& d) {
    auto parsed = parse_image_ref(d);
    return d == expected || (parsed && parsed->name() == ref->name() && parsed->digest == digest);
  });
}

/// True when the local image already is what the registry serves under this reference, so a pull
/// would download nothing. Unknown (no digest from either side) means "pull to find out".
bool registry_matches_local(const std::string& reference, const ImageSummary& local,
                            Engine& engine, const RegistryAuth* auth) {
  auto digest = engine.registry_digest(reference, auth);
  return digest && local_has_digest(reference, local, *digest);
}

const ImageSummary* local_image(const std::string& reference,
                                const std::vector<ImageSummary>& images) {
  auto id = find_image_id(reference, images);
  if (!id) return nullptr;
  for (const auto& image : images)
    if (image.id == *id) return &image;
  return nullptr;
}

struct RefreshOutcome {
  bool pulled = false;
  std::optional<std::string> error;
  /// The local image stays in use, but its registry refused the credentials or none could be
  /// found: an error of the run, not a warning (see ImageRefresh::refused).
  bool refused = false;
};

/// The credentials for one image. The lookup is shared by the tasks and caches per registry, so
/// one lookup at a time.
struct Credentials {
  RegistryAuthSource* source;
  std::mutex mutex;

  const RegistryAuth* for_image(const std::string& reference) {
    if (!source) return nullptr;
    std::lock_guard lock(mutex);
    return source->for_image(reference);
  }
};

/// One image reference: nothing when it is present and not to be updated; else a digest check
/// and, when the registry serves something else, a pull. Never throws.
RefreshOutcome refresh_one(const std::string& reference, bool update,
                           const std::vector<ImageSummary>& images, Engine& engine,
                           Credentials& auth) {
  const ImageSummary* local = local_image(reference, images);
  if (local && !update) return {};
  if (reference.starts_with("sha256:")) {  // an image ID: no registry knows it by that name
    if (!local) return {false, "no local image has this ID"};
    return {};
  }
  bool looked_up = false;
  try {
    // Looked up inside the try: a helper that fails is this image's error, like a failed pull.
    const RegistryAuth* credentials = auth.for_image(reference);
    looked_up = true;
    if (local && registry_matches_local(reference, *local, engine, credentials)) {
      log_debug("image {} is up to date ({})", reference, local->id);
      return {};
    }
    log_info("pulling {}{}", reference, local ? " (checking for a new image)" : "");
    engine.pull(reference, credentials);
    return {true, std::nullopt};
  } catch (const std::exception& e) {
    // Credentials that are refused or cannot be found are the operator's to fix, so they fail
    // the run even though the local image stays in use; a registry that cannot be reached is
    // only a warning then (it comes back by itself). The run logs its errors once, at the end.
    bool refused = !looked_up || dynamic_cast<const RegistryRefused*>(&e) != nullptr;
    if (!local)
      log_error("could not pull {}: {}", reference, e.what());
    else if (!refused)
      log_warning("could not check {} for a new image: {}; keeping the local image {}",
                  reference, e.what(), local->id);
    return {false, e.what(), refused && local};
  }
}

}  // namespace

std::set<std::string> moved_images(const std::vector<ContainerSpec>& specs,
                                   const std::vector<ImageSummary>& images, bool pull_enabled,
                                   Engine& engine, RegistryAuthSource* auth) {
  std::set<std::string> checked;
  std::set<std::string> moved;
  for (const auto& spec : specs) {
    if (!pull_enabled || !spec.update.pull || spec.image.starts_with("sha256:")) continue;
    if (!checked.insert(spec.image).second) continue;
    const ImageSummary* local = local_image(spec.image, images);
    if (!local) continue;  // missing: the plan pulls it anyway
    try {
      // Unknown (no digest) is not "moved": a dry run must not promise a replacement.
      auto digest =
          engine.registry_digest(spec.image, auth ? auth->for_image(spec.image) : nullptr);
      if (digest && !local_has_digest(spec.image, *local, *digest)) moved.insert(spec.image);
    } catch (const std::exception& e) {
      log_warning("could not check {} for a new image: {}", spec.image, e.what());
    }
  }
  return moved;
}

ImageRefresh refresh_images(const std::vector<ContainerSpec>& specs,
                            const std::vector<ImageSummary>& images, bool pull_enabled,
                            int at_once, Engine& engine, RegistryAuthSource* auth) {
  // One decision per image reference: pull it when any spec using it wants updates.
  std::map<std::string, bool> wants_update;
  for (const auto& spec : specs)
    wants_update[spec.image] = wants_update[spec.image] || (pull_enabled && spec.update.pull);
  std::vector<std::pair<std::string, bool>> references(wants_update.begin(), wants_update.end());

  // Each reference is one task (a digest check, maybe a pull); they share nothing but the engine,
  // so they run at the same time, each writing only its own slot.
  std::vector<RefreshOutcome> outcomes(references.size());
  Credentials credentials{auth, {}};
  run_scheduled(std::vector<std::vector<std::size_t>>(references.size()), at_once,
                [&](std::size_t i) {
                  outcomes[i] = refresh_one(references[i].first, references[i].second, images,
                                            engine, credentials);
                },
                [] { return true; });

  ImageRefresh refresh;
  for (std::size_t i = 0; i < references.size(); ++i) {
    refresh.pulled = refresh.pulled || outcomes[i].pulled;
    if (outcomes[i].error) refresh.errors[references[i].first] = *outcomes[i].error;
    if (outcomes[i].refused)
      refresh.refused.push_back(
          {"image " + references[i].first,
           *outcomes[i].error + "; the local image stays in use, the next run tries again"});
  }
  return refresh;
}

}  // namespace dockerup
