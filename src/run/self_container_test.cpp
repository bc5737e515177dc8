#include "dockerup/self_container.hpp"

#include <doctest/doctest.h>

namespace dockerup {

const std::string id = "4f1c3b2a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b";

TEST_CASE("mountinfo: the container's own /etc/hostname bind mount names it") {
  std::string inside =
      "1364 1363 0:88 / / rw,relatime master:1 - overlay overlay rw\n"
      "1376 1364 254:1 /var/lib/docker/containers/" + id +
      "/hostname /etc/hostname rw,relatime - ext4 /dev/vda rw\n";
  CHECK(container_id_from_mountinfo(inside) == id);
}

TEST_CASE("mountinfo on the host: other containers' shm mounts do not count") {
  std::string host = "700 29 0:60 / /var/lib/docker/containers/" + id +
                     "/mounts/shm rw,nosuid - tmpfs shm rw\n"
                     "29 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda rw\n";
  CHECK_FALSE(container_id_from_mountinfo(host));
}

TEST_CASE("cgroup v1 and v2 paths") {
  CHECK(container_id_from_cgroup("12:memory:/docker/" + id + "\n") == id);
  CHECK(container_id_from_cgroup("0::/system.slice/docker-" + id + ".scope\n") == id);
  CHECK_FALSE(container_id_from_cgroup("0::/\n"));
  CHECK_FALSE(container_id_from_cgroup("0::/user.slice/user-0.slice/session-1.scope\n"));
}

}  // namespace dockerup
