// "volumes" and "portMappings": arrays of small objects, checked one by one and then against
// each other (two mounts on one path, or one host port published twice, would only fail later
// inside Docker with a less helpful message).
#include "spec_fields.hpp"

#include "dockerup/ascii.hpp"
#include "dockerup/spec_parser.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>

namespace dockerup {
namespace {

/// The members of one array entry, looked up once (null counts as absent).
struct Members {
  std::map<std::string_view, const JsonValue*> given;

  const JsonValue* get(std::string_view key) const {
    auto found = given.find(key);
    return found == given.end() ? nullptr : found->second;
  }
};

std::optional<Members> members_of(JsonReader& reader, const JsonValue& item,
                                  const std::string& at,
                                  std::initializer_list<std::string_view> known) {
  Members members;
  std::string known_list;
  for (auto key : known) known_list += (known_list.empty() ? "" : ", ") + std::string(key);
  bool is_object = reader.for_each_member(item, at, [&](std::string_view key,
                                                        const JsonValue& value,
                                                        const std::string& member_at) {
    if (std::find(known.begin(), known.end(), key) == known.end())
      return reader.warning(member_at, fmt::format("unknown field, ignored ({})", known_list));
    if (!value.IsNull()) members.given.emplace(key, &value);
  });
  if (!is_object) return std::nullopt;
  return members;
}

std::optional<std::string> absolute_path(JsonReader& reader, const JsonValue& value,
                                         const std::string& path) {
  auto text = reader.string(value, path);
  if (!text) return std::nullopt;
  if (text->empty() || (*text)[0] != '/') {
    reader.error(path, fmt::format("{} is not an absolute path", quote(*text)));
    return std::nullopt;
  }
  if (text->find(':') != std::string::npos) {
    reader.error(path, fmt::format("{} contains ':', which Docker's volume syntax uses as a "
                                   "separator",
                                   quote(*text)));
    return std::nullopt;
  }
  return text;
}

std::optional<bool> read_only_mode(JsonReader& reader, const JsonValue& value,
                                   const std::string& path) {
  auto mode = reader.string(value, path);
  if (!mode) return std::nullopt;
  if (*mode == "ro") return true;
  if (*mode == "rw") return false;
  reader.error(path, fmt::format("{} is not a mode (\"ro\" or \"rw\")", quote(*mode)));
  return std::nullopt;
}

std::optional<VolumeSpec> volume_from(JsonReader& reader, const Members& members,
                                      const std::string& at) {
  if (members.get("containerPath") || members.get("hostPath") || members.get("mode")) {
    reader.error(at, "\"from\" cannot be combined with containerPath, hostPath or mode");
    return std::nullopt;
  }
  std::string from_at = member_path(at, "from");
  auto from = reader.string(*members.get("from"), from_at);
  if (!from) return std::nullopt;
  if (!is_valid_container_name(*from)) {
    reader.error(from_at, fmt::format("{} is not a valid container name", quote(*from)));
    return std::nullopt;
  }
  VolumeSpec volume;
  volume.kind = VolumeSpec::Kind::From;
  volume.from = std::move(*from);
  return volume;
}

std::optional<VolumeSpec> volume(JsonReader& reader, const JsonValue& item,
                                 const std::string& at) {
  auto members = members_of(reader, item, at, {"containerPath", "hostPath", "mode", "from"});
  if (!members) return std::nullopt;
  if (members->get("from")) return volume_from(reader, *members, at);
  const JsonValue* container_path = members->get("containerPath");
  if (!container_path) {
    reader.error(member_path(at, "containerPath"), "required (or \"from\")");
    return std::nullopt;
  }
  VolumeSpec volume;
  auto target = absolute_path(reader, *container_path, member_path(at, "containerPath"));
  std::optional<std::string> host;
  std::optional<bool> read_only = false;
  if (const JsonValue* host_path = members->get("hostPath"))
    host = absolute_path(reader, *host_path, member_path(at, "hostPath"));
  if (const JsonValue* mode = members->get("mode"))
    read_only = read_only_mode(reader, *mode, member_path(at, "mode"));
  bool host_ok = host.has_value() || !members->get("hostPath");
  if (!target || !host_ok || !read_only) return std::nullopt;
  volume.kind = host ? VolumeSpec::Kind::Bind : VolumeSpec::Kind::Anonymous;
  volume.container_path = std::move(*target);
  if (host) volume.host_path = std::move(*host);
  volume.read_only = *read_only;
  return volume;
}

std::optional<std::string> protocol(JsonReader& reader, const JsonValue& value,
                                    const std::string& path) {
  auto text = reader.string(value, path);
  if (!text) return std::nullopt;
  std::string lower = ascii_lower(*text);
  if (lower == "tcp" || lower == "udp") return lower;
  reader.error(path, fmt::format("{} is not a protocol (\"tcp\" or \"udp\")", quote(*text)));
  return std::nullopt;
}

std::optional<std::string> host_ip(JsonReader& reader, const JsonValue& value,
                                   const std::string& path) {
  auto text = reader.string(value, path);
  if (!text) return std::nullopt;
  unsigned char address[16];
  if (inet_pton(AF_INET, text->c_str(), address) == 1 ||
      inet_pton(AF_INET6, text->c_str(), address) == 1)
    return text;
  reader.error(path, fmt::format("{} is not an IP address", quote(*text)));
  return std::nullopt;
}

std::optional<PortSpec> port_mapping(JsonReader& reader, const JsonValue& item,
                                     const std::string& at) {
  auto members = members_of(reader, item, at, {"containerPort", "hostPort", "protocol", "hostIp"});
  if (!members) return std::nullopt;
  PortSpec port;
  bool ok = true;
  if (const JsonValue* value = members->get("containerPort")) {
    auto number = reader.port(*value, member_path(at, "containerPort"));
    if (number) port.container_port = *number;
    ok = ok && number.has_value();
  } else {
    reader.error(member_path(at, "containerPort"), "required");
    ok = false;
  }
  if (const JsonValue* value = members->get("hostPort")) {
    port.host_port = reader.port(*value, member_path(at, "hostPort"));
    ok = ok && port.host_port.has_value();
  }
  if (const JsonValue* value = members->get("protocol")) {
    auto text = protocol(reader, *value, member_path(at, "protocol"));
    if (text) port.protocol = std::move(*text);
    ok = ok && text.has_value();
  }
  if (const JsonValue* value = members->get("hostIp")) {
    auto text = host_ip(reader, *value, member_path(at, "hostIp"));
    if (text) port.host_ip = std::move(*text);
    ok = ok && text.has_value();
  }
  if (!ok) return std::nullopt;
  return port;
}

bool is_array(JsonReader& reader, const JsonValue& value, const std::string& path) {
  if (value.IsArray()) return true;
  reader.error(path, fmt::format("expected an array, got {}", describe(value)));
  return false;
}

}  // namespace

void read_volumes(JsonReader& reader, const JsonValue& value, const std::string& path,
                  ContainerSpec& spec) {
  if (!is_array(reader, value, path)) return;
  std::map<std::string, std::string> mounted;  // container path -> where it was declared
  for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
    std::string at = index_path(path, i);
    auto parsed = volume(reader, value[i], at);
    if (!parsed) continue;
    if (parsed->kind != VolumeSpec::Kind::From) {
      auto [first, inserted] = mounted.emplace(parsed->container_path, at);
      if (!inserted) {
        reader.error(member_path(at, "containerPath"),
                     fmt::format("{} is already mounted by {}", quote(parsed->container_path),
                                 first->second));
        continue;
      }
    }
    spec.volumes.push_back(std::move(*parsed));
  }
}

void read_port_mappings(JsonReader& reader, const JsonValue& value, const std::string& path,
                        ContainerSpec& spec) {
  if (!is_array(reader, value, path)) return;
  std::map<std::string, std::string> published;  // "ip:port/protocol" -> where it was declared
  for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
    std::string at = index_path(path, i);
    auto parsed = port_mapping(reader, value[i], at);
    if (!parsed) continue;
    if (parsed->host_port) {
      std::string key =
          fmt::format("{}:{}/{}", parsed->host_ip, *parsed->host_port, parsed->protocol);
      auto [first, inserted] = published.emplace(key, at);
      if (!inserted) {
        reader.error(member_path(at, "hostPort"),
                     fmt::format("{}/{} is already published by {}", *parsed->host_port,
                                 parsed->protocol, first->second));
        continue;
      }
    }
    spec.ports.push_back(std::move(*parsed));
  }
}

}  // namespace dockerup
