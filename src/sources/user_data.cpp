// Parsing EC2 user-data: {"containers": [ ... ]} plus settings keys, maybe gzip-compressed.
#include "dockerup/config_file.hpp"
#include "dockerup/json_parse.hpp"
#include "dockerup/spec_parser.hpp"
#include "dockerup/user_data.hpp"
#include "gzip.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace dockerup {

namespace {

constexpr const char* kExpected =
    "expected JSON {\"containers\": [...]}; no user-data containers are read and none are "
    "removed until it is fixed";

std::string describe_not_json(const std::string& body, const std::optional<JsonError>& error) {
  if (body.starts_with("#!")) return "a script (starts with \"#!\"), not JSON";
  if (body.starts_with("#cloud-config")) return "a cloud-init config, not JSON";
  if (body.starts_with("Content-Type: multipart"))
    return "a MIME multi-part archive, not JSON";
  if (error) return "not JSON: " + error->str();
  return "JSON but not an object";
}

/// Recursive (Accept), which is safe because parse_json refused anything nested deeper than
/// kMaxJsonDepth.
std::string to_json_text(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

/// A settings value as the config file would spell it; nullopt for objects, arrays and null.
std::optional<std::string> setting_text(const rapidjson::Value& value) {
  if (value.IsString()) return std::string(value.GetString(), value.GetStringLength());
  if (value.IsBool()) return value.GetBool() ? "true" : "false";
  if (value.IsInt64()) return std::to_string(value.GetInt64());
  if (value.IsUint64()) return std::to_string(value.GetUint64());
  if (value.IsDouble()) return fmt::format("{}", value.GetDouble());
  return std::nullopt;
}

void apply_settings(const rapidjson::Document& doc, const std::string& source, Settings& settings,
                    UserDataParse& result) {
  for (const auto& member : doc.GetObject()) {
    std::string key(member.name.GetString(), member.name.GetStringLength());
    if (key == "containers") continue;
    std::string where = fmt::format("{}: $.{}", source, key);
    auto text = setting_text(member.value);
    if (!text) {
      result.errors.push_back({where, "expected a string, number or boolean"});
      continue;
    }
    // A known key user-data may not set is refused by name; an unknown one stays "unknown".
    if (is_setting_key(key) && !user_data_may_set(key)) {
      result.warnings.push_back(fmt::format(
          "{}: \"{}\" cannot be set from user-data (only in dockerup.conf or on the command "
          "line), ignored",
          where, key));
      continue;
    }
    std::string reason;
    std::string shown = is_secret_setting(key) ? "(hidden)" : "\"" + *text + "\"";
    switch (apply_setting(settings, key, *text, reason)) {
      case SettingResult::Applied:
        result.settings.emplace_back(key, *text);
        break;
      case SettingResult::UnknownKey:
        result.warnings.push_back(fmt::format("{}: unknown setting, ignored", where));
        break;
      case SettingResult::OutOfRange:  // the key is refused; the containers still count
        result.warnings.push_back(
            fmt::format("{}: value {} refused ({}); the setting keeps its value", where, shown,
                        reason));
        break;
      case SettingResult::BadValue:
        result.errors.push_back({where, fmt::format("bad value {}: {}", shown, reason)});
        break;
    }
  }
}

/// "user-data: $.image" -> "user-data containers[2]: $.image", so the operator finds the entry.
Error locate_in_entry(Error error, const std::string& source, std::size_t index) {
  std::string entry = fmt::format("{} containers[{}]", source, index);
  if (error.where.starts_with(source))
    error.where = entry + error.where.substr(source.size());
  else
    error.where = error.where.empty() ? entry : entry + ": " + error.where;
  return error;
}

/// Parses every entry; returns false when one of them could not be.
bool parse_entries(const rapidjson::Value& containers, const UserDataForm& form,
                   UserDataParse& result) {
  bool all_parsed = true;
  for (rapidjson::SizeType index = 0; index < containers.Size(); ++index) {
    const rapidjson::Value& entry = containers[index];
    if (!entry.IsObject()) {
      result.errors.push_back(
          {fmt::format("{} containers[{}]", form.source, index), "expected a JSON object"});
      all_parsed = false;
      continue;
    }
    SpecParse parsed = parse_spec_text(to_json_text(entry), form.source,
                                       fmt::format("{}-{}", form.unnamed_prefix, index));
    for (auto& error : parsed.errors)
      result.errors.push_back(locate_in_entry(error, form.source, index));
    for (auto& warning : parsed.warnings)
      result.warnings.push_back(locate_in_entry(warning, form.source, index).str());
    if (parsed.spec)
      result.specs.push_back(std::move(*parsed.spec));
    else
      all_parsed = false;
  }
  return all_parsed;
}

}  // namespace

UserDataParse parse_user_data(const std::string& raw_body, Settings& settings) {
  const std::string source(kUserDataSource);
  return parse_user_data(raw_body, settings, {source, source});
}

UserDataParse parse_user_data(const std::string& raw_body, Settings& settings,
                              const UserDataForm& form) {
  UserDataParse result;
  if (raw_body.size() > kMaxUserDataBody) {  // the same limit as the metadata client's
    result.errors.push_back(
        {form.source, fmt::format("too big: {} bytes, the limit is {} bytes; {}", raw_body.size(),
                                  kMaxUserDataBody, kExpected)});
    return result;
  }
  std::string body = raw_body;
  if (is_gzip(raw_body)) {
    std::string error;
    auto inflated = gunzip(raw_body, error);
    if (!inflated) {
      result.errors.push_back(
          {form.source,
           fmt::format("cannot inflate gzip-compressed data: {}; {}", error, kExpected)});
      return result;
    }
    body = std::move(*inflated);
  }
  rapidjson::Document doc;
  // The same leniency as containers.d files (spec_parser.hpp): comments, trailing commas.
  auto error = parse_json(body, doc, {.lenient = true, .max_bytes = kMaxLocalJsonBytes});
  if (error || !doc.IsObject()) {
    result.errors.push_back(
        {form.source, fmt::format("{}; {}", describe_not_json(body, error), kExpected)});
    return result;
  }
  auto containers = doc.FindMember("containers");
  if (containers == doc.MemberEnd() || !containers->value.IsArray()) {
    // Without the array this is somebody else's JSON: its keys are not our settings either.
    result.errors.push_back({form.source, fmt::format("no \"containers\" array; {}", kExpected)});
    return result;
  }
  apply_settings(doc, form.source, settings, result);
  result.complete = parse_entries(containers->value, form, result);
  return result;
}

}  // namespace dockerup
