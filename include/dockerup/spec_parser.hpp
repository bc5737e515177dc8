// Container JSON (the original dockerup's format) -> ContainerSpec, with errors that name the
// source, the field as a JSON path and the reason.
#pragma once

#include "dockerup/error.hpp"
#include "dockerup/spec.hpp"

#include <optional>
#include <string>
#include <vector>

namespace dockerup {

struct SpecParse {
  std::optional<ContainerSpec> spec;  ///< empty when there was any error
  Errors errors;
};

/// Parses one JSON object. `source` names the file (or "user-data") in errors and becomes
/// spec.source; `default_name` is used when "name" is missing (file name without .json).
SpecParse parse_spec_text(const std::string& json_text, const std::string& source,
                          const std::string& default_name);

}  // namespace dockerup
