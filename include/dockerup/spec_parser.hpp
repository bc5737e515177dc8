// Container JSON (the original dockerup's format) -> ContainerSpec, with errors that name the
// source, the field as a JSON path and the reason.
#pragma once

#include "dockerup/error.hpp"
#include "dockerup/spec.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dockerup {

struct SpecParse {
  std::optional<ContainerSpec> spec;  ///< empty when there was any error
  Errors errors;
  /// Problems that do not stop the file from being used: unknown fields (files written for the
  /// original, or with a typo), so they keep working but the operator hears about them.
  Errors warnings;
};

/// Docker's container name rule, [a-zA-Z0-9][a-zA-Z0-9_.-]* (also used for links, volumes
/// "from", network names and container:NAME).
bool is_valid_container_name(std::string_view name);

/// Parses one JSON object; comments and trailing commas are allowed, as in the original README.
/// `source` names the file (or "user-data") in errors and becomes spec.source; `default_name`
/// is used when "name" is missing (file name without .json; empty: "name" is required).
/// All errors of the text are collected, not only the first.
SpecParse parse_spec_text(const std::string& json_text, const std::string& source,
                          const std::string& default_name);

}  // namespace dockerup
