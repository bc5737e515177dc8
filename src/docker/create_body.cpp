#include "create_body.hpp"

#include "dockerup/json_write.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <map>

namespace dockerup {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_strings(Writer& writer, const std::vector<std::string>& texts) {
  writer.StartArray();
  for (const std::string& text : texts) write_json_string(writer, text);
  writer.EndArray();
}

void write_string_map(Writer& writer, const std::map<std::string, std::string>& map) {
  writer.StartObject();
  for (const auto& [key, value] : map) {
    write_json_string(writer, key);
    write_json_string(writer, value);
  }
  writer.EndObject();
}

/// {"key": {}} for each key: Docker's JSON spelling of a set.
void write_set(Writer& writer, const std::vector<std::string>& keys) {
  writer.StartObject();
  for (const std::string& key : keys) {
    write_json_string(writer, key);
    writer.StartObject();
    writer.EndObject();
  }
  writer.EndObject();
}

std::string port_key(const PortSpec& port) {
  return std::to_string(port.container_port) + "/" + port.protocol;
}

std::vector<std::string> environment(const ContainerSpec& spec) {
  std::vector<std::string> env;
  for (const auto& [name, value] : spec.env) env.push_back(name + "=" + value);
  if (!spec.env.contains(docker_image_env))
    env.push_back(std::string(docker_image_env) + "=" + spec.image);
  return env;
}

std::vector<std::string> exposed_ports(const ContainerSpec& spec) {
  std::vector<std::string> keys;
  for (const PortSpec& port : spec.ports) {
    std::string key = port_key(port);
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  }
  return keys;
}

std::vector<std::string> volumes_of_kind(const ContainerSpec& spec, VolumeSpec::Kind kind) {
  std::vector<std::string> result;
  for (const VolumeSpec& volume : spec.volumes) {
    if (volume.kind != kind) continue;
    std::string mode = volume.read_only ? ":ro" : ":rw";
    switch (kind) {
      case VolumeSpec::Kind::Anonymous:
        result.push_back(volume.container_path);
        break;
      case VolumeSpec::Kind::Bind:
        result.push_back(volume.host_path + ":" + volume.container_path + mode);
        break;
      case VolumeSpec::Kind::From:
        result.push_back(volume.from + mode);
        break;
    }
  }
  return result;
}

/// {"8080/tcp": [{"HostIp": "", "HostPort": "8080"}]}; an empty HostPort lets Docker pick one.
void write_port_bindings(Writer& writer, const ContainerSpec& spec) {
  std::map<std::string, std::vector<const PortSpec*>> bindings;
  for (const PortSpec& port : spec.ports) bindings[port_key(port)].push_back(&port);
  writer.StartObject();
  for (const auto& [key, ports] : bindings) {
    write_json_string(writer, key);
    writer.StartArray();
    for (const PortSpec* port : ports) {
      writer.StartObject();
      writer.Key("HostIp");
      write_json_string(writer, port->host_ip);
      writer.Key("HostPort");
      write_json_string(writer, port->host_port ? std::to_string(*port->host_port) : std::string());
      writer.EndObject();
    }
    writer.EndArray();
  }
  writer.EndObject();
}

std::vector<std::string> links(const ContainerSpec& spec) {
  std::vector<std::string> result;
  for (const auto& [name, alias] : spec.links) result.push_back(name + ":" + alias);
  return result;
}

void write_host_config(Writer& writer, const ContainerSpec& spec) {
  writer.StartObject();
  if (spec.cpu_shares) {
    writer.Key("CpuShares");
    writer.Int64(*spec.cpu_shares);
  }
  if (spec.memory_bytes) {
    writer.Key("Memory");
    writer.Int64(*spec.memory_bytes);
  }
  writer.Key("Privileged");
  writer.Bool(spec.privileged);
  if (!spec.network.empty()) {
    writer.Key("NetworkMode");
    write_json_string(writer, spec.network);
  }
  writer.Key("Binds");
  write_strings(writer, volumes_of_kind(spec, VolumeSpec::Kind::Bind));
  writer.Key("VolumesFrom");
  write_strings(writer, volumes_of_kind(spec, VolumeSpec::Kind::From));
  writer.Key("PortBindings");
  write_port_bindings(writer, spec);
  writer.Key("RestartPolicy");
  writer.StartObject();
  writer.Key("Name");
  write_json_string(writer, spec.restart);
  writer.Key("MaximumRetryCount");
  writer.Int(0);
  writer.EndObject();
  writer.Key("Links");
  write_strings(writer, links(spec));
  writer.EndObject();
}

}  // namespace

std::string make_create_body(const CreateRequest& request) {
  const ContainerSpec& spec = request.spec;
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  writer.Key("Image");
  write_json_string(writer, spec.image);
  if (spec.entrypoint) {
    writer.Key("Entrypoint");
    write_strings(writer, *spec.entrypoint);
  }
  if (spec.command) {
    writer.Key("Cmd");
    write_strings(writer, *spec.command);
  }
  writer.Key("Env");
  write_strings(writer, environment(spec));
  writer.Key("Labels");
  std::map<std::string, std::string> labels = request.labels;
  labels.insert(spec.labels.begin(), spec.labels.end());  // dockerup's own labels win
  write_string_map(writer, labels);
  writer.Key("ExposedPorts");
  write_set(writer, exposed_ports(spec));
  if (!spec.stop_signal.empty()) {
    writer.Key("StopSignal");
    write_json_string(writer, spec.stop_signal);
  }
  writer.Key("Volumes");
  write_set(writer, volumes_of_kind(spec, VolumeSpec::Kind::Anonymous));
  writer.Key("HostConfig");
  write_host_config(writer, spec);
  writer.EndObject();
  return buffer.GetString();
}

}  // namespace dockerup
