#include "docker_json.hpp"

#include "dockerup/error.hpp"
#include "dockerup/http_client.hpp"
#include "dockerup/json_parse.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <charconv>

namespace dockerup {
namespace {

using rapidjson::Value;

rapidjson::Document parse_json(std::string_view json, std::string_view endpoint) {
  rapidjson::Document document;
  if (auto error = dockerup::parse_json(json, document))
    fail("{}: Docker answered with invalid JSON: {}", endpoint, error->str());
  return document;
}

/// The member, or nullptr when `object` is not an object or lacks it. Docker writes null for
/// many empty members (Labels, RepoTags), so callers treat null like absent.
const Value* member(const Value& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  auto found = object.FindMember(name);
  return found == object.MemberEnd() || found->value.IsNull() ? nullptr : &found->value;
}

std::string string_member(const Value& object, const char* name) {
  const Value* value = member(object, name);
  return value != nullptr && value->IsString()
             ? std::string(value->GetString(), value->GetStringLength())
             : std::string();
}

std::int64_t int_member(const Value& object, const char* name, std::int64_t fallback = 0) {
  const Value* value = member(object, name);
  return value != nullptr && value->IsInt64() ? value->GetInt64() : fallback;
}

bool bool_member(const Value& object, const char* name) {
  const Value* value = member(object, name);
  return value != nullptr && value->IsBool() && value->GetBool();
}

Labels labels_member(const Value& object, const char* name) {
  Labels labels;
  const Value* value = member(object, name);
  if (value == nullptr || !value->IsObject()) return labels;
  for (const auto& entry : value->GetObject())
    if (entry.value.IsString()) labels[entry.name.GetString()] = entry.value.GetString();
  return labels;
}

std::vector<std::string> strings_member(const Value& object, const char* name) {
  std::vector<std::string> strings;
  const Value* value = member(object, name);
  if (value == nullptr || !value->IsArray()) return strings;
  for (const auto& item : value->GetArray())
    if (item.IsString()) strings.emplace_back(item.GetString(), item.GetStringLength());
  return strings;
}

/// Names holds "/web" and, for legacy links, "/other/alias": the container's own name is the one
/// with a single slash.
std::string own_name(const std::vector<std::string>& names) {
  for (const std::string& name : names)
    if (name.rfind('/') == 0) return name.substr(1);
  if (names.empty()) return {};
  return names.front().starts_with('/') ? names.front().substr(1) : names.front();
}

bool is_anonymous_volume_name(std::string_view name) {
  return name.size() == 64 && std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::vector<std::string> anonymous_volumes(const Value& container) {
  std::vector<std::string> volumes;
  const Value* mounts = member(container, "Mounts");
  if (mounts == nullptr || !mounts->IsArray()) return volumes;
  for (const auto& mount : mounts->GetArray()) {
    std::string name = string_member(mount, "Name");
    if (string_member(mount, "Type") == "volume" && is_anonymous_volume_name(name))
      volumes.push_back(std::move(name));
  }
  return volumes;
}

bool is_placeholder(const std::string& text) {
  return text == "<none>:<none>" || text == "<none>@<none>";
}

std::vector<std::string> without_placeholders(std::vector<std::string> texts) {
  texts.erase(std::remove_if(texts.begin(), texts.end(), is_placeholder), texts.end());
  return texts;
}

/// An answer that must be a JSON array, parsed element by element (the list endpoints).
template <typename ParseItem>
auto parse_each(std::string_view json, std::string_view endpoint, ParseItem parse_item) {
  rapidjson::Document document = parse_json(json, endpoint);
  if (!document.IsArray()) fail("{}: Docker answered with JSON that is not an array", endpoint);
  std::vector<decltype(parse_item(document))> items;
  for (const auto& item : document.GetArray()) items.push_back(parse_item(item));
  return items;
}

void require_object(const Value& value, std::string_view endpoint) {
  if (!value.IsObject()) fail("{}: Docker answered with JSON that is not an object", endpoint);
}

/// "container:X" network mode: the container uses X's network namespace.
std::optional<std::string> network_container(const Value& item) {
  const Value* host_config = member(item, "HostConfig");
  if (!host_config) return std::nullopt;
  std::string mode = string_member(*host_config, "NetworkMode");
  if (!mode.starts_with("container:")) return std::nullopt;
  return mode.substr(std::string_view("container:").size());
}

/// A legacy link shows as an extra name of its target: "/USER/ALIAS" means USER links to this
/// container. Records the target's ID in the user's `uses`.
void attach_links(std::vector<ContainerSummary>& containers,
                  const std::vector<std::vector<std::string>>& names) {
  for (std::size_t target = 0; target < containers.size(); ++target)
    for (const auto& name : names[target]) {
      auto slash = name.find('/', 1);
      if (!name.starts_with('/') || slash == std::string::npos) continue;
      std::string user = name.substr(1, slash - 1);
      for (auto& c : containers)
        if (c.name == user) c.uses.push_back(containers[target].id);
    }
}

}  // namespace

int exit_code_from_status(std::string_view status) {
  constexpr std::string_view prefix = "Exited (";
  if (!status.starts_with(prefix)) return -1;
  status.remove_prefix(prefix.size());
  int code = -1;
  auto [end, error] = std::from_chars(status.data(), status.data() + status.size(), code);
  if (error != std::errc() || end == status.data() + status.size() || *end != ')') return -1;
  return code < 0 ? -1 : code;  // Docker writes 0-255; anything else is not an exit code
}

std::vector<ContainerSummary> parse_container_list(std::string_view json) {
  std::vector<std::vector<std::string>> names;  // every name, link names too: attach_links
  auto containers = parse_each(json, "listing containers", [&names](const Value& item) {
    ContainerSummary container;
    container.id = string_member(item, "Id");
    names.push_back(strings_member(item, "Names"));
    container.name = own_name(names.back());
    container.image = string_member(item, "Image");
    container.image_id = string_member(item, "ImageID");
    container.labels = labels_member(item, "Labels");
    container.state = string_member(item, "State");
    container.status = string_member(item, "Status");
    container.exit_code =
        container.state == "exited" ? exit_code_from_status(container.status) : -1;
    container.created = int_member(item, "Created");
    if (auto network = network_container(item)) container.uses.push_back(*network);
    return container;
  });
  attach_links(containers, names);
  return containers;
}

ContainerDetails parse_container_inspect(std::string_view json) {
  constexpr std::string_view endpoint = "inspecting container";
  rapidjson::Document document = parse_json(json, endpoint);
  require_object(document, endpoint);
  ContainerDetails details;
  details.id = string_member(document, "Id");
  details.name = own_name({string_member(document, "Name")});
  details.image_id = string_member(document, "Image");
  details.restart_count = static_cast<int>(int_member(document, "RestartCount"));
  if (const Value* state = member(document, "State")) {
    details.running = bool_member(*state, "Running");
    details.restarting = bool_member(*state, "Restarting");
    details.exit_code = static_cast<int>(int_member(*state, "ExitCode"));
    details.started_at = string_member(*state, "StartedAt");
    details.error = string_member(*state, "Error");
    if (const Value* health = member(*state, "Health"))
      details.health = string_member(*health, "Status");
  }
  if (const Value* config = member(document, "Config"))
    details.labels = labels_member(*config, "Labels");
  details.anonymous_volumes = anonymous_volumes(document);
  return details;
}

std::vector<ImageSummary> parse_image_list(std::string_view json) {
  return parse_each(json, "listing images", [](const Value& item) {
    ImageSummary image;
    image.id = string_member(item, "Id");
    image.tags = without_placeholders(strings_member(item, "RepoTags"));
    image.digests = without_placeholders(strings_member(item, "RepoDigests"));
    image.size = int_member(item, "Size");
    image.created = int_member(item, "Created");
    image.labels = labels_member(item, "Labels");
    return image;
  });
}

std::optional<std::string> parse_distribution_digest(std::string_view json) {
  rapidjson::Document document = parse_json(json, "reading the registry digest");
  const Value* descriptor = member(document, "Descriptor");
  if (descriptor == nullptr) return std::nullopt;
  std::string digest = string_member(*descriptor, "digest");
  if (digest.empty()) return std::nullopt;
  return digest;
}

std::string parse_created_id(std::string_view json) {
  constexpr std::string_view endpoint = "creating container";
  rapidjson::Document document = parse_json(json, endpoint);
  std::string id = string_member(document, "Id");
  if (id.empty()) fail("{}: Docker answered without the new container's Id", endpoint);
  return id;
}

void PullStreamChecker::feed(std::string_view chunk) {
  while (!chunk.empty()) {
    auto newline = chunk.find('\n');
    std::string_view piece = chunk.substr(0, newline);
    if (partial_line_.size() + piece.size() > max_line)
      fail("the pull progress stream has a line longer than the limit of {}",
           describe_size(max_line));
    if (newline == std::string_view::npos) {
      partial_line_.append(chunk);
      return;
    }
    partial_line_.append(piece);
    check_line(partial_line_);
    partial_line_.clear();
    chunk.remove_prefix(newline + 1);
  }
}

void PullStreamChecker::finish() {
  if (!partial_line_.empty()) check_line(partial_line_);
  partial_line_.clear();
}

void PullStreamChecker::check_line(std::string_view line) {
  if (error_ || line.find("error") == std::string_view::npos) return;  // progress lines are many
  rapidjson::Document document;
  if (dockerup::parse_json(line, document) || !document.IsObject()) return;
  std::string message;
  if (const Value* detail = member(document, "errorDetail"))
    message = string_member(*detail, "message");
  if (message.empty()) message = string_member(document, "error");
  if (message.empty() && (member(document, "error") || member(document, "errorDetail")))
    message = "Docker reported an error without a message";
  if (!message.empty()) error_ = std::move(message);
}

}  // namespace dockerup
