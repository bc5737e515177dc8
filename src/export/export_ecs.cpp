// An ECS task definition: the input of RegisterTaskDefinition (aws ecs register-task-definition
// --cli-input-json file://OUT), EC2 launch type, one container definition per container.
#include "exporters.hpp"

#include <fmt/format.h>

namespace dockerup::exporter {
namespace {

constexpr const char* kFormat = "an ECS task definition";
constexpr std::int64_t kMiB = 1024 * 1024;

/// Task-level network mode: what every container asks for, else bridge with a warning.
std::string network_mode(const std::vector<ContainerSpec>& specs, ExportResult& result) {
  std::string mode;
  for (const auto& spec : specs) {
    std::string wanted = spec.network.empty() ? "bridge" : spec.network;
    if (wanted != "bridge" && wanted != "host" && wanted != "none") {
      warn(result, spec, "network", kFormat,
           fmt::format("\"{}\" is left out (ECS has bridge, host, none and awsvpc per task)",
                       spec.network));
      continue;
    }
    if (mode.empty()) mode = wanted;
    if (wanted != mode)
      warn(result, spec, "network", kFormat,
           fmt::format("one network mode per task: \"{}\" is used, not \"{}\"", mode, wanted));
  }
  return mode.empty() ? "bridge" : mode;
}

void put_ports(Tree& tree, Value& definition, const ContainerSpec& spec, ExportResult& result) {
  if (spec.ports.empty()) return;
  Value ports = tree.array();
  for (const auto& port : spec.ports) {
    Value mapping = tree.object();
    tree.put(mapping, "containerPort", Value(port.container_port));
    if (port.host_port) tree.put(mapping, "hostPort", Value(*port.host_port));
    tree.put(mapping, "protocol", port.protocol);
    tree.push(ports, std::move(mapping));
    if (!port.host_ip.empty())
      warn(result, spec, "portMappings.hostIp", kFormat,
           fmt::format("port {} listens on every interface, not only {}", port.container_port,
                       port.host_ip));
  }
  tree.put(definition, "portMappings", std::move(ports));
}

/// mountPoints and volumesFrom of one container; its volumes join the task's `volumes`.
void put_volumes(Tree& tree, Value& definition, const ContainerSpec& spec, Value& task_volumes) {
  Value mounts = tree.array(), from = tree.array();
  int index = 0;
  for (const auto& volume : spec.volumes) {
    if (volume.kind == VolumeSpec::Kind::From) {
      Value source = tree.object();
      tree.put(source, "sourceContainer", volume.from);
      tree.put(source, "readOnly", Value(volume.read_only));
      tree.push(from, std::move(source));
      continue;
    }
    std::string name = fmt::format("{}-volume-{}", spec.name, index++);
    Value task_volume = tree.object();
    tree.put(task_volume, "name", name);
    if (volume.kind == VolumeSpec::Kind::Bind) {
      Value host = tree.object();
      tree.put(host, "sourcePath", volume.host_path);
      tree.put(task_volume, "host", std::move(host));
    }  // no host: a Docker volume for the task's life, as an anonymous volume is
    tree.push(task_volumes, std::move(task_volume));
    Value mount = tree.object();
    tree.put(mount, "sourceVolume", name);
    tree.put(mount, "containerPath", volume.container_path);
    tree.put(mount, "readOnly", Value(volume.read_only));
    tree.push(mounts, std::move(mount));
  }
  if (!mounts.Empty()) tree.put(definition, "mountPoints", std::move(mounts));
  if (!from.Empty()) tree.put(definition, "volumesFrom", std::move(from));
}

void put_basics(Tree& tree, Value& definition, const ContainerSpec& spec,
                const ExportContext& context) {
  tree.put(definition, "name", spec.name);
  tree.put(definition, "image", spec.image);
  tree.put(definition, "essential", Value(true));
  if (spec.cpu_shares) tree.put(definition, "cpu", Value(static_cast<int>(*spec.cpu_shares)));
  if (spec.memory_bytes)  // MiB, rounded up: never less than dockerup allowed
    tree.put(definition, "memory",
             Value(static_cast<int>((*spec.memory_bytes + kMiB - 1) / kMiB)));
  if (spec.entrypoint) tree.put(definition, "entryPoint", tree.texts(*spec.entrypoint));
  if (spec.command) tree.put(definition, "command", tree.texts(*spec.command));
  if (!spec.env.empty()) tree.put(definition, "environment", name_value_env(tree, spec, context));
  if (spec.privileged) tree.put(definition, "privileged", Value(true));
  if (!spec.labels.empty()) tree.put(definition, "dockerLabels", tree.text_map(spec.labels));
}

void put_links(Tree& tree, Value& definition, const ContainerSpec& spec,
               const ExportContext& context) {
  if (!spec.links.empty()) {
    std::vector<std::string> links;
    for (const auto& [name, alias] : spec.links) links.push_back(name + ":" + alias);
    tree.put(definition, "links", tree.texts(links));
  }
  auto needs = declared_dependencies(spec, context);
  if (needs.empty()) return;
  Value depends = tree.array();
  for (const auto& name : needs) {
    Value dependency = tree.object();
    tree.put(dependency, "containerName", name);
    tree.put(dependency, "condition", "START");
    tree.push(depends, std::move(dependency));
  }
  tree.put(definition, "dependsOn", std::move(depends));
}

void warn_missing(const ContainerSpec& spec, ExportResult& result) {
  warn(result, spec, "restart", kFormat,
       fmt::format("restart=\"{}\" is left out: an ECS service starts a new task when an "
                   "essential container stops", spec.restart));
  if (!spec.stop_signal.empty())
    warn(result, spec, "signal", kFormat,
         fmt::format("containers are stopped with SIGTERM, not {}", spec.stop_signal));
  if (spec.network.starts_with("container:"))
    warn(result, spec, "network", kFormat, "containers of a task share the task's network mode");
  warn_update_policy(spec, kFormat, result);
}

}  // namespace

ExportResult export_ecs(const std::vector<ContainerSpec>& specs, const ExportContext& context) {
  ExportResult result;
  Tree tree;
  Value definitions = tree.array(), volumes = tree.array();
  std::string mode = network_mode(specs, result);
  for (const auto& spec : specs) {
    Value definition = tree.object();
    put_basics(tree, definition, spec, context);
    put_ports(tree, definition, spec, result);
    put_volumes(tree, definition, spec, volumes);
    put_links(tree, definition, spec, context);
    warn_missing(spec, result);
    tree.push(definitions, std::move(definition));
  }
  tree.put(tree.root(), "family", "dockerup");
  tree.put(tree.root(), "networkMode", mode);
  tree.put(tree.root(), "requiresCompatibilities", tree.texts({"EC2"}));
  tree.put(tree.root(), "containerDefinitions", std::move(definitions));
  tree.put(tree.root(), "volumes", std::move(volumes));
  result.text = to_json(tree.root());
  return result;
}

}  // namespace dockerup::exporter
