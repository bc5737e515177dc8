// One container's JSON object -> ContainerSpec. Shared by containers.d files (the object is the
// whole document, path "$") and EC2 user-data (each entry of "containers", "$.containers[2]").
#pragma once

#include "json_reader.hpp"

#include "dockerup/spec.hpp"

#include <string>

namespace dockerup {

/// Reads every field of `object` (at JSON path `path`) into a spec; problems go to `reader`.
/// The spec is only meaningful when no error was added. `default_name` replaces a missing
/// "name" (empty: "name" is required). spec.source is reader.source().
ContainerSpec read_spec_object(JsonReader& reader, const JsonValue& object,
                               const std::string& path, const std::string& default_name);

}  // namespace dockerup
