// `dockerup export`: the merged desired state in the formats of the engines users grow into.
#pragma once

#include "dockerup/spec.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dockerup {

enum class ExportFormat { Compose, Ecs, Kubernetes };

/// "compose", "ecs" or "kubernetes"; nullopt otherwise.
std::optional<ExportFormat> parse_export_format(std::string_view text);

struct ExportResult {
  std::string text;  ///< the document (YAML for compose and kubernetes, JSON for ecs)
  /// One line per field that has no counterpart in the format, naming container and field.
  std::vector<std::string> warnings;
};

/// The specs (in declaration order) as one document of `format`. Env values are "(hidden)"
/// unless `show_secrets`.
ExportResult export_specs(const std::vector<ContainerSpec>& specs, ExportFormat format,
                          bool show_secrets);

}  // namespace dockerup
