#include "exporters.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace dockerup {

std::optional<ExportFormat> parse_export_format(std::string_view text) {
  if (text == "compose") return ExportFormat::Compose;
  if (text == "ecs") return ExportFormat::Ecs;
  if (text == "kubernetes") return ExportFormat::Kubernetes;
  return std::nullopt;
}

ExportResult export_specs(const std::vector<ContainerSpec>& specs, ExportFormat format,
                          bool show_secrets) {
  exporter::ExportContext context;
  context.show_secrets = show_secrets;
  for (const auto& spec : specs) context.declared_names.push_back(spec.name);
  std::vector<ContainerSpec> as_created = specs;
  for (auto& spec : as_created)  // what dockerup adds to every container (create_body.hpp)
    if (!spec.env.contains(exporter::kDockerImageEnv)) {
      spec.env[exporter::kDockerImageEnv] = spec.image;
      context.public_env.insert(spec.name);
    }
  switch (format) {
    case ExportFormat::Compose:
      return exporter::export_compose(as_created, context);
    case ExportFormat::Ecs:
      return exporter::export_ecs(as_created, context);
    case ExportFormat::Kubernetes:
      return exporter::export_kubernetes(as_created, context);
  }
  return {};
}

namespace exporter {

Value name_value_env(Tree& tree, const ContainerSpec& spec, const ExportContext& context) {
  Value env = tree.array();
  for (const auto& [key, value] : spec.env) {
    Value pair = tree.object();
    tree.put(pair, "name", key);
    tree.put(pair, "value", context.env(spec, key, value));
    tree.push(env, std::move(pair));
  }
  return env;
}

std::vector<std::string> declared_dependencies(const ContainerSpec& spec,
                                               const ExportContext& context) {
  std::vector<std::string> result;
  for (const auto& name : dependencies(spec)) {
    bool declared = std::find(context.declared_names.begin(), context.declared_names.end(),
                              name) != context.declared_names.end();
    if (declared && std::find(result.begin(), result.end(), name) == result.end())
      result.push_back(name);
  }
  return result;
}

void warn(ExportResult& result, const ContainerSpec& spec, const std::string& field,
          const std::string& format, const std::string& instead) {
  result.warnings.push_back(
      fmt::format("{}: \"{}\" has no counterpart in {}; {}", spec.name, field, format, instead));
}

void warn_update_policy(const ContainerSpec& spec, const std::string& format,
                        ExportResult& result) {
  if (spec.update == UpdatePolicy{}) return;
  warn(result, spec, "update", format,
       "dockerup's per-host update policy (pull/eager/rolling) is left out: use the "
       "target's own deployment settings");
}

std::vector<std::string> header_lines(const std::string& what,
                                      const std::vector<std::string>& warnings) {
  std::vector<std::string> lines{what + " exported by dockerup " DOCKERUP_VERSION
                                        " from its merged desired state."};
  if (!warnings.empty()) lines.push_back("Not expressed here (also printed on stderr):");
  for (const auto& warning : warnings) lines.push_back("  " + warning);
  return lines;
}

}  // namespace exporter
}  // namespace dockerup
