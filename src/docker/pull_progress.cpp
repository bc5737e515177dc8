#include "pull_progress.hpp"

#include "dockerup/json_parse.hpp"

#include <fmt/format.h>

namespace dockerup {
namespace {

/// Progress lines are a few hundred bytes; anything longer is not one (the checker refuses it).
constexpr std::size_t max_line = 1024 * 1024;

std::string text_of(const rapidjson::Value& object, const char* key) {
  auto it = object.FindMember(key);
  return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

std::int64_t number_of(const rapidjson::Value& object, const char* key) {
  auto it = object.FindMember(key);
  return it != object.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : 0;
}

std::string megabytes(std::int64_t bytes) { return fmt::format("{:.1f} MB", bytes / 1e6); }

}  // namespace

PullProgress::PullProgress(std::string reference, Clock clock, Report report,
                           std::chrono::seconds interval)
    : reference_(std::move(reference)),
      clock_(std::move(clock)),
      report_(std::move(report)),
      interval_(interval),
      last_(clock_()) {}

void PullProgress::feed(std::string_view chunk) {
  for (char c : chunk) {
    if (c != '\n') {
      if (partial_.size() < max_line) partial_ += c;
      continue;
    }
    line(partial_);
    partial_.clear();
  }
  auto now = clock_();
  if (now - last_ >= interval_) {
    last_ = now;
    report_(describe());
  }
}

void PullProgress::line(std::string_view text) {
  rapidjson::Document document;
  if (parse_json(text, document) || !document.IsObject()) return;
  std::string id = text_of(document, "id");
  std::string status = text_of(document, "status");
  // "Pulling from library/busybox" carries the tag as id; "Digest:"/"Status:" lines carry none.
  if (id.empty() || status.starts_with("Pulling from")) return;
  Layer& layer = layers_[id];
  if (status == "Downloading") {
    if (auto detail = document.FindMember("progressDetail");
        detail != document.MemberEnd() && detail->value.IsObject()) {
      layer.current = number_of(detail->value, "current");
      layer.total = number_of(detail->value, "total");
    }
  } else if (status == "Download complete" || status == "Verifying Checksum" ||
             status == "Extracting") {
    if (layer.total > 0) layer.current = layer.total;
  } else if (status == "Pull complete" || status == "Already exists") {
    layer.done = true;
    if (layer.total > 0) layer.current = layer.total;
  }
}

PullCounts PullProgress::counts() const {
  PullCounts counts;
  for (const auto& [id, layer] : layers_) {
    ++counts.layers_total;
    counts.layers_done += layer.done;
    counts.bytes_done += layer.current;
    counts.bytes_total += layer.total;
  }
  return counts;
}

std::string PullProgress::describe() const {
  PullCounts c = counts();
  return fmt::format("pulling {}: {}/{} layers, {} of {}", reference_, c.layers_done,
                     c.layers_total, megabytes(c.bytes_done), megabytes(c.bytes_total));
}

}  // namespace dockerup
