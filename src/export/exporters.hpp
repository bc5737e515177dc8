// One function per export format, and what they share.
#pragma once

#include "dockerup/export.hpp"
#include "dockerup/redact.hpp"
#include "tree.hpp"

#include <set>
#include <string>
#include <vector>

namespace dockerup::exporter {

/// dockerup sets DOCKER_IMAGE=<image> in every container that does not set it itself.
inline const std::string kDockerImageEnv = "DOCKER_IMAGE";

struct ExportContext {
  bool show_secrets = false;
  std::vector<std::string> declared_names;  ///< every exported container
  /// Containers whose DOCKER_IMAGE was added by dockerup (the image name, no secret).
  std::set<std::string> public_env;

  /// The env value as exported: the value, or "(hidden)" without --show-secrets.
  std::string env(const ContainerSpec& spec, const std::string& key,
                  const std::string& value) const {
    bool added = key == kDockerImageEnv && public_env.count(spec.name) != 0;
    return added ? value : shown_env_value(value, show_secrets);
  }
};

ExportResult export_compose(const std::vector<ContainerSpec>& specs, const ExportContext& context);
ExportResult export_ecs(const std::vector<ContainerSpec>& specs, const ExportContext& context);
ExportResult export_kubernetes(const std::vector<ContainerSpec>& specs,
                               const ExportContext& context);

/// The env as a list of {"name", "value"} objects, as ECS and Kubernetes both write it.
Value name_value_env(Tree& tree, const ContainerSpec& spec, const ExportContext& context);

/// dependencies(spec) that are exported too (a dependency on an undeclared container is not).
std::vector<std::string> declared_dependencies(const ContainerSpec& spec,
                                               const ExportContext& context);

/// "NAME: FIELD has no counterpart in FORMAT; WHAT HAPPENS INSTEAD".
void warn(ExportResult& result, const ContainerSpec& spec, const std::string& field,
          const std::string& format, const std::string& instead);

/// A warning when the update policy is not the default (it is dockerup's own: how a change is
/// rolled out on one host).
void warn_update_policy(const ContainerSpec& spec, const std::string& format,
                        ExportResult& result);

/// Comment lines for YAML output: where it came from, and every warning.
std::vector<std::string> header_lines(const std::string& what,
                                      const std::vector<std::string>& warnings);

}  // namespace dockerup::exporter
