#include "tree.hpp"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace dockerup::exporter {
namespace {

std::string quoted(const Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

bool plain_key(const std::string& key) {
  if (key.empty()) return false;
  for (char c : key)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.' &&
        c != '/')
      return false;
  return true;
}

bool is_block(const Value& value) {
  return (value.IsObject() && value.MemberCount() > 0) || (value.IsArray() && !value.Empty());
}

void write_block(const Value& value, int indent, bool inline_first, std::string& out);

/// `key: scalar`, or `key:` and the block below it.
void write_entry(const std::string& prefix, const Value& value, int indent, std::string& out) {
  if (!is_block(value)) {
    out += prefix + " " + quoted(value) + "\n";  // scalars, {} and []
    return;
  }
  out += prefix + "\n";
  write_block(value, indent + 2, false, out);
}

void write_block(const Value& value, int indent, bool inline_first, std::string& out) {
  std::string pad(static_cast<std::size_t>(indent), ' ');
  bool first = true;
  auto lead = [&] {
    std::string p = (first && inline_first) ? "" : pad;
    first = false;
    return p;
  };
  if (value.IsObject()) {
    for (const auto& member : value.GetObject()) {
      std::string key(member.name.GetString(), member.name.GetStringLength());
      write_entry(lead() + (plain_key(key) ? key : quoted(member.name)) + ":", member.value,
                  indent, out);
    }
    return;
  }
  for (const auto& item : value.GetArray()) {
    std::string prefix = lead() + "-";
    if (item.IsObject() && item.MemberCount() > 0) {
      out += prefix + " ";
      write_block(item, indent + 2, true, out);  // "- key: value" then the other keys below
    } else if (is_block(item)) {
      out += prefix + "\n";
      write_block(item, indent + 2, false, out);
    } else {
      out += prefix + " " + quoted(item) + "\n";
    }
  }
}

}  // namespace

Value Tree::texts(const std::vector<std::string>& list) {
  Value array = this->array();
  for (const auto& item : list) push(array, text(item));
  return array;
}

Value Tree::text_map(const std::map<std::string, std::string>& map) {
  Value object = this->object();
  for (const auto& [key, value] : map) put(object, key, value);
  return object;
}

std::string to_json(const Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  writer.SetIndent(' ', 2);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

std::string to_yaml(const Value& value, const std::vector<std::string>& header) {
  std::string out;
  for (const auto& line : header) out += "# " + line + "\n";
  write_block(value, 0, false, out);
  return out;
}

}  // namespace dockerup::exporter
