#include "dockerup/history.hpp"

#include "dockerup/error.hpp"
#include "dockerup/executor.hpp"
#include "dockerup/image_ref.hpp"
#include "dockerup/json_parse.hpp"
#include "dockerup/labels.hpp"
#include "dockerup/cache_files.hpp"
#include "dockerup/log.hpp"
#include "dockerup/spec_parser.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <map>

namespace dockerup {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_entry(Writer& w, const char* key, const std::optional<HistoryEntry>& entry) {
  if (!entry) return;
  w.Key(key);
  w.StartObject();
  w.Key("spec");
  w.String(entry->spec_json.c_str());
  w.Key("image_id");
  w.String(entry->image_id.c_str());
  w.Key("since");
  w.Int64(entry->since);
  w.EndObject();
}

bool is_image_id(const std::string& id) {
  constexpr std::string_view prefix = "sha256:";
  return id.size() == prefix.size() + 64 && id.starts_with(prefix) &&
         id.find_first_not_of("0123456789abcdef", prefix.size()) == std::string::npos;
}

/// The entry under `key`; "" in `problem` when it is absent or exactly what write_entry writes:
/// an image ID and a spec that the containers.d parser accepts (it will be run as root).
std::optional<HistoryEntry> read_entry(const rapidjson::Value& root, const char* key,
                                       const std::string& name, std::string& problem) {
  if (!root.HasMember(key)) return std::nullopt;
  const auto& v = root[key];
  if (!v.IsObject() || !v.HasMember("spec") || !v["spec"].IsString() || !v.HasMember("image_id") ||
      !v["image_id"].IsString()) {
    problem = fmt::format("$.{}: expected {{spec, image_id, since}}", key);
    return std::nullopt;
  }
  HistoryEntry entry{v["spec"].GetString(), v["image_id"].GetString(), 0};
  if (v.HasMember("since") && v["since"].IsInt64()) entry.since = v["since"].GetInt64();
  if (!is_image_id(entry.image_id))
    problem = fmt::format("$.{}.image_id: expected sha256: and 64 hex digits", key);
  else if (auto parsed = parse_spec_text(entry.spec_json, "history", name); !parsed.spec)
    problem = fmt::format("$.{}.spec: {}", key,
                          parsed.errors.empty() ? "invalid" : parsed.errors.front().str());
  return entry;
}

/// Why `doc` is not a history dockerup wrote for `name`, or "".
std::string read_history(const rapidjson::Document& doc, ContainerHistory& h) {
  if (!doc.IsObject()) return "not a JSON object";
  if (!doc.HasMember("name") || !doc["name"].IsString() || doc["name"].GetString() != h.name)
    return fmt::format("$.name: expected \"{}\"", h.name);
  std::string problem;
  h.current = read_entry(doc, "current", h.name, problem);
  if (problem.empty()) h.previous = read_entry(doc, "previous", h.name, problem);
  if (!problem.empty()) return problem;
  if (doc.HasMember("hold")) {
    const auto& hold = doc["hold"];
    if (!hold.IsObject() || !hold.HasMember("spec_hash") || !hold["spec_hash"].IsString() ||
        !hold.HasMember("image_id") || !hold["image_id"].IsString())
      return "$.hold: expected {spec_hash, image_id}";
    h.hold = Hold{hold["spec_hash"].GetString(), hold["image_id"].GetString()};
    if (!h.hold->image_id.empty() && !is_image_id(h.hold->image_id))
      return "$.hold.image_id: expected sha256: and 64 hex digits";
  }
  h.rollback_requested = doc.HasMember("rollback_requested") &&
                         doc["rollback_requested"].IsBool() &&
                         doc["rollback_requested"].GetBool();
  return "";
}

std::string to_json(const ContainerHistory& h) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("name");
  w.String(h.name.c_str());
  write_entry(w, "current", h.current);
  write_entry(w, "previous", h.previous);
  if (h.hold) {
    w.Key("hold");
    w.StartObject();
    w.Key("spec_hash");
    w.String(h.hold->spec_hash.c_str());
    w.Key("image_id");
    w.String(h.hold->image_id.c_str());
    w.EndObject();
  }
  w.Key("rollback_requested");
  w.Bool(h.rollback_requested);
  w.EndObject();
  return buffer.GetString();
}

