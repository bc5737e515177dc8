// The canonical form of a spec decides "keep or replace" (through spec_hash in a label), so it
// must be stable: keys in a fixed order, and fields at their default left out, so that a later
// version which adds a field (with a default) does not change the hash of every container
// already running.
#include "dockerup/spec.hpp"

#include "dockerup/json_write.hpp"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

namespace dockerup {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void write_key(JsonWriter& out, const char* key) { out.Key(key); }

void write_words(JsonWriter& out, const char* key,
                 const std::optional<std::vector<std::string>>& words) {
  if (!words) return;  // absent (image default) differs from [] (explicitly empty)
  write_key(out, key);
  out.StartArray();
  for (const auto& word : *words) write_json_string(out, word);
  out.EndArray();
}

void write_map(JsonWriter& out, const char* key, const std::map<std::string, std::string>& map) {
  if (map.empty()) return;
  write_key(out, key);
  out.StartObject();  // std::map iterates in key order: stable
  for (const auto& [name, value] : map) {
    write_json_string(out, name);
    write_json_string(out, value);
  }
  out.EndObject();
}

void write_volume(JsonWriter& out, const VolumeSpec& volume) {
  out.StartObject();
  switch (volume.kind) {
    case VolumeSpec::Kind::From:
      write_key(out, "from");
      write_json_string(out, volume.from);
      break;
    case VolumeSpec::Kind::Bind:
      write_key(out, "hostPath");
      write_json_string(out, volume.host_path);
      [[fallthrough]];
    case VolumeSpec::Kind::Anonymous:
      write_key(out, "containerPath");
      write_json_string(out, volume.container_path);
      if (volume.read_only) {  // the input format's spelling, so the text parses back
        write_key(out, "mode");
        write_json_string(out, "ro");
      }
      break;
  }
  out.EndObject();
}

void write_port(JsonWriter& out, const PortSpec& port) {
  out.StartObject();
  write_key(out, "containerPort");
  out.Int(port.container_port);
  if (port.host_port) {
    write_key(out, "hostPort");
    out.Int(*port.host_port);
  }
  write_key(out, "protocol");
  write_json_string(out, port.protocol);
  if (!port.host_ip.empty()) {
    write_key(out, "hostIp");
    write_json_string(out, port.host_ip);
  }
  out.EndObject();
}

void write_optional_int(JsonWriter& out, const char* key, const std::optional<std::int64_t>& value) {
  if (!value) return;
  write_key(out, key);
  out.Int64(*value);
}

void write_nonempty(JsonWriter& out, const char* key, const std::string& value) {
  if (value.empty()) return;
  write_key(out, key);
  write_json_string(out, value);
}

}  // namespace

std::string canonical_json(const ContainerSpec& spec) {
  rapidjson::StringBuffer buffer;
  JsonWriter out(buffer);
  out.StartObject();
  write_key(out, "name");
  write_json_string(out, spec.name);
  write_key(out, "image");
  write_json_string(out, spec.image);
  write_optional_int(out, "cpu", spec.cpu_shares);
  write_optional_int(out, "memory", spec.memory_bytes);
  write_words(out, "entrypoint", spec.entrypoint);
  write_words(out, "command", spec.command);
  if (spec.privileged) {
    write_key(out, "privileged");
    out.Bool(true);
  }
  write_nonempty(out, "network", spec.network);
  if (!spec.volumes.empty()) {
    write_key(out, "volumes");
    out.StartArray();
    for (const auto& volume : spec.volumes) write_volume(out, volume);
    out.EndArray();
  }
  if (!spec.ports.empty()) {
    write_key(out, "portMappings");
    out.StartArray();
    for (const auto& port : spec.ports) write_port(out, port);
    out.EndArray();
  }
  write_map(out, "env", spec.env);
  write_key(out, "restart");
  write_json_string(out, spec.restart);
  write_map(out, "links", spec.links);
  write_nonempty(out, "signal", spec.stop_signal);
  write_map(out, "labels", spec.labels);
  out.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

// A non-cryptographic hash is enough: it detects that a declaration changed (change detection,
// not security). Forging a collision gains nothing, because whoever can write the container JSON
// already decides what runs; and 64 bits make an accidental collision between two versions of
// one container's spec negligible. No crypto library needed.
std::string spec_hash(const ContainerSpec& spec) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a 64-bit offset basis
  for (unsigned char byte : canonical_json(spec)) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;  // FNV-1a 64-bit prime
  }
  return fmt::format("{:016x}", hash);
}

std::vector<std::string> dependencies(const ContainerSpec& spec) {
  std::vector<std::string> names;
  auto add = [&names](const std::string& name) {
    if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end())
      names.push_back(name);
  };
  for (const auto& volume : spec.volumes)
    if (volume.kind == VolumeSpec::Kind::From) add(volume.from);
  for (const auto& [name, alias] : spec.links) add(name);
  constexpr std::string_view container_prefix = "container:";
  if (spec.network.starts_with(container_prefix))
    add(spec.network.substr(container_prefix.size()));
  return names;
}

}  // namespace dockerup
