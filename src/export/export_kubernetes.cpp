// A Kubernetes Pod manifest: one pod, one container per dockerup container, host ports and
// host paths mapped as dockerup maps them on this host.
#include "exporters.hpp"

#include <fmt/format.h>

#include <cctype>

namespace dockerup::exporter {
namespace {

constexpr const char* kFormat = "a Kubernetes Pod";

/// A DNS-1123 label (lower case, digits, '-'; at most 63) from a Docker name.
std::string dns_label(const std::string& name) {
  std::string out;
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    out += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '-';
  }
  while (out.starts_with('-')) out.erase(0, 1);
  if (out.size() > 63) out.resize(63);
  while (out.ends_with('-')) out.pop_back();
  return out.empty() ? "container" : out;
}

std::string restart_policy(const std::vector<ContainerSpec>& specs, ExportResult& result) {
  auto policy_of = [](const std::string& restart) {
    if (restart == "on-failure") return "OnFailure";
    if (restart == "no") return "Never";
    return "Always";  // always, unless-stopped
  };
  std::string policy = specs.empty() ? "Always" : policy_of(specs.front().restart);
  for (const auto& spec : specs)
    if (policy_of(spec.restart) != policy)
      warn(result, spec, "restart", kFormat,
           fmt::format("one restart policy per pod: {} is used, not restart=\"{}\"", policy,
                       spec.restart));
  return policy;
}

void put_ports(Tree& tree, Value& container, const ContainerSpec& spec) {
  if (spec.ports.empty()) return;
  Value ports = tree.array();
  for (const auto& port : spec.ports) {
    Value mapping = tree.object();
    tree.put(mapping, "containerPort", Value(port.container_port));
    if (port.host_port) tree.put(mapping, "hostPort", Value(*port.host_port));
    if (!port.host_ip.empty()) tree.put(mapping, "hostIP", port.host_ip);
    tree.put(mapping, "protocol", port.protocol == "udp" ? "UDP" : "TCP");
    tree.push(ports, std::move(mapping));
  }
  tree.put(container, "ports", std::move(ports));
}

/// Volume names per container and path, so "volumes from" can mount the same volumes.
struct PodVolumes {
  std::map<std::string, std::vector<std::pair<std::string, const VolumeSpec*>>> by_container;
};

void add_pod_volumes(Tree& tree, const ContainerSpec& spec, Value& volumes, PodVolumes& pod) {
  int index = 0;
  for (const auto& volume : spec.volumes) {
    if (volume.kind == VolumeSpec::Kind::From) continue;
    std::string name = fmt::format("{}-{}", dns_label(spec.name).substr(0, 50), index++);
    Value entry = tree.object();
    tree.put(entry, "name", name);
    if (volume.kind == VolumeSpec::Kind::Bind) {
      Value host = tree.object();
      tree.put(host, "path", volume.host_path);
      tree.put(entry, "hostPath", std::move(host));
    } else {
      tree.put(entry, "emptyDir", tree.object());
    }
    tree.push(volumes, std::move(entry));
    pod.by_container[spec.name].push_back({name, &volume});
  }
}

Value mount(Tree& tree, const std::string& name, const std::string& path, bool read_only) {
  Value entry = tree.object();
  tree.put(entry, "name", name);
  tree.put(entry, "mountPath", path);
  if (read_only) tree.put(entry, "readOnly", Value(true));
  return entry;
}

void put_mounts(Tree& tree, Value& container, const ContainerSpec& spec, const PodVolumes& pod,
                ExportResult& result) {
  Value mounts = tree.array();
  auto own = pod.by_container.find(spec.name);
  if (own != pod.by_container.end())
    for (const auto& [name, volume] : own->second)
      tree.push(mounts, mount(tree, name, volume->container_path, volume->read_only));
  for (const auto& volume : spec.volumes) {
    if (volume.kind != VolumeSpec::Kind::From) continue;
    auto other = pod.by_container.find(volume.from);
    if (other == pod.by_container.end()) {
      warn(result, spec, "volumes.from", kFormat,
           fmt::format("\"{}\" has no volumes in this pod", volume.from));
      continue;
    }
    for (const auto& [name, shared] : other->second)  // the same volumes at the same paths
      tree.push(mounts, mount(tree, name, shared->container_path,
                              volume.read_only || shared->read_only));
  }
  if (!mounts.Empty()) tree.put(container, "volumeMounts", std::move(mounts));
}

void put_resources(Tree& tree, Value& container, const ContainerSpec& spec) {
  if (!spec.memory_bytes && !spec.cpu_shares) return;
  Value resources = tree.object();
  if (spec.memory_bytes) {
    Value limits = tree.object();
    tree.put(limits, "memory", std::to_string(*spec.memory_bytes));
    tree.put(resources, "limits", std::move(limits));
  }
  if (spec.cpu_shares) {  // 1024 shares are one CPU's weight, as the kubelet maps it back
    Value requests = tree.object();
    tree.put(requests, "cpu", fmt::format("{}m", std::max<std::int64_t>(1, *spec.cpu_shares * 1000 / 1024)));
    tree.put(resources, "requests", std::move(requests));
  }
  tree.put(container, "resources", std::move(resources));
}

void warn_missing(const ContainerSpec& spec, ExportResult& result) {
  if (dns_label(spec.name) != spec.name)
    warn(result, spec, "name", kFormat,
         fmt::format("not a DNS-1123 label: the container is called \"{}\"",
                     dns_label(spec.name)));
  if (!spec.links.empty())
    warn(result, spec, "links", kFormat,
         "containers of one pod reach each other on localhost; link aliases are left out");
  if (!spec.stop_signal.empty())
    warn(result, spec, "signal", kFormat,
         fmt::format("containers are stopped with SIGTERM (or the image's STOPSIGNAL), not {}",
                     spec.stop_signal));
  if (!spec.labels.empty())
    warn(result, spec, "labels", kFormat, "container labels are left out (pods have labels)");
  for (const auto& port : spec.ports)
    if (!port.host_port)
      warn(result, spec, "portMappings.hostPort", kFormat,
           fmt::format("port {} has none: Docker publishes it on a random host port, a pod only "
                       "on the pod's IP", port.container_port));
  if (!spec.network.empty() && spec.network != "bridge" && spec.network != "host" &&
      !spec.network.starts_with("container:"))
    warn(result, spec, "network", kFormat,
         fmt::format("\"{}\" is left out: a pod has one network namespace", spec.network));
  if (spec.network == "none")
    warn(result, spec, "network", kFormat, "\"none\" is left out: pods always have a network");
  warn_update_policy(spec, kFormat, result);
}

Value container_of(Tree& tree, const ContainerSpec& spec, const PodVolumes& pod,
                   const ExportContext& context, ExportResult& result) {
  Value container = tree.object();
  tree.put(container, "name", dns_label(spec.name));
  tree.put(container, "image", spec.image);
  if (spec.entrypoint) tree.put(container, "command", tree.texts(*spec.entrypoint));
  if (spec.command) tree.put(container, "args", tree.texts(*spec.command));
  if (!spec.env.empty()) tree.put(container, "env", name_value_env(tree, spec, context));
  put_ports(tree, container, spec);
  put_mounts(tree, container, spec, pod, result);
  put_resources(tree, container, spec);
  if (spec.privileged) {
    Value security = tree.object();
    tree.put(security, "privileged", Value(true));
    tree.put(container, "securityContext", std::move(security));
  }
  warn_missing(spec, result);
  return container;
}

}  // namespace

