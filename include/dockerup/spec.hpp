// The desired container, as declared by one JSON entry (containers.d file or user-data array).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dockerup {

struct VolumeSpec {
  enum class Kind { Bind, Anonymous, From };
  Kind kind = Kind::Anonymous;
  std::string host_path;       ///< Bind only
  std::string container_path;  ///< Bind and Anonymous
  bool read_only = false;      ///< "mode": "ro"
  std::string from;            ///< From only: name of the container whose volumes are shared
  bool operator==(const VolumeSpec&) const = default;
};

struct PortSpec {
  int container_port = 0;
  std::optional<int> host_port;  ///< absent: Docker picks a random host port
  std::string protocol = "tcp";  ///< tcp or udp
  std::string host_ip;           ///< extension: bind address, empty means all interfaces
  bool operator==(const PortSpec&) const = default;
};

/// How an existing container is brought to a new image or spec. Does not change the container
/// itself, so it is not part of the spec hash.
struct UpdatePolicy {
  bool pull = true;
  bool eager = false;
  bool rolling = false;
  bool operator==(const UpdatePolicy&) const = default;
};

struct ContainerSpec {
  std::string source;  ///< where it was declared: a file path, or "user-data"; not part of the hash
  std::string name;
  std::string image;                                  ///< as written, e.g. "localhost:5000/app:v1"
  std::optional<std::int64_t> cpu_shares;             ///< "cpu"
  std::optional<std::int64_t> memory_bytes;           ///< "memory", base 1024 units
  std::optional<std::vector<std::string>> entrypoint; ///< split into words
  std::optional<std::vector<std::string>> command;    ///< split into words
  bool privileged = false;
  std::string network;  ///< empty: Docker's default; bridge, none, host, container:NAME or a named network
  std::vector<VolumeSpec> volumes;
  std::vector<PortSpec> ports;  ///< "portMappings"
  std::map<std::string, std::string> env;
  std::string restart = "on-failure";  ///< Docker's names: always, on-failure, no, unless-stopped
  UpdatePolicy update;
  std::map<std::string, std::string> links;  ///< container name -> alias
  std::string stop_signal;                    ///< "signal" (accepted by the original); empty = image default
  std::map<std::string, std::string> labels;  ///< extension: extra container labels (not io.dockerup.*)

  bool operator==(const ContainerSpec&) const = default;
};

/// Stable JSON text of everything that shapes the container (not `source`, not `update`).
/// Two specs that would create the same container have the same canonical form.
std::string canonical_json(const ContainerSpec& spec);

/// Short hex digest of canonical_json(); stored in a label to decide "keep or replace".
std::string spec_hash(const ContainerSpec& spec);

/// Names of the containers this one needs to exist first: volumes from, links, network container:X.
std::vector<std::string> dependencies(const ContainerSpec& spec);

}  // namespace dockerup
