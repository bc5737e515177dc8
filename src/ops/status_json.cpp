// status.json: the RunStatus as one JSON object. Field names are documented in dockerup(8).
#include "dockerup/status.hpp"

#include "dockerup/json_parse.hpp"

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <fmt/format.h>

#include <cmath>
#include <type_traits>

namespace dockerup {
namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void put(Writer& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void put_container(Writer& w, const ContainerStatus& c) {
  w.StartObject();
  put(w, "name", c.name);
  put(w, "image", c.image);
  put(w, "source", c.source);
  put(w, "image_id", c.image_id);
  put(w, "state", c.state);
  put(w, "last_action", c.last_action);
  put(w, "last_action_reason", c.last_action_reason);
  put(w, "last_action_result", c.last_action_result);
  put(w, "last_action_time", c.last_action_time);
  put(w, "last_error", c.last_error);
  w.EndObject();
}

/// Reads members into a struct, remembering the first problem.
class Reader {
 public:
  explicit Reader(std::string& error) : error_(error) {}

  void text(const rapidjson::Value& object, const char* key, std::string& into) {
    auto member = object.FindMember(key);
    if (member == object.MemberEnd()) return;  // optional: older or newer writers
    if (!member->value.IsString()) return problem(fmt::format("\"{}\" is not a string", key));
    into.assign(member->value.GetString(), member->value.GetStringLength());
  }

  template <typename Number>
  void number(const rapidjson::Value& object, const char* key, Number& into) {
    auto member = object.FindMember(key);
    if (member == object.MemberEnd()) return;
    if constexpr (std::is_integral_v<Number>) {
      if (!member->value.IsInt()) return problem(fmt::format("\"{}\" is not a whole number", key));
      into = member->value.GetInt();
    } else {
      if (!member->value.IsNumber()) return problem(fmt::format("\"{}\" is not a number", key));
      into = member->value.GetDouble();
    }
  }

  const rapidjson::Value* array(const rapidjson::Value& object, const char* key) {
    auto member = object.FindMember(key);
    if (member == object.MemberEnd()) return nullptr;
    if (!member->value.IsArray()) {
      problem(fmt::format("\"{}\" is not an array", key));
      return nullptr;
    }
    return &member->value;
  }

  void problem(std::string message) {
    if (error_.empty()) error_ = std::move(message);
  }
  bool ok() const { return error_.empty(); }

 private:
  std::string& error_;
};

ContainerStatus read_container(const rapidjson::Value& value, Reader& reader) {
  ContainerStatus c;
  if (!value.IsObject()) {
    reader.problem("an entry of \"containers\" is not an object");
    return c;
  }
  reader.text(value, "name", c.name);
  reader.text(value, "image", c.image);
  reader.text(value, "source", c.source);
  reader.text(value, "image_id", c.image_id);
  reader.text(value, "state", c.state);
  reader.text(value, "last_action", c.last_action);
  reader.text(value, "last_action_reason", c.last_action_reason);
  reader.text(value, "last_action_result", c.last_action_result);
  reader.text(value, "last_action_time", c.last_action_time);
  reader.text(value, "last_error", c.last_error);
  return c;
}

}  // namespace

std::string status_to_json(const RunStatus& status) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.SetIndent(' ', 2);
  w.StartObject();
  put(w, "version", status.version);
  put(w, "time", status.time);
  w.Key("duration_seconds");
  w.Double(status.duration_seconds);
  put(w, "result", status.result);
  w.Key("exit_code");
  w.Int(status.exit_code);
  w.Key("actions");
  w.Int(status.actions);
  w.Key("failed_actions");
  w.Int(status.failed_actions);
  put(w, "last_success", status.last_success);
  w.Key("errors");
  w.StartArray();
  for (const auto& error : status.errors) w.String(error.data(), static_cast<rapidjson::SizeType>(error.size()));
  w.EndArray();
  w.Key("containers");
  w.StartArray();
  for (const auto& c : status.containers) put_container(w, c);
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

std::optional<RunStatus> status_from_json(const std::string& text, std::string& error) {
  error.clear();
  rapidjson::Document document;
  if (parse_json(text, document, {.max_bytes = kMaxLocalJsonBytes}) || !document.IsObject()) {
    error = "not a status file (expected one JSON object)";
    return std::nullopt;
  }
  Reader reader(error);
  RunStatus status;
  reader.text(document, "version", status.version);
  reader.text(document, "time", status.time);
  reader.number(document, "duration_seconds", status.duration_seconds);
  // Milliseconds and at most 1e9 s: such a number reads back exactly, so what is written and
  // read again is stable (a huge or 17-digit value is not, found by fuzz_status).
  const double duration = status.duration_seconds;
  status.duration_seconds =
      duration >= 0 && duration <= 1e9 ? std::round(duration * 1000) / 1000 : 0;
  reader.text(document, "result", status.result);
  reader.number(document, "exit_code", status.exit_code);
  reader.number(document, "actions", status.actions);
  reader.number(document, "failed_actions", status.failed_actions);
  reader.text(document, "last_success", status.last_success);
  if (const auto* errors = reader.array(document, "errors")) {
    for (const auto& e : errors->GetArray()) {
      if (e.IsString())
        status.errors.emplace_back(e.GetString(), e.GetStringLength());
      else
        reader.problem("an entry of \"errors\" is not a string");
    }
  }
  if (const auto* containers = reader.array(document, "containers"))
    for (const auto& c : containers->GetArray()) status.containers.push_back(read_container(c, reader));
  if (status.result.empty()) reader.problem("\"result\" is missing");
  if (!reader.ok()) return std::nullopt;
  return status;
}

}  // namespace dockerup
