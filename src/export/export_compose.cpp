// Compose file format 2.4 (docker-compose 1.x and Compose v2 both read it): one service per
// container, named and configured as dockerup would create it.
#include "exporters.hpp"

#include <fmt/format.h>

#include <set>

namespace dockerup::exporter {
namespace {

std::string port_text(const PortSpec& port) {
  std::string host = port.host_port ? std::to_string(*port.host_port) : "";
  std::string text = std::to_string(port.container_port) + "/" + port.protocol;
  if (!port.host_ip.empty()) return port.host_ip + ":" + host + ":" + text;
  return host.empty() ? text : host + ":" + text;
}

void put_volumes(Tree& tree, Value& service, const ContainerSpec& spec) {
  Value volumes = tree.array(), from = tree.array();
  for (const auto& volume : spec.volumes) {
    std::string mode = volume.read_only ? ":ro" : ":rw";
    switch (volume.kind) {
      case VolumeSpec::Kind::Bind:
        tree.push(volumes, tree.text(volume.host_path + ":" + volume.container_path + mode));
        break;
      case VolumeSpec::Kind::Anonymous:
        tree.push(volumes, tree.text(volume.container_path));
        break;
      case VolumeSpec::Kind::From:
        tree.push(from, tree.text(volume.from + mode));
        break;
    }
  }
  if (!volumes.Empty()) tree.put(service, "volumes", std::move(volumes));
  if (!from.Empty()) tree.put(service, "volumes_from", std::move(from));
}

/// network_mode, or a named network (declared external, it must exist like for dockerup).
void put_network(Tree& tree, Value& service, const ContainerSpec& spec,
                 std::set<std::string>& networks) {
  const std::string& network = spec.network;
  if (network.empty() || network == "bridge" || network == "host" || network == "none") {
    // Compose would put services on a network of its own; dockerup uses Docker's default.
    tree.put(service, "network_mode", network.empty() ? "bridge" : network);
  } else if (network.starts_with("container:")) {
    tree.put(service, "network_mode", "service:" + network.substr(10));
  } else {
    networks.insert(network);
    tree.put(service, "networks", tree.texts({network}));
  }
}

Value service_of(Tree& tree, const ContainerSpec& spec, const ExportContext& context,
                 std::set<std::string>& networks) {
  Value service = tree.object();
  tree.put(service, "container_name", spec.name);
  tree.put(service, "image", spec.image);
  if (spec.entrypoint) tree.put(service, "entrypoint", tree.texts(*spec.entrypoint));
  if (spec.command) tree.put(service, "command", tree.texts(*spec.command));
  if (!spec.env.empty()) {
    Value env = tree.object();
    for (const auto& [key, value] : spec.env)
      tree.put(env, key, context.env(spec, key, value));
    tree.put(service, "environment", std::move(env));
  }
  if (!spec.ports.empty()) {
    Value ports = tree.array();
    for (const auto& port : spec.ports) tree.push(ports, tree.text(port_text(port)));
    tree.put(service, "ports", std::move(ports));
  }
  put_volumes(tree, service, spec);
  tree.put(service, "restart", spec.restart);
  if (spec.memory_bytes) tree.put(service, "mem_limit", Value(*spec.memory_bytes));
  if (spec.cpu_shares) tree.put(service, "cpu_shares", Value(*spec.cpu_shares));
  if (spec.privileged) tree.put(service, "privileged", Value(true));
  put_network(tree, service, spec, networks);
  if (!spec.links.empty()) {
    Value links = tree.array();
    for (const auto& [name, alias] : spec.links) tree.push(links, tree.text(name + ":" + alias));
    tree.put(service, "links", std::move(links));
  }
  auto needs = declared_dependencies(spec, context);
  if (!needs.empty()) tree.put(service, "depends_on", tree.texts(needs));
  if (!spec.stop_signal.empty()) tree.put(service, "stop_signal", spec.stop_signal);
  if (!spec.labels.empty()) tree.put(service, "labels", tree.text_map(spec.labels));
  return service;
}

}  // namespace

ExportResult export_compose(const std::vector<ContainerSpec>& specs, const ExportContext& context) {
  ExportResult result;
  Tree tree;
  std::set<std::string> networks;
  Value services = tree.object();
  for (const auto& spec : specs) {
    tree.put(services, spec.name, service_of(tree, spec, context, networks));
    warn_update_policy(spec, "Compose", result);
  }
  tree.put(tree.root(), "version", "2.4");
  tree.put(tree.root(), "services", std::move(services));
  if (!networks.empty()) {
    Value declared = tree.object();
    for (const auto& network : networks) {
      Value external = tree.object();
      tree.put(external, "external", Value(true));
      tree.put(declared, network, std::move(external));
    }
    tree.put(tree.root(), "networks", std::move(declared));
  }
  result.text = to_yaml(tree.root(), header_lines("Compose file", result.warnings));
  return result;
}

}  // namespace dockerup::exporter
