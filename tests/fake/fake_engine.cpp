#include "fake_engine.hpp"

#include "dockerup/docker_engine.hpp"
#include "dockerup/error.hpp"
#include "dockerup/image_ref.hpp"

#include <algorithm>

namespace dockerup::testing {

std::string FakeEngine::add_image(const std::string& tag, const std::string& id) {
  for (auto& image : images_) std::erase(image.tags, tag);  // a tag names one image at a time
  auto it = std::find_if(images_.begin(), images_.end(), [&](auto& i) { return i.id == id; });
  if (it == images_.end()) {
    images_.push_back({id, {tag}, {}, 1000, clock_++, {}});
  } else {
    it->tags.push_back(tag);
  }
  return id;
}

void FakeEngine::label_image(const std::string& id, const Labels& labels) {
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
  registry_[reference] = id;
}

std::string FakeEngine::add_container(ContainerSummary summary) {
  if (summary.id.empty()) summary.id = "hand" + std::to_string(next_id_++);
  if (summary.created == 0) summary.created = clock_++;
  summary.labels = with_image_labels(images_, summary.image_id, summary.labels);
  containers_.push_back(summary);
  return summary.id;
}

void FakeEngine::fail_on(const std::string& prefix, const std::string& message) {
  failures_[prefix] = message;
}

void FakeEngine::exits_on_start(const std::string& image_reference, int code) {
  exit_codes_[image_reference] = code;
}

void FakeEngine::crash_loops(const std::string& image_reference, int restarts) {
  restarts_[image_reference] = restarts;
}

void FakeEngine::health_of(const std::string& image_reference, const std::string& health) {
  health_[image_reference] = health;
}

std::vector<std::string> FakeEngine::mutations() const {
  std::vector<std::string> result;
  for (const auto& call : calls_)
    if (!call.starts_with("list_") && !call.starts_with("inspect") &&
        !call.starts_with("registry_digest"))
      result.push_back(call);
  return result;
}

const ContainerSummary* FakeEngine::container(const std::string& name) const {
  for (const auto& c : containers_)
    if (c.name == name) return &c;
  return nullptr;
}

std::vector<ContainerSummary> FakeEngine::containers() const { return containers_; }

const CreateRequest* FakeEngine::created_request(const std::string& id) const {
  auto it = requests_.find(id);
  return it == requests_.end() ? nullptr : &it->second;
}

void FakeEngine::record(const std::string& call) {
  calls_.push_back(call);
  for (const auto& [prefix, message] : failures_)
    if (call.starts_with(prefix)) throw Failure(message);
}

ContainerSummary& FakeEngine::find(const std::string& id_or_name) {
  for (auto& c : containers_)
    if (c.id == id_or_name || c.name == id_or_name) return c;
  throw HttpFailure(404, "no such container: " + id_or_name);
}

std::vector<ContainerSummary> FakeEngine::list_containers() {
  record("list_containers");
  return containers_;
}

ContainerDetails FakeEngine::inspect_container(const std::string& id) {
  auto& c = find(id);
  record("inspect " + c.name);
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
  record("list_images");
  return images_;
}

void FakeEngine::check_auth(const std::string& call, const std::string& reference,
                            const RegistryAuth* auth) {
  std::string header = auth ? x_registry_auth(*auth) : "";
  auth_headers_.emplace_back(call + " " + reference, header);
  auto required = required_auth_.find(reference);
  if (required != required_auth_.end() && required->second != header)
    throw Failure(call + " " + reference + ": unauthorized: authentication required");
}

void FakeEngine::pull(const std::string& reference, const RegistryAuth* auth) {
  record("pull " + reference);
  check_auth("pull", reference, auth);
  auto it = registry_.find(reference);
  if (it == registry_.end()) throw Failure("pull " + reference + ": manifest unknown");
  add_image(reference, it->second);
  // Like Docker, a pulled image remembers the repository digest it came with (RepoDigests).
  auto ref = parse_image_ref(reference);
  for (auto& image : images_)
    if (image.id == it->second && ref) image.digests.push_back(ref->name() + "@digest-of-" + it->second);
}

std::optional<std::string> FakeEngine::registry_digest(const std::string& reference,
                                                       const RegistryAuth* auth) {
  record("registry_digest " + reference);
  check_auth("registry_digest", reference, auth);
  auto it = registry_.find(reference);
  if (it == registry_.end()) throw Failure("registry_digest " + reference + ": unreachable");
  return "digest-of-" + it->second;
}

std::string FakeEngine::create(const CreateRequest& request) {
  record("create " + request.name);
  if (container(request.name)) throw HttpFailure(409, "name in use: " + request.name);
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
  auto& c = find(id);
  record("start " + c.name);
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
  auto& c = find(id);
  record("stop " + c.name);
  last_stop_timeout_ = timeout_s;
  c.state = "exited";
  c.exit_code = 143;
  c.status = "Exited (143) 1 second ago";
}

void FakeEngine::remove(const std::string& id, bool remove_anonymous_volumes) {
  auto& c = find(id);
  record("remove " + c.name + (remove_anonymous_volumes ? " +volumes" : ""));
  std::erase_if(containers_, [&](auto& other) { return other.id == id; });
}

void FakeEngine::rename(const std::string& id, const std::string& new_name) {
  auto& c = find(id);
  record("rename " + c.name + " " + new_name);
  if (container(new_name)) throw HttpFailure(409, "name in use: " + new_name);
  c.name = new_name;
}

void FakeEngine::remove_image(const std::string& id) {
  record("remove_image " + id);
  for (const auto& c : containers_)
    if (c.image_id == id) throw HttpFailure(409, "image is in use by " + c.name);
  std::erase_if(images_, [&](auto& image) { return image.id == id; });
}

}  // namespace dockerup::testing
