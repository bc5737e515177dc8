// The fields of the original dockerup's container format, plus a few extensions (hostIp,
// labels). Every field has one reader; unknown fields are warnings, so files written for the
// original keep working.
#include "spec_object.hpp"

#include "spec_fields.hpp"

#include "dockerup/ascii.hpp"
#include "dockerup/spec_parser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace dockerup {
namespace {

using FieldReader = void (*)(JsonReader&, const JsonValue&, const std::string&, ContainerSpec&);

struct Field {
  std::string_view key;
  FieldReader read;
};

constexpr Field fields[] = {
    {"type", read_type},
    {"name", read_name},
    {"image", read_image},
    {"cpu", read_cpu},
    {"memory", read_memory},
    {"entrypoint", read_entrypoint},
    {"command", read_command},
    {"privileged", read_privileged},
    {"network", read_network},
    {"volumes", read_volumes},
    {"portMappings", read_port_mappings},
    {"env", read_env},
    {"restart", read_restart},
    {"update", read_update},
    {"links", read_links},
    {"signal", read_signal},
    {"labels", read_labels},
};

/// The field a typo or another tool's spelling most likely meant, or "".
std::string_view suggestion(std::string_view key) {
  static constexpr std::pair<std::string_view, std::string_view> other_spellings[] = {
      {"ports", "portMappings"}, {"environment", "env"},   {"cmd", "command"},
      {"volumesfrom", "volumes"}, {"stopsignal", "signal"}, {"restartpolicy", "restart"},
      {"mem", "memory"},         {"cpushares", "cpu"},     {"networkmode", "network"},
  };
  std::string wanted = ascii_lower(key);
  for (const auto& field : fields)
    if (ascii_lower(field.key) == wanted) return field.key;
  for (const auto& [spelling, field] : other_spellings)
    if (spelling == wanted) return field;
  return {};
}

void warn_unknown(JsonReader& reader, std::string_view key, const std::string& path) {
  std::string_view guess = suggestion(key);
  if (guess.empty())
    reader.warning(path, "unknown field, ignored");
  else
    reader.warning(path, fmt::format("unknown field, ignored (did you mean \"{}\"?)", guess));
}

const Field* find_field(std::string_view key) {
  auto found = std::find_if(std::begin(fields), std::end(fields),
                            [key](const Field& field) { return field.key == key; });
  return found == std::end(fields) ? nullptr : found;
}

void apply_default_name(JsonReader& reader, const std::string& path,
                        const std::string& default_name, ContainerSpec& spec) {
  std::string name_path = member_path(path, "name");
  if (default_name.empty()) {
    reader.error(name_path, "required");
  } else if (!is_valid_container_name(default_name)) {
    reader.error(name_path, fmt::format("missing, and the file name {} is not a valid container "
                                        "name ([a-zA-Z0-9][a-zA-Z0-9_.-]*): add \"name\"",
                                        quote(default_name)));
  } else {
    spec.name = default_name;
  }
}

void require_image(JsonReader& reader, const JsonValue& object, const std::string& path) {
  if (object.HasMember("containers"))
    reader.error(member_path(path, "image"),
                 "required (this looks like EC2 user-data: a containers.d file declares one "
                 "container, without the \"containers\" array)");
  else
    reader.error(member_path(path, "image"), "required");
}

}  // namespace

ContainerSpec read_spec_object(JsonReader& reader, const JsonValue& object,
                               const std::string& path, const std::string& default_name) {
  ContainerSpec spec;
  spec.source = reader.source();
  std::set<std::string_view> given;
  bool is_object = reader.for_each_member(
      object, path, [&](std::string_view key, const JsonValue& value, const std::string& at) {
        const Field* field = find_field(key);
        if (!field) return warn_unknown(reader, key, at);
        if (value.IsNull()) return;  // null means "not given", as a missing field does
        given.insert(field->key);
        field->read(reader, value, at, spec);
      });
  if (!is_object) return spec;
  if (!given.contains("name")) apply_default_name(reader, path, default_name, spec);
  if (!given.contains("image")) require_image(reader, object, path);
  return spec;
}

}  // namespace dockerup