const ContainerSummary* named(const std::vector<ContainerSummary>& containers,
                              const std::string& name) {
  for (const auto& c : containers)
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace

History::History(std::string cache_dir)
    : files_(std::move(cache_dir)), parsed_(std::make_shared<StampedParses<ContainerHistory>>()) {}

History::History(std::string cache_dir, std::string phase, Clock now)
    : files_(std::move(cache_dir), std::move(phase)),
      parsed_(std::make_shared<StampedParses<ContainerHistory>>(std::move(now))) {}

std::size_t History::parses() const { return parsed_->parses(); }

ContainerHistory History::load(const std::string& name) const {
  ContainerHistory h;
  h.name = name;
  std::string relative = "history/" + name + ".json";
  std::optional<StampedText> read;
  try {
    read = files_.read_stamped(relative, parsed_->stamp_of(relative));
  } catch (const Failure& e) {
    parsed_->forget(relative);
    files_.report(fmt::format("history of {} cannot be read ({}); using none", name, e.what()));
    return h;
  }
  if (!read) {
    parsed_->forget(relative);
    return h;
  }
  if (!read->text) return parsed_->at(relative);
  rapidjson::Document doc;
  auto error = parse_json(*read->text, doc, {.max_bytes = kMaxLocalJsonBytes});
  if (std::string problem = error ? error->str() : read_history(doc, h); !problem.empty()) {
    // Never act on what dockerup did not write (a rollback request, a privileged spec).
    parsed_->forget(relative);
    files_.set_aside(relative, "history of " + name + " is invalid: " + problem);
    h = ContainerHistory{};
    h.name = name;
    return h;
  }
  parsed_->remember(relative, read->stamp, h);
  return h;
}

void History::save(const ContainerHistory& history) const {
  files_.write("history/" + history.name + ".json", to_json(history));
}

bool History::try_save(const ContainerHistory& history) const {
  return files_.try_write("history/" + history.name + ".json", to_json(history));
}

std::set<std::string> History::kept_images(const std::vector<ContainerSpec>& declared) const {
  std::set<std::string> images;
  for (const auto& spec : declared)
    if (auto h = load(spec.name); h.previous) images.insert(h.previous->image_id);
  return images;
}

std::optional<ContainerSpec> pinned_spec(const ContainerSpec& declared, const HistoryEntry& entry) {
  auto parsed = parse_spec_text(entry.spec_json, "history of " + declared.name, declared.name);
  if (!parsed.spec) return std::nullopt;
  ContainerSpec spec = *parsed.spec;
  spec.name = declared.name;
  spec.source = declared.source;  // the container still belongs to the declaring source
  spec.update = declared.update;
  spec.image = entry.image_id;
  return spec;
}

std::set<std::string> apply_history(DesiredState& desired, const std::vector<ImageSummary>& images,
                                    const History& history) {
  std::set<std::string> rolled_back;
  for (auto& spec : desired.specs) {
    ContainerHistory h = history.load(spec.name);
    if (h.rollback_requested && h.previous) {
      if (auto pinned = pinned_spec(spec, *h.previous)) {
        log_info("rolling {} back to image {} (requested)", spec.name, h.previous->image_id);
        spec = *pinned;
        rolled_back.insert(spec.name);
        continue;
      }
      log_error("cannot roll {} back: its recorded previous spec is unreadable", spec.name);
    }
    if (!h.hold || !h.current) continue;
    auto image_id = find_image_id(spec.image, images);
    bool unchanged = h.hold->spec_hash == spec_hash(spec) &&
                     (!image_id || *image_id == h.hold->image_id);
    if (unchanged) {
      if (auto pinned = pinned_spec(spec, *h.current)) spec = *pinned;
      continue;
    }
    log_info("{}: its declaration or image changed since the rollback; releasing the hold",
             spec.name);
    h.hold.reset();
    history.try_save(h);  // a failure is reported; the next run releases the hold again
  }
  return rolled_back;
}

void record_history(const History& history, const std::vector<ContainerSpec>& declared,
                    const std::set<std::string>& rolled_back, const ObservedState& before,
                    const ExecutionReport& report, const ObservedState& after, std::int64_t now) {
  std::map<std::string, const ContainerSpec*> declared_by_name;
  for (const auto& spec : declared) declared_by_name[spec.name] = &spec;
  for (const auto& outcome : report.outcomes) {
    const Action& action = outcome.action;
    if (outcome.error || !action.spec) continue;
    if (action.type != ActionType::Create && action.type != ActionType::Replace) continue;
    const ContainerSummary* now_running = named(after.containers, action.name);
    if (!now_running) continue;
    ContainerHistory h = history.load(action.name);
    HistoryEntry entry{canonical_json(*action.spec), now_running->image_id, now};
    if (action.type == ActionType::Replace) {
      const ContainerSummary* old = nullptr;
      for (const auto& c : before.containers)
        if (c.id == action.container_id) old = &c;
      // What ran before: the recorded current entry if it describes the old container, else the
      // old container's image with the spec it was given (all we know of it).
      if (h.current && old && old->image_id == h.current->image_id)
        h.previous = h.current;
      else if (old)
        h.previous = HistoryEntry{entry.spec_json, old->image_id, old->created};
    } else if (h.current && h.current->image_id != entry.image_id) {
      h.previous = h.current;
    }
    h.current = entry;
    h.hold.reset();
    if (rolled_back.count(action.name)) {
      auto declared_spec = declared_by_name.find(action.name);
      if (declared_spec != declared_by_name.end()) {
        auto declared_image = find_image_id(declared_spec->second->image, after.images);
        h.hold = Hold{spec_hash(*declared_spec->second), declared_image.value_or("")};
      }
      h.rollback_requested = false;
    }
    history.try_save(h);  // a failure is reported; the other containers are still recorded
  }
}

}  // namespace dockerup
