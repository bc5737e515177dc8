// Which container this dockerup runs in, for self-update. A false positive would make dockerup
// hand a foreign container over to a copy of itself, so every method is strict: only a bind mount
// of Docker's own /etc/hostname, /etc/hosts or /etc/resolv.conf, or a Docker cgroup path, counts.
#pragma once

#include "dockerup/engine.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dockerup {

/// From /proc/self/mountinfo: the 64-hex ID in the root of the mount on /etc/hostname (or
/// /etc/hosts, /etc/resolv.conf) when it is ".../containers/<id>/...".
std::optional<std::string> container_id_from_mountinfo(std::string_view mountinfo);

/// From /proc/self/cgroup: "/docker/<id>" (cgroup v1) or "docker-<id>.scope" (v2, host cgroupns).
std::optional<std::string> container_id_from_cgroup(std::string_view cgroup);

/// $DOCKERUP_CONTAINER_ID, then mountinfo, then cgroup, then (inside a container only) the
/// hostname as a unique ID prefix. The result must be one of `containers`; nullopt otherwise.
std::optional<std::string> detect_self_container(const std::vector<ContainerSummary>& containers);

}  // namespace dockerup
