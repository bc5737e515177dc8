// The records of running pulls in <cache_dir>/pulls: written by PullRecordingEngine
// (pull_recording_engine.cpp), read back here for `dockerup status`.
#include "dockerup/pull_records.hpp"

#include "dockerup/cache_files.hpp"
#include "dockerup/json_parse.hpp"
#include "dockerup/json_write.hpp"
#include "dockerup/run_lock.hpp"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace dockerup {
namespace {

constexpr const char* kFolder = "pulls";

template <typename JsonWriter>
void write_record(JsonWriter& w, const PullRecord& record) {
  w.StartObject();
  w.Key("pid");
  w.Int(record.pid);
  write_json_member(w, "image", record.image);
  write_json_member(w, "since", record.since);
  w.Key("layers_done");
  w.Int(record.counts.layers_done);
  w.Key("layers_total");
  w.Int(record.counts.layers_total);
  w.Key("bytes_done");
  w.Int64(record.counts.bytes_done);
  w.Key("bytes_total");
  w.Int64(record.counts.bytes_total);
  w.EndObject();
}

/// The pid in a record's name "PID-N.json"; nullopt for anything else (a temporary file).
std::optional<int> pid_of(const std::string& name) {
  int pid = 0;
  auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), pid);
  if (error != std::errc() || pid <= 0 || end == name.data() + name.size() || *end != '-' ||
      !name.ends_with(".json") || name.find(".tmp") != std::string::npos)
    return std::nullopt;
  return pid;
}

}  // namespace

std::string pull_record_to_json(const PullRecord& record) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  write_record(writer, record);
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

std::optional<PullRecord> pull_record_from_json(const std::string& text) {
  rapidjson::Document doc;
  if (parse_json(text, doc, {.max_bytes = kMaxLocalJsonBytes}) || !doc.IsObject()) return std::nullopt;
  auto text_of = [&](const char* key) -> const rapidjson::Value* {
    auto it = doc.FindMember(key);
    return it != doc.MemberEnd() && it->value.IsString() ? &it->value : nullptr;
  };
  auto number_of = [&](const char* key) -> std::optional<std::int64_t> {
    auto it = doc.FindMember(key);
    if (it == doc.MemberEnd() || !it->value.IsInt64() || it->value.GetInt64() < 0) return std::nullopt;
    return it->value.GetInt64();
  };
  auto image = text_of("image");
  auto since = text_of("since");
  auto pid = number_of("pid");
  auto layers_done = number_of("layers_done"), layers_total = number_of("layers_total");
  auto bytes_done = number_of("bytes_done"), bytes_total = number_of("bytes_total");
  if (!image || !since || !pid || !layers_done || !layers_total || !bytes_done || !bytes_total ||
      *pid > INT32_MAX || *layers_done > INT32_MAX || *layers_total > INT32_MAX)
    return std::nullopt;
  return PullRecord{static_cast<int>(*pid), image->GetString(), since->GetString(),
                    PullCounts{static_cast<int>(*layers_total), static_cast<int>(*layers_done),
                               *bytes_done, *bytes_total}};
}

std::vector<PullRecord> live_pulls(const std::string& cache_dir) {
  std::vector<PullRecord> pulls;
  try {
    CacheFiles files(cache_dir);
    // The lock is looked at only when there are records: most of the time there are none.
    std::optional<int> live;
    for (const auto& name : files.file_names(kFolder)) {
      auto pid = pid_of(name);
      if (!pid) continue;
      if (!live || *live != *pid) {
        if (!RunLock::held_by(cache_dir, *pid)) continue;  // left by a run that crashed
        live = *pid;
      }
      auto text = files.read(std::string(kFolder) + "/" + name);
      auto record = text ? pull_record_from_json(*text) : std::nullopt;
      if (record && record->pid == *pid) pulls.push_back(*record);
    }
  } catch (const std::exception&) {
    return {};  // an unreadable cache: `status` reports the status file's own problem
  }
  std::stable_sort(pulls.begin(), pulls.end(),
                   [](const PullRecord& a, const PullRecord& b) { return a.since < b.since; });
  return pulls;
}

std::string describe_pull(const PullRecord& record) {
  return fmt::format("pulling {} since {} ({})", record.image, record.since,
                     describe_pull_counts(record.counts));
}

std::string add_pulls_json(const std::string& status_json, const std::vector<PullRecord>& pulls) {
  rapidjson::Document doc;
  if (parse_json(status_json, doc, {.max_bytes = kMaxLocalJsonBytes}) || !doc.IsObject())
    return status_json;
  auto& alloc = doc.GetAllocator();
  rapidjson::Value list(rapidjson::kArrayType);
  for (const auto& record : pulls) {
    rapidjson::Document entry(&alloc);
    parse_json(pull_record_to_json(record), entry);
    list.PushBack(rapidjson::Value(entry, alloc), alloc);
  }
  doc.AddMember("pulling", list, alloc);
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace dockerup
