// One reader per top-level field of the container JSON. Each validates its value, reports
// problems under the field's JSON path `path`, and sets the spec only from valid input.
#pragma once

#include "json_reader.hpp"

#include "dockerup/spec.hpp"

#include <string>

namespace dockerup {

// spec_fields.cpp: scalars and maps.
void read_type(JsonReader&, const JsonValue&, const std::string& path, ContainerSpec&);
void read_name(JsonReader&, const JsonValue&, const std::string& path, ContainerSpec&);
void read_image(JsonReader&, const JsonValue&, const std::string& path, ContainerSpec&);
void read_cpu(JsonReader&, const JsonValue&, const std::string& path, ContainerSpec&);
void read_memory(JsonReader&, const JsonValue&, const std::string& path, ContainerSpec&);
void read_entrypoint(JsonReader&, const JsonValue&, const std::string& path, ContainerSpec&);
void read_command(JsonReader&, const JsonValue&, const std::string& path, ContainerSpec&);
void read_privileged(JsonReader&, const JsonValue&, const std::string& path, ContainerSpec&);
void read_network(JsonReader&, const JsonValue&, const std::string& path, ContainerSpec&);
void read_env(JsonReader&, const JsonValue&, const std::string& path, ContainerSpec&);
void read_restart(JsonReader&, const JsonValue&, const std::string& path, ContainerSpec&);
void read_update(JsonReader&, const JsonValue&, const std::string& path, ContainerSpec&);
void read_links(JsonReader&, const JsonValue&, const std::string& path, ContainerSpec&);
void read_signal(JsonReader&, const JsonValue&, const std::string& path, ContainerSpec&);
void read_labels(JsonReader&, const JsonValue&, const std::string& path, ContainerSpec&);

// spec_lists.cpp: the arrays of objects.
void read_volumes(JsonReader&, const JsonValue&, const std::string& path, ContainerSpec&);
void read_port_mappings(JsonReader&, const JsonValue&, const std::string& path, ContainerSpec&);

}  // namespace dockerup
