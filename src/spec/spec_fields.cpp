#include "spec_fields.hpp"

#include "dockerup/spec_parser.hpp"
#include "dockerup/units.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace dockerup {
namespace {

constexpr std::string_view name_rule = "[a-zA-Z0-9][a-zA-Z0-9_.-]*";
constexpr std::string_view reserved_label_prefix = "io.dockerup.";

bool has_space(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

/// A name for something the container refers to (link, network): reported like "name".
std::optional<std::string> container_name(JsonReader& reader, const JsonValue& value,
                                          const std::string& path) {
  auto name = reader.string(value, path);
  if (!name) return std::nullopt;
  if (is_valid_container_name(*name)) return name;
  reader.error(path, fmt::format("{} is not a valid container name ({})", quote(*name), name_rule));
  return std::nullopt;
}

/// "command": "nginx -g 'daemon off;'" (split like a shell) or ["nginx", "-g", "daemon off;"].
std::optional<std::vector<std::string>> words(JsonReader& reader, const JsonValue& value,
                                              const std::string& path) {
  if (value.IsString()) {
    std::string_view text(value.GetString(), value.GetStringLength());
    auto split = split_words(text);
    if (!split)
      reader.error(path, fmt::format("{} has an unterminated quote or a trailing backslash",
                                     quote(text)));
    return split;
  }
  if (!value.IsArray()) {
    reader.error(path, fmt::format("expected a string or an array of strings, got {}",
                                   describe(value)));
    return std::nullopt;
  }
  std::vector<std::string> result;
  bool ok = true;
  for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
    auto word = reader.string(value[i], index_path(path, i));
    if (word) result.push_back(std::move(*word));
    ok = ok && word.has_value();
  }
  if (!ok) return std::nullopt;
  return result;
}

/// Docker's own signal names accept "SIGTERM", "TERM", "15", "SIGRTMIN+3".
bool is_signal_name(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '+' || c == '-';
  });
}

}  // namespace

bool is_valid_container_name(std::string_view name) {
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (name.empty() || !alnum(name[0])) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return alnum(c) || c == '_' || c == '.' || c == '-'; });
}

void read_type(JsonReader& reader, const JsonValue& value, const std::string& path,
               ContainerSpec&) {
  auto type = reader.string(value, path);
  if (type && *type != "docker")
    reader.error(path, fmt::format("{} is not supported (only \"docker\")", quote(*type)));
}

void read_name(JsonReader& reader, const JsonValue& value, const std::string& path,
               ContainerSpec& spec) {
  if (auto name = container_name(reader, value, path)) spec.name = std::move(*name);
}

void read_image(JsonReader& reader, const JsonValue& value, const std::string& path,
                ContainerSpec& spec) {
  auto image = reader.string(value, path);
  if (!image) return;
  if (image->empty())
    reader.error(path, "must not be empty");
  else if (has_space(*image))
    reader.error(path, fmt::format("{} contains whitespace", quote(*image)));
  else
    spec.image = std::move(*image);
}

void read_cpu(JsonReader& reader, const JsonValue& value, const std::string& path,
              ContainerSpec& spec) {
  if (auto shares = reader.whole_number(value, path)) spec.cpu_shares = shares;
}

void read_memory(JsonReader& reader, const JsonValue& value, const std::string& path,
                 ContainerSpec& spec) {
  if (value.IsNumber()) {
    if (auto bytes = reader.whole_number(value, path)) spec.memory_bytes = bytes;
    return;
  }
  std::optional<std::int64_t> bytes;
  if (value.IsString()) bytes = parse_memory({value.GetString(), value.GetStringLength()});
  if (bytes)
    spec.memory_bytes = bytes;
  else
    reader.error(path, fmt::format("{} is not a size (use 512k, 2048m, 1g or bytes)",
                                   describe(value)));
}

void read_entrypoint(JsonReader& reader, const JsonValue& value, const std::string& path,
                     ContainerSpec& spec) {
  spec.entrypoint = words(reader, value, path);
}

void read_command(JsonReader& reader, const JsonValue& value, const std::string& path,
                  ContainerSpec& spec) {
  spec.command = words(reader, value, path);
}

void read_privileged(JsonReader& reader, const JsonValue& value, const std::string& path,
                     ContainerSpec& spec) {
  if (auto privileged = reader.boolean(value, path)) spec.privileged = *privileged;
}

