#include "fake_engine.hpp"

#include "dockerup/docker_engine.hpp"
#include "dockerup/error.hpp"
#include "dockerup/image_ref.hpp"

#include <algorithm>
#include <chrono>

namespace dockerup::testing {

std::string FakeEngine::add_image(const std::string& tag, const std::string& id) {
  Lock lock(mutex_);
  add_image_locked(tag, id);
  return id;
}

void FakeEngine::add_image_locked(const std::string& tag, const std::string& id) {
  for (auto& image : images_) std::erase(image.tags, tag);  // a tag names one image at a time
  auto it = std::find_if(images_.begin(), images_.end(), [&](auto& i) { return i.id == id; });
  if (it == images_.end()) {
    images_.push_back({id, {tag}, {}, 1000, clock_++, {}});
  } else {
    it->tags.push_back(tag);
  }
}

void FakeEngine::label_image(const std::string& id, const Labels& labels) {
  Lock lock(mutex_);
  for (auto& image : images_)
    if (image.id == id) image.labels = labels;
}

namespace {

/// Docker's rule: a container's labels are its image's, overridden by the ones it was created with.
Labels with_image_labels(const std::vector<ImageSummary>& images, const std::string& image_id,
                         Labels own) {
  for (const auto& image : images)
    if (image.id == image_id)
      for (const auto& [key, value] : image.labels) own.emplace(key, value);
  return own;
}

}  // namespace

void FakeEngine::add_registry_image(const std::string& reference, const std::string& id) {
  Lock lock(mutex_);
  registry_[reference] = id;
}

std::string FakeEngine::add_container(ContainerSummary summary) {
  Lock lock(mutex_);
  if (summary.id.empty()) summary.id = "hand" + std::to_string(next_id_++);
  if (summary.created == 0) summary.created = clock_++;
  summary.labels = with_image_labels(images_, summary.image_id, summary.labels);
  containers_.push_back(summary);
  return summary.id;
}

void FakeEngine::fail_on(const std::string& prefix, const std::string& message) {
  Lock lock(mutex_);
  failures_[prefix] = message;
}

void FakeEngine::hold_pulls(const std::string& reference, std::chrono::milliseconds bound) {
  Lock lock(mutex_);
  held_references_.insert(reference);
  hold_bound_ = bound;
  pulls_released_ = false;
}

bool FakeEngine::wait_for_held_pulls(int count, std::chrono::milliseconds bound) {
  Lock lock(mutex_);
  return hold_changed_.wait_for(lock, bound, [&] { return held_waiting_ >= count; });
}

void FakeEngine::release_pulls() {
  Lock lock(mutex_);
  pulls_released_ = true;
  hold_changed_.notify_all();
}

void FakeEngine::hold_pull(Lock& lock, const PullObserver& observer) {
  if (observer) observer(PullCounts{2, 1, 500000, 1000000});
  ++held_waiting_;
  hold_changed_.notify_all();
  hold_changed_.wait_for(lock, hold_bound_, [&] { return pulls_released_; });
  --held_waiting_;
}

void FakeEngine::exits_on_start(const std::string& image_reference, int code) {
  Lock lock(mutex_);
  exit_codes_[image_reference] = code;
}

void FakeEngine::crash_loops(const std::string& image_reference, int restarts) {
  Lock lock(mutex_);
  restarts_[image_reference] = restarts;
}

void FakeEngine::health_of(const std::string& image_reference, const std::string& health) {
  Lock lock(mutex_);
  health_[image_reference] = health;
}

std::vector<std::string> FakeEngine::mutations() const {
  Lock lock(mutex_);
  std::vector<std::string> result;
  for (const auto& call : calls_)
    if (!call.starts_with("list_") && !call.starts_with("inspect") &&
        !call.starts_with("registry_digest"))
      result.push_back(call);
  return result;
}

const ContainerSummary* FakeEngine::container(const std::string& name) const {
  Lock lock(mutex_);
  return find_by_name(name);
}

const ContainerSummary* FakeEngine::find_by_name(const std::string& name) const {
  for (const auto& c : containers_)
    if (c.name == name) return &c;
  return nullptr;
}

std::vector<ContainerSummary> FakeEngine::containers() const {
  Lock lock(mutex_);
  return containers_;
}

std::vector<std::string> FakeEngine::calls() const {
  Lock lock(mutex_);
  return calls_;
}

std::vector<std::pair<std::string, std::string>> FakeEngine::auth_headers() const {
  Lock lock(mutex_);
  return auth_headers_;
}

int FakeEngine::last_stop_timeout() const {
  Lock lock(mutex_);
  return last_stop_timeout_;
}

void FakeEngine::clear_calls() {
  Lock lock(mutex_);
  calls_.clear();
}

void FakeEngine::meet_on(const std::string& prefix, int count, std::chrono::milliseconds bound) {
  Lock lock(mutex_);
  if (count > 0) meetings_[prefix] = Meeting{.count = count, .bound = bound};
}

bool FakeEngine::meetings_met() const {
  Lock lock(mutex_);
  return meetings_met_;
}

int FakeEngine::most_at_once(const std::string& prefix) const {
  Lock lock(mutex_);
  auto it = meetings_.find(prefix);
  return it == meetings_.end() ? 0 : it->second.most;
}

const CreateRequest* FakeEngine::created_request(const std::string& id) const {
  Lock lock(mutex_);
  auto it = requests_.find(id);
  return it == requests_.end() ? nullptr : &it->second;
}

void FakeEngine::record(const std::string& call, Lock& lock) {
  calls_.push_back(call);
  for (auto& [prefix, meeting] : meetings_)
    if (call.starts_with(prefix)) attend(meeting, lock);
  for (const auto& [prefix, message] : failures_)
    if (call.starts_with(prefix)) throw Failure(message);
}

/// Groups of meeting.count: each call waits for the rest of its group (the lock is released while
/// waiting, so the others can get here). meetings_ is not changed while calls wait in it.
void FakeEngine::attend(Meeting& meeting, Lock& lock) {
  int group = meeting.arrived++ / meeting.count;
  meeting.most = std::max(meeting.most, ++meeting.inside);
  met_.notify_all();
  bool met = met_.wait_for(lock, meeting.bound,
                           [&] { return meeting.arrived >= (group + 1) * meeting.count; });
  --meeting.inside;
  meetings_met_ = meetings_met_ && met;
}

ContainerSummary& FakeEngine::find(const std::string& id_or_name) {
  for (auto& c : containers_)
    if (c.id == id_or_name || c.name == id_or_name) return c;
  throw HttpFailure(404, "no such container: " + id_or_name);
}

std::vector<ContainerSummary> FakeEngine::list_containers() {
  Lock lock(mutex_);
  record("list_containers", lock);
  return containers_;
}

ContainerDetails FakeEngine::inspect_container(const std::string& id) {
  Lock lock(mutex_);
  // record() may wait for a meeting, letting other calls change containers_: look again.
  record("inspect " + find(id).name, lock);
  auto& c = find(id);
  ContainerDetails details;
  details.id = c.id;
  details.name = c.name;
  details.image_id = c.image_id;
  details.running = c.state == "running";
  details.exit_code = c.exit_code < 0 ? 0 : c.exit_code;
  details.labels = c.labels;
  if (auto restarts = restarts_.find(c.image); restarts != restarts_.end()) {
    details.restart_count = restarts->second;
    details.exit_code = 1;
  }
  auto health = health_.find(c.image);
  if (health != health_.end() && details.running) details.health = health->second;
  return details;
}

std::vector<ImageSummary> FakeEngine::list_images() {
  Lock lock(mutex_);
  record("list_images", lock);
  return images_;
}

void FakeEngine::check_auth(const std::string& call, const std::string& reference,
                            const RegistryAuth* auth) {
  std::string header = auth ? x_registry_auth(*auth) : "";
  auth_headers_.emplace_back(call + " " + reference, header);
  auto required = required_auth_.find(reference);
  if (required != required_auth_.end() && required->second != header)
    throw RegistryRefused(call + " " + reference + ": unauthorized: authentication required");
}

void FakeEngine::pull(const std::string& reference, const RegistryAuth* auth,
                      const PullObserver& observer) {
  Lock lock(mutex_);
  record("pull " + reference, lock);
  check_auth("pull", reference, auth);
  if (held_references_.contains(reference)) hold_pull(lock, observer);
  auto it = registry_.find(reference);
  if (it == registry_.end()) throw Failure("pull " + reference + ": manifest unknown");
  add_image_locked(reference, it->second);
  // Like Docker, a pulled image remembers the repository digest it came with (RepoDigests).
  auto ref = parse_image_ref(reference);
  for (auto& image : images_)
    if (image.id == it->second && ref) image.digests.push_back(ref->name() + "@digest-of-" + it->second);
}

std::optional<std::string> FakeEngine::registry_digest(const std::string& reference,
                                                       const RegistryAuth* auth) {
  Lock lock(mutex_);
  record("registry_digest " + reference, lock);
  check_auth("registry_digest", reference, auth);
  auto it = registry_.find(reference);
  if (it == registry_.end()) throw Failure("registry_digest " + reference + ": unreachable");
  return "digest-of-" + it->second;
}

std::string FakeEngine::create(const CreateRequest& request) {
  Lock lock(mutex_);
  record("create " + request.name, lock);
  if (find_by_name(request.name)) throw HttpFailure(409, "name in use: " + request.name);
  auto image_id = find_image_id(request.spec.image, images_);
  if (!image_id) throw HttpFailure(404, "no such image: " + request.spec.image);
  ContainerSummary c;
  c.id = "c" + std::to_string(next_id_++);
  c.name = request.name;
  c.image = request.spec.image;
  c.image_id = *image_id;
  c.labels = request.labels;
  for (const auto& [key, value] : request.spec.labels) c.labels[key] = value;
  c.labels = with_image_labels(images_, c.image_id, c.labels);
  c.state = "created";
  c.status = "Created";
  c.created = clock_++;
  containers_.push_back(c);
  requests_[c.id] = request;
  return c.id;
}

void FakeEngine::start(const std::string& id) {
  Lock lock(mutex_);
  // record() may wait for a meeting, letting other calls change containers_: look again.
  record("start " + find(id).name, lock);
  auto& c = find(id);
  auto exit = exit_codes_.find(c.image);
  if (exit != exit_codes_.end()) {
    c.state = "exited";
    c.exit_code = exit->second;
    c.status = "Exited (" + std::to_string(exit->second) + ") 1 second ago";
  } else {
    c.state = "running";
    c.exit_code = -1;
    c.status = "Up 1 second";
  }
}

void FakeEngine::stop(const std::string& id, int timeout_s) {
  Lock lock(mutex_);
  // record() may wait for a meeting, letting other calls change containers_: look again.
  record("stop " + find(id).name, lock);
  auto& c = find(id);
  last_stop_timeout_ = timeout_s;
  c.state = "exited";
  c.exit_code = 143;
  c.status = "Exited (143) 1 second ago";
}

void FakeEngine::remove(const std::string& id, bool remove_anonymous_volumes) {
  Lock lock(mutex_);
  // record() may wait for a meeting, letting other calls change containers_: look again.
  record("remove " + find(id).name + (remove_anonymous_volumes ? " +volumes" : ""), lock);
  find(id);  // 404 when it went meanwhile
  std::erase_if(containers_, [&](auto& other) { return other.id == id; });
}

void FakeEngine::rename(const std::string& id, const std::string& new_name) {
  Lock lock(mutex_);
  // record() may wait for a meeting, letting other calls change containers_: look again.
  record("rename " + find(id).name + " " + new_name, lock);
  auto& c = find(id);
  if (find_by_name(new_name)) throw HttpFailure(409, "name in use: " + new_name);
  c.name = new_name;
}

void FakeEngine::remove_image(const std::string& id) {
  Lock lock(mutex_);
  record("remove_image " + id, lock);
  for (const auto& c : containers_)
    if (c.image_id == id) throw HttpFailure(409, "image is in use by " + c.name);
  std::erase_if(images_, [&](auto& image) { return image.id == id; });
}

}  // namespace dockerup::testing
