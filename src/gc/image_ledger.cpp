#include "dockerup/gc_ledger.hpp"

#include "dockerup/error.hpp"
#include "dockerup/json_parse.hpp"
#include "dockerup/log.hpp"

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>

namespace dockerup {
namespace {

constexpr int ledger_version = 1;

/// "sha256:" and a digest. (Trust in the file comes from its owner and mode; this only keeps
/// anything but an ID, such as an image reference, out of what GC may remove.)
bool is_image_id(std::string_view id) {
  constexpr std::string_view prefix = "sha256:";
  constexpr std::string_view digest_chars = "0123456789abcdefghijklmnopqrstuvwxyz";
  return id.size() > prefix.size() && id.starts_with(prefix) &&
         id.find_first_not_of(digest_chars, prefix.size()) == std::string_view::npos;
}

}  // namespace

std::set<std::string> parse_image_ledger(const std::string& json) {
  rapidjson::Document document;
  if (auto error = parse_json(json, document, {.max_bytes = kMaxLocalJsonBytes}))
    fail("{}", error->str());
  if (!document.IsObject()) fail("expected a JSON object");
  auto version = document.FindMember("version");
  if (version == document.MemberEnd() || !version->value.IsInt() ||
      version->value.GetInt() != ledger_version)
    fail("$.version: expected {}", ledger_version);
  auto images = document.FindMember("images");
  if (images == document.MemberEnd() || !images->value.IsArray())
    fail("$.images: expected an array of image IDs");
  std::set<std::string> ids;
  for (rapidjson::SizeType i = 0; i < images->value.Size(); ++i) {
    const auto& id = images->value[i];
    if (!id.IsString() || !is_image_id(id.GetString()))
      fail("$.images[{}]: expected an image ID (sha256:...)", i);
    ids.insert(id.GetString());
  }
  return ids;
}

std::string format_image_ledger(const std::set<std::string>& images) {
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("version");
  writer.Int(ledger_version);
  writer.Key("images");
  writer.StartArray();
  for (const auto& id : images) writer.String(id.c_str(), static_cast<rapidjson::SizeType>(id.size()));
  writer.EndArray();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

ImageLedger ImageLedger::load(const std::string& cache_dir, const std::string& phase) {
  ImageLedger ledger(phase.empty() ? CacheFiles(cache_dir) : CacheFiles(cache_dir, phase));
  std::optional<std::string> text;
  try {
    text = ledger.files_.read(kFile);
  } catch (const Failure& e) {
    // GC then removes less, never more.
    ledger.files_.report(fmt::format("cannot read the image ledger, ignoring it: {}", e.what()));
  }
  if (!text) return ledger;  // first run, or never written: nothing is known yet
  try {
    ledger.images_ = parse_image_ledger(*text);
    ledger.loaded_ = ledger.images_;
  } catch (const Failure& e) {
    // Forgetting makes GC remove less, never more; the next save writes a good file.
    ledger.files_.set_aside(kFile, fmt::format("the image ledger is invalid ({})", e.what()));
  }
  return ledger;
}

void ImageLedger::add(const std::string& image_id) {
  if (!image_id.empty()) images_.insert(image_id);
}

void ImageLedger::forget(const std::string& image_id) { images_.erase(image_id); }

void ImageLedger::forget_missing(const std::vector<ImageSummary>& present) {
  std::erase_if(images_, [&](const std::string& id) {
    return std::none_of(present.begin(), present.end(),
                        [&](const ImageSummary& image) { return image.id == id; });
  });
}

void ImageLedger::save() {
  files_.write(kFile, format_image_ledger(images_));
  loaded_ = images_;
}

bool ImageLedger::try_save() {
  if (!files_.try_write(kFile, format_image_ledger(images_))) return false;
  loaded_ = images_;
  return true;
}

}  // namespace dockerup
