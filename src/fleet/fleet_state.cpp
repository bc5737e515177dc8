#include "fleet_state.hpp"

#include "stagger.hpp"

#include "dockerup/json_parse.hpp"
#include "dockerup/json_write.hpp"
#include "dockerup/utc_time.hpp"
#include "dockerup/log.hpp"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <filesystem>

namespace dockerup::fleet {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

std::int64_t epoch(TimePoint time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

std::string meta_json(const std::string& url, const Version& version,
                      const Pending* pending = nullptr) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  write_json_member(w, "url", url);
  w.Key("gone");
  w.Bool(version.gone);
  write_json_member(w, "etag", version.etag);
  write_json_member(w, "last_modified", version.last_modified);
  if (pending) {
    w.Key("seen_at");
    w.Int64(epoch(pending->seen_at));
    w.Key("applies_at");
    w.Int64(epoch(pending->applies_at));
    write_json_member(w, "applies_at_utc", utc_text(pending->applies_at));
  }
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

std::string text_member(const rapidjson::Document& doc, const char* key) {
  auto it = doc.FindMember(key);
  if (it == doc.MemberEnd() || !it->value.IsString()) return "";
  return {it->value.GetString(), it->value.GetStringLength()};
}

std::optional<TimePoint> time_member(const rapidjson::Document& doc, const char* key) {
  auto it = doc.FindMember(key);
  if (it == doc.MemberEnd() || !it->value.IsInt64()) return std::nullopt;
  // A time the clock cannot hold (system_clock counts nanoseconds in 64 bits, up to 2262) is a
  // corrupt file, not an overflow (found by tests/fuzz/fuzz_fleet_state); 2100 is far enough.
  constexpr std::int64_t max_seconds = 4102444800;  // 2100-01-01T00:00:00Z
  std::int64_t seconds = it->value.GetInt64();
  if (seconds < 0 || seconds > max_seconds) return std::nullopt;
  return TimePoint(std::chrono::seconds(seconds));
}

/// A copy that is not what save_version writes: moved aside (reported), counted as absent.
std::nullopt_t set_aside(LastKnownGood& store, const std::string& relative, const std::string& why) {
  store.set_aside_named_copy(relative, why);
  return std::nullopt;
}

/// The version whose meta is `<folder>/<name>.json` and body `<folder>/<name>.body`.
std::optional<Version> load_version(LastKnownGood& store, const std::string& folder,
                                    const std::string& name, rapidjson::Document& meta) {
  const std::string meta_file = folder + "/" + name + ".json";
  auto text = store.named_copy(meta_file);
  if (!text) return std::nullopt;
  if (auto error = parse_json(*text, meta, {.max_bytes = kMaxLocalJsonBytes}))
    return set_aside(store, meta_file, "fleet state is invalid: " + error->str());
  if (!meta.IsObject()) return set_aside(store, meta_file, "fleet state is not a JSON object");
  Version version;
  auto gone = meta.FindMember("gone");
  version.gone = gone != meta.MemberEnd() && gone->value.IsBool() && gone->value.GetBool();
  version.etag = text_member(meta, "etag");
  version.last_modified = text_member(meta, "last_modified");
  if (!version.gone) {
    auto body = store.named_copy(folder + "/" + name + ".body");
    // The body is written first: a meta without one describes nothing.
    if (!body) return set_aside(store, meta_file, "fleet state without its document");
    version.body = std::move(*body);
  }
  return version;
}

void save_version(LastKnownGood& store, const std::string& folder, const std::string& name,
                  const Version& version, const std::string& meta) {
  // Body first: a meta file always describes a complete body. Failures are reported by the
  // store; the version stays in effect for this run.
  if (!version.gone && !store.save_named_copy(folder + "/" + name + ".body", version.body)) return;
  store.save_named_copy(folder + "/" + name + ".json", meta);
}

}  // namespace

std::string utc_text(TimePoint time) { return strftime_utc(time, "%Y-%m-%dT%H:%M:%SZ"); }

std::string state_folder(const std::string& url) {
  return fmt::format("fleet/{:016x}", host_hash(url));
}

SourceState load_state(LastKnownGood& store, const std::string& url) {
  SourceState state;
  std::string folder = state_folder(url);
  rapidjson::Document meta;
  state.applied = load_version(store, folder, "applied", meta);
  rapidjson::Document pending_meta;
  if (auto version = load_version(store, folder, "pending", pending_meta)) {
    auto seen = time_member(pending_meta, "seen_at");
    auto applies = time_member(pending_meta, "applies_at");
    if (seen && applies)
      state.pending = Pending{.version = std::move(*version), .seen_at = *seen, .applies_at = *applies};
    else
      set_aside(store, folder + "/pending.json", "pending fleet state without valid times");
  }
  return state;
}

void save_applied(LastKnownGood& store, const std::string& url, const Version& version) {
  save_version(store, state_folder(url), "applied", version, meta_json(url, version));
}

void save_pending(LastKnownGood& store, const std::string& url, const Pending& pending) {
  save_version(store, state_folder(url), "pending", pending.version,
               meta_json(url, pending.version, &pending));
}

void drop_pending(LastKnownGood& store, const std::string& url) {
  std::string folder = state_folder(url);
  store.drop_named_copy(folder + "/pending.json");
  store.drop_named_copy(folder + "/pending.body");
}

std::vector<PendingNotice> pending_notices(const std::string& cache_dir) {
  std::vector<PendingNotice> notices;
  LastKnownGood store(cache_dir, true);
  std::error_code ec;
  std::filesystem::directory_iterator it(store.root() + "/fleet", ec);
  if (ec) return notices;
  for (const auto& entry : it) {
    auto text = store.named_copy("fleet/" + entry.path().filename().string() + "/pending.json");
    if (!text) continue;
    rapidjson::Document meta;
    if (parse_json(*text, meta, {.max_bytes = kMaxLocalJsonBytes}) || !meta.IsObject()) continue;
    auto applies = time_member(meta, "applies_at");
    if (applies) notices.push_back({text_member(meta, "url"), *applies});
  }
  for (const auto& problem : store.take_problems()) log_warning("{}", problem.str());
  return notices;
}

}  // namespace dockerup::fleet