void read_network(JsonReader& reader, const JsonValue& value, const std::string& path,
                  ContainerSpec& spec) {
  auto network = reader.string(value, path);
  if (!network) return;
  constexpr std::string_view container_prefix = "container:";
  if (*network == "container") {
    reader.error(path, "\"container\" needs the name of the container: \"container:NAME\"");
  } else if (network->starts_with(container_prefix)) {
    std::string_view target = std::string_view(*network).substr(container_prefix.size());
    if (is_valid_container_name(target))
      spec.network = std::move(*network);
    else
      reader.error(path, fmt::format("{} is not a valid container name ({})", quote(target),
                                     name_rule));
  } else if (network->empty() || is_valid_container_name(*network)) {
    // bridge, none, host, or a user-defined network; empty means Docker's default.
    spec.network = std::move(*network);
  } else {
    reader.error(path, fmt::format("{} is not a network (bridge, none, host, container:NAME or "
                                   "the name of a network)",
                                   quote(*network)));
  }
}

void read_env(JsonReader& reader, const JsonValue& value, const std::string& path,
              ContainerSpec& spec) {
  // Numbers and booleans are accepted because the original passed them through to Docker.
  auto env = reader.string_map(value, path, /*scalars_as_text=*/true);
  if (!env) return;
  bool ok = true;
  for (const auto& [name, text] : *env) {
    if (name.find('=') != std::string::npos) {
      reader.error(member_path(path, name), "a variable name cannot contain '='");
      ok = false;
    }
  }
  if (ok) spec.env = std::move(*env);
}

void read_restart(JsonReader& reader, const JsonValue& value, const std::string& path,
                  ContainerSpec& spec) {
  auto restart = reader.string(value, path);
  if (!restart) return;
  if (*restart == "never") *restart = "no";  // the original's word for Docker's "no"
  if (*restart == "always" || *restart == "on-failure" || *restart == "no" ||
      *restart == "unless-stopped")
    spec.restart = std::move(*restart);
  else
    reader.error(path, fmt::format("{} is not a restart policy (always, on-failure, never, no, "
                                   "unless-stopped)",
                                   quote(*restart)));
}

void read_update(JsonReader& reader, const JsonValue& value, const std::string& path,
                 ContainerSpec& spec) {
  reader.for_each_member(value, path, [&](std::string_view key, const JsonValue& item,
                                          const std::string& at) {
    bool* target = key == "pull"      ? &spec.update.pull
                   : key == "eager"   ? &spec.update.eager
                   : key == "rolling" ? &spec.update.rolling
                                      : nullptr;
    if (!target) return reader.warning(at, "unknown field, ignored (pull, eager, rolling)");
    if (item.IsNull()) return;
    if (auto flag = reader.boolean(item, at)) *target = *flag;
  });
}

void read_links(JsonReader& reader, const JsonValue& value, const std::string& path,
                ContainerSpec& spec) {
  reader.for_each_member(value, path, [&](std::string_view name, const JsonValue& alias,
                                          const std::string& at) {
    if (!is_valid_container_name(name)) {
      reader.error(at, fmt::format("{} is not a valid container name ({})", quote(name),
                                   name_rule));
      return;
    }
    if (auto text = container_name(reader, alias, at)) spec.links.emplace(name, *text);
  });
}

void read_signal(JsonReader& reader, const JsonValue& value, const std::string& path,
                 ContainerSpec& spec) {
  std::optional<std::string> signal;
  if (value.IsInt() && value.GetInt() > 0)
    signal = std::to_string(value.GetInt());
  else
    signal = reader.string(value, path);
  if (!signal) return;
  if (is_signal_name(*signal))
    spec.stop_signal = std::move(*signal);
  else
    reader.error(path, fmt::format("{} is not a signal (SIGTERM, TERM or a number)",
                                   quote(*signal)));
}

void read_labels(JsonReader& reader, const JsonValue& value, const std::string& path,
                 ContainerSpec& spec) {
  auto labels = reader.string_map(value, path, /*scalars_as_text=*/false);
  if (!labels) return;
  bool ok = true;
  for (const auto& [key, text] : *labels) {
    if (key.starts_with(reserved_label_prefix)) {
      reader.error(member_path(path, key),
                   "labels starting with \"io.dockerup.\" are reserved for dockerup itself");
      ok = false;
    }
  }
  if (ok) spec.labels = std::move(*labels);
}

}  // namespace dockerup