ExportResult export_kubernetes(const std::vector<ContainerSpec>& specs,
                               const ExportContext& context) {
  ExportResult result;
  Tree tree;
  Value volumes = tree.array(), containers = tree.array();
  PodVolumes pod;
  for (const auto& spec : specs) add_pod_volumes(tree, spec, volumes, pod);
  bool host_network = false;
  for (const auto& spec : specs) {
    tree.push(containers, container_of(tree, spec, pod, context, result));
    host_network = host_network || spec.network == "host";
  }
  Value metadata = tree.object();
  tree.put(metadata, "name", "dockerup");
  Value labels = tree.object();
  tree.put(labels, "app.kubernetes.io/managed-by", "dockerup-export");
  tree.put(metadata, "labels", std::move(labels));
  Value pod_spec = tree.object();
  tree.put(pod_spec, "restartPolicy", restart_policy(specs, result));
  if (host_network) tree.put(pod_spec, "hostNetwork", Value(true));
  tree.put(pod_spec, "containers", std::move(containers));
  if (!volumes.Empty()) tree.put(pod_spec, "volumes", std::move(volumes));
  tree.put(tree.root(), "apiVersion", "v1");
  tree.put(tree.root(), "kind", "Pod");
  tree.put(tree.root(), "metadata", std::move(metadata));
  tree.put(tree.root(), "spec", std::move(pod_spec));
  result.text = to_yaml(tree.root(), header_lines("Kubernetes Pod", result.warnings));
  return result;
}

}  // namespace dockerup::exporter
