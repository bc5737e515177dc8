#include "dockerup/self_container.hpp"

#include "dockerup/atomic_file.hpp"

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <unistd.h>

namespace dockerup {
namespace {

bool is_hex_id(std::string_view text) {
  return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

/// The 64-hex ID that directly follows `marker` in `text`, if any.
std::optional<std::string> id_after(std::string_view text, std::string_view marker) {
  for (auto at = text.find(marker); at != std::string_view::npos; at = text.find(marker, at + 1)) {
    auto candidate = text.substr(at + marker.size(), 64);
    if (is_hex_id(candidate)) return std::string(candidate);
  }
  return std::nullopt;
}

std::optional<std::string> matching(const std::optional<std::string>& id,
                                    const std::vector<ContainerSummary>& containers) {
  if (!id) return std::nullopt;
  for (const auto& c : containers)
    if (c.id == *id) return c.id;
  return std::nullopt;
}

/// The container IDs named by this process's mounts and cgroup, read once per process: a process
/// never moves to another container, and on a host /proc/self/mountinfo lists the mounts of
/// every container (re-reading and parsing it each --server run cost more CPU than any phase
/// of an idle run but the engine's container list).
struct OwnIds {
  std::optional<std::string> from_mountinfo, from_cgroup;
};
const OwnIds& own_ids() {
  static const OwnIds ids = [] {
    OwnIds found;
    if (auto text = read_whole_file("/proc/self/mountinfo"))
      found.from_mountinfo = container_id_from_mountinfo(*text);
    if (auto text = read_whole_file("/proc/self/cgroup"))
      found.from_cgroup = container_id_from_cgroup(*text);
    return found;
  }();
  return ids;
}

}  // namespace

std::optional<std::string> container_id_from_mountinfo(std::string_view mountinfo) {
  std::istringstream lines{std::string(mountinfo)};
  std::string line;
  while (std::getline(lines, line)) {
    // Fields: id parent major:minor root mount-point options ...
    std::istringstream fields(line);
    std::string id, parent, device, root, mount_point;
    if (!(fields >> id >> parent >> device >> root >> mount_point)) continue;
    if (mount_point != "/etc/hostname" && mount_point != "/etc/hosts" &&
        mount_point != "/etc/resolv.conf")
      continue;
    if (auto found = id_after(root, "/containers/")) return found;
  }
  return std::nullopt;
}

std::optional<std::string> container_id_from_cgroup(std::string_view cgroup) {
  if (auto found = id_after(cgroup, "/docker/")) return found;
  return id_after(cgroup, "docker-");
}

std::optional<std::string> detect_self_container(const std::vector<ContainerSummary>& containers) {
  if (const char* given = std::getenv("DOCKERUP_CONTAINER_ID"); given && *given) {
    for (const auto& c : containers)
      if (c.id.starts_with(given)) return c.id;
    return std::nullopt;
  }
  if (auto id = matching(own_ids().from_mountinfo, containers)) return id;
  if (auto id = matching(own_ids().from_cgroup, containers)) return id;
  // Docker's default hostname is the short ID; trusted only inside a container.
  if (!std::filesystem::exists("/.dockerenv")) return std::nullopt;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || std::string_view(host).size() != 12)
    return std::nullopt;
  std::optional<std::string> found;
  for (const auto& c : containers) {
    if (!c.id.starts_with(host)) continue;
    if (found) return std::nullopt;  // ambiguous
    found = c.id;
  }
  return found;
}

}  // namespace dockerup
