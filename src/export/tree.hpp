// Building the exported documents as RapidJSON trees, and writing them as JSON or YAML.
#pragma once

#include "dockerup/spec.hpp"

#include <rapidjson/document.h>

#include <map>
#include <string>
#include <vector>

namespace dockerup::exporter {

using Value = rapidjson::Value;

/// A document under construction: every value is made with its allocator.
class Tree {
 public:
  Tree() { doc_.SetObject(); }
  Value& root() { return doc_; }
  rapidjson::Document::AllocatorType& alloc() { return doc_.GetAllocator(); }

  Value object() { return Value(rapidjson::kObjectType); }
  Value array() { return Value(rapidjson::kArrayType); }
  Value text(const std::string& s) { return Value(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), alloc()); }
  Value texts(const std::vector<std::string>& list);
  Value text_map(const std::map<std::string, std::string>& map);

  void put(Value& object, const std::string& key, Value value) {
    object.AddMember(text(key), value, alloc());
  }
  void put(Value& object, const std::string& key, const std::string& value) {
    put(object, key, text(value));
  }
  void push(Value& array, Value value) { array.PushBack(value, alloc()); }

 private:
  rapidjson::Document doc_;
};

/// Pretty JSON, 2-space indent, trailing newline.
std::string to_json(const Value& value);
/// Block-style YAML. Strings are always double-quoted (JSON escapes, valid YAML), so "no",
/// "on" or "1.10" stay strings; `header` lines are written first as comments.
std::string to_yaml(const Value& value, const std::vector<std::string>& header = {});

}  // namespace dockerup::exporter
