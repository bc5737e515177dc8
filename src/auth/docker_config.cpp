#include "docker_config.hpp"

#include "dockerup/atomic_file.hpp"
#include "dockerup/base64.hpp"
#include "dockerup/error.hpp"
#include "dockerup/json_parse.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace dockerup {
namespace {

bool is_regular_file(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

std::string string_field(const rapidjson::Value& object, const char* key, const std::string& path,
                         const std::string& where) {
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || it->value.IsNull()) return "";
  if (!it->value.IsString()) fail("{}: {}.{}: must be a string", path, where, key);
  return {it->value.GetString(), it->value.GetStringLength()};
}

AuthEntry parse_entry(const rapidjson::Value& value, const std::string& path,
                      const std::string& where) {
  if (!value.IsObject()) fail("{}: {}: must be an object", path, where);
  AuthEntry entry;
  entry.username = string_field(value, "username", path, where);
  entry.password = string_field(value, "password", path, where);
  entry.identity_token = string_field(value, "identitytoken", path, where);
  entry.email = string_field(value, "email", path, where);
  std::string auth = string_field(value, "auth", path, where);
  if (!auth.empty()) {
    // The CLI writes `auth` and reads it in preference to the separate fields.
    auto decoded = base64_decode(auth);
    auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos)
      fail("{}: {}.auth: is not base64 of \"user:password\"", path, where);
    entry.username = decoded->substr(0, colon);
    entry.password = decoded->substr(colon + 1);
  }
  return entry;
}

void parse_auths(const rapidjson::Value& auths, const std::string& path, const std::string& where,
                 DockerConfig& config) {
  if (!auths.IsObject()) fail("{}: {}: must be an object", path, where);
  for (const auto& member : auths.GetObject()) {
    std::string key(member.name.GetString(), member.name.GetStringLength());
    std::string entry_where = where.empty() ? "\"" + key + "\"" : where + "[\"" + key + "\"]";
    config.auths[key] = parse_entry(member.value, path, entry_where);
  }
}

}  // namespace

DockerConfig parse_docker_config(std::string_view text, const std::string& path, bool legacy) {
  rapidjson::Document document;
  JsonOptions options;
  options.max_bytes = kMaxLocalJsonBytes;
  if (auto error = parse_json(text, document, options))
    fail("{}: not valid JSON: {}", path, error->str());
  if (!document.IsObject()) fail("{}: must be a JSON object", path);
  DockerConfig config;
  config.path = path;
  if (legacy) {
    parse_auths(document, path, "", config);
    return config;
  }
  if (auto it = document.FindMember("auths"); it != document.MemberEnd())
    parse_auths(it->value, path, "auths", config);
  config.creds_store = string_field(document, "credsStore", path, "$");
  if (auto it = document.FindMember("credHelpers"); it != document.MemberEnd()) {
    if (!it->value.IsObject()) fail("{}: credHelpers: must be an object", path);
    for (const auto& member : it->value.GetObject()) {
      std::string key(member.name.GetString(), member.name.GetStringLength());
      if (!member.value.IsString())
        fail("{}: credHelpers[\"{}\"]: must be a string (the helper name)", path, key);
      config.cred_helpers[key] = member.value.GetString();
    }
  }
  return config;
}

std::optional<DockerConfigFile> find_docker_config(const DockerConfigPlaces& places) {
  // The CLI takes DOCKER_CONFIG (a directory) first; dockerup's own setting comes next.
  if (!places.env_docker_config.empty()) {
    std::string path = places.env_docker_config + "/config.json";
    if (is_regular_file(path)) return DockerConfigFile{path, false};
    return std::nullopt;  // as the CLI: an explicit place is the only place
  }
  if (!places.setting.empty()) {
    if (is_regular_file(places.setting)) return DockerConfigFile{places.setting, false};
    std::string path = places.setting + "/config.json";
    if (is_regular_file(path)) return DockerConfigFile{path, false};
    return std::nullopt;
  }
  if (places.home.empty()) return std::nullopt;
  std::string path = places.home + "/.docker/config.json";
  if (is_regular_file(path)) return DockerConfigFile{path, false};
  std::string legacy = places.home + "/.dockercfg";
  if (is_regular_file(legacy)) return DockerConfigFile{legacy, true};
  return std::nullopt;
}

DockerConfig load_docker_config(const DockerConfigPlaces& places) {
  auto file = find_docker_config(places);
  if (!file) return {};
  auto text = read_whole_file(file->path);
  if (!text) fail("{}: cannot be read", file->path);
  return parse_docker_config(*text, file->path, file->legacy);
}

DockerConfigPlaces docker_config_places(const std::string& setting) {
  DockerConfigPlaces places;
  if (const char* env = std::getenv("DOCKER_CONFIG")) places.env_docker_config = env;
  places.setting = setting;
  if (const char* home = std::getenv("HOME"); home && *home) {
    places.home = home;
  } else if (const passwd* entry = ::getpwuid(::geteuid())) {
    places.home = entry->pw_dir;
  }
  return places;
}

}  // namespace dockerup
