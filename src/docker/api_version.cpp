#include "api_version.hpp"

#include "dockerup/error.hpp"
#include "dockerup/json_parse.hpp"

#include <fmt/format.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <utility>

namespace dockerup {
namespace {

constexpr std::string_view version_endpoint = "GET /version";

/// "1.41" -> {1, 41}; nullopt unless it is exactly two dot-separated decimal numbers.
std::optional<std::pair<int, int>> split_version(std::string_view text) {
  auto dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == text.size()) return std::nullopt;
  auto number = [](std::string_view part) -> std::optional<int> {
    int value = 0;
    if (part.size() > 4 ||
        !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
    std::from_chars(part.data(), part.data() + part.size(), value);
    return value;
  };
  auto major = number(text.substr(0, dot));
  auto minor = number(text.substr(dot + 1));
  if (!major || !minor) return std::nullopt;
  return std::pair{*major, *minor};
}

std::string string_member(const rapidjson::Value& object, const char* name) {
  auto found = object.FindMember(name);
  if (found == object.MemberEnd() || !found->value.IsString()) return {};
  return {found->value.GetString(), found->value.GetStringLength()};
}

/// Podman names itself in Components[].Name ("Podman Engine"); Docker says "Engine".
bool names_podman(const rapidjson::Value& document) {
  auto components = document.FindMember("Components");
  if (components == document.MemberEnd() || !components->value.IsArray()) return false;
  return std::any_of(components->value.Begin(), components->value.End(), [](const auto& item) {
    return item.IsObject() && string_member(item, "Name").starts_with("Podman");
  });
}

}  // namespace

DaemonVersion parse_daemon_version(std::string_view json) {
  rapidjson::Document document;
  if (parse_json(json, document) || !document.IsObject())
    fail("{}: Docker answered without a JSON object", version_endpoint);
  DaemonVersion daemon{string_member(document, "Version"), string_member(document, "ApiVersion"),
                       string_member(document, "MinAPIVersion"), names_podman(document)};
  if (!split_version(daemon.api_version))
    fail("{}: Docker answered without a usable ApiVersion (\"{}\")", version_endpoint,
         daemon.api_version);
  if (!daemon.min_api_version.empty() && !split_version(daemon.min_api_version))
    fail("{}: Docker answered with an unusable MinAPIVersion (\"{}\")", version_endpoint,
         daemon.min_api_version);
  return daemon;
}

int compare_api_versions(std::string_view a, std::string_view b) {
  auto left = split_version(a);
  auto right = split_version(b);
  if (!left || !right) fail("cannot compare API versions \"{}\" and \"{}\"", a, b);
  if (*left == *right) return 0;
  return *left < *right ? -1 : 1;
}

std::string negotiate_api_version(const DaemonVersion& daemon, std::string_view where) {
  std::string version = compare_api_versions(daemon.api_version, newest_tested_api_version) < 0
                            ? daemon.api_version
                            : std::string(newest_tested_api_version);
  if (!daemon.min_api_version.empty() &&
      compare_api_versions(daemon.min_api_version, version) > 0)
    fail(
        "the engine at {} ({} {}) accepts API versions {} and newer; dockerup speaks at most {}, "
        "the newest it is tested with: use an engine that still accepts API {}",
        where, daemon.podman ? "Podman" : "Docker", daemon.version, daemon.min_api_version,
        version, version);
  return version;
}

std::string untested_api_warning(const DaemonVersion& daemon, std::string_view negotiated,
                                 std::string_view where) {
  if (compare_api_versions(negotiated, oldest_tested_api_version) >= 0) return {};
  return fmt::format(
      "the engine at {} ({} {}) speaks API {} at most, older than any version dockerup is "
      "tested with ({} to {}): dockerup uses it, but answers may be misread",
      where, daemon.podman ? "Podman" : "Docker", daemon.version, negotiated,
      oldest_tested_api_version, newest_tested_api_version);
}

}  // namespace dockerup
