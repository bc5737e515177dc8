// Effective settings of one dockerup process: defaults, then dockerup.conf, then user-data
// keys, then the command line (later wins).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace dockerup {

enum class GcMode { Off, On, Aggressive };

struct Settings {
  std::string config_file = "/etc/dockerup/dockerup.conf";
  std::string cache_dir = "/var/cache/dockerup";
  std::string confdir = "/etc/dockerup/containers.d";
  std::string remote;         ///< empty: DOCKER_HOST, else unix:///var/run/docker.sock
  /// PEM files for TLS remotes; empty: DOCKER_CERT_PATH's ca.pem, cert.pem, key.pem
  std::string tls_ca, tls_cert, tls_key;
  int interval = 60;          ///< seconds between runs in --server mode
  bool aws = false;           ///< also read EC2 user-data
  bool pull = true;           ///< check registries for new images under the same tag
  bool exclusive = false;     ///< remove every undeclared container, as the original did
  int stop_timeout = 10;      ///< seconds between the stop signal and SIGKILL
  int start_wait = 2;         ///< seconds a new container must stay up before it counts as started
  int rolling_wait = 10;      ///< seconds a rolling replacement must stay up (no HEALTHCHECK)
  int health_timeout = 120;   ///< seconds a rolling replacement may take to become healthy
  /// A container replaced less than a minute (plus one interval) ago that restarted more than this
  /// many times is rolled back to its previous image and spec.
  int crashloop_restarts = 3;
  /// How many actions (creates, replacements, removals) and image checks run at once; 1 does
  /// one at a time in plan order. Containers that depend on each other are never concurrent.
  /// 32, not 8: each replacement holds its slot through the old container's stop_timeout, so 50
  /// replacements at 8 pay ~7 stop waits one after the other; 32 took 14% less time (bench/).
  int parallel = 32;
  GcMode gc = GcMode::On;
  bool gc_keep_volumes = false;
  std::string aws_endpoint;   ///< empty: AWS_EC2_METADATA_SERVICE_ENDPOINT, else http://169.254.169.254
  bool aws_imdsv1 = true;     ///< allow IMDSv1 when the token endpoint is absent
  bool strict_modes = true;   ///< refuse group/world-writable config files
  bool verbose = false;
  bool dry_run = false;
  bool server = false;
  bool show_secrets = false;
  std::string log_format = "text";  ///< text or json
  std::string metrics_listen;       ///< "127.0.0.1:9100"; empty: off

  // Fleet sources (src/fleet): shared JSON documents in the user-data form.
  std::vector<std::string> source_urls;  ///< https://, s3://BUCKET/KEY, http:// (loopback only)
  int stagger = 0;           ///< seconds over which a fleet's hosts spread a document change
  std::string s3_endpoint;   ///< empty: https://s3.REGION.amazonaws.com; else path-style URLs

  // A registry login at start: the original's undocumented username/password/email/registry keys.
  std::string registry;           ///< registry server address; empty: Docker Hub
  std::string registry_username;  ///< empty: no login
  std::string registry_password;  ///< a secret: never logged unless --show-secrets
  std::string registry_email;
  /// Docker client config (a directory holding config.json, or the file itself) used when
  /// $DOCKER_CONFIG is not set; empty: ~/.docker/config.json, then ~/.dockercfg.
  std::string docker_config;
};

}  // namespace dockerup
