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
  if (observer_) tell_observer(now);
}

void PullProgress::tell_observer(std::chrono::steady_clock::time_point now) {
  PullCounts now_counts = counts();
  if (now_counts == observed_) return;
  // A layer seen or finished is told at once (they are few); bytes at most once per interval.
  bool layers_changed = now_counts.layers_total != observed_.layers_total ||
                        now_counts.layers_done != observed_.layers_done;
  if (!layers_changed && now - last_observed_ < observe_every_) return;
  last_observed_ = now;
  observed_ = now_counts;
  observer_(now_counts);
}

void PullProgress::observe(PullObserver observer, std::chrono::seconds every) {
  observer_ = std::move(observer);
  observe_every_ = every;
  last_observed_ = clock_();
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
  return fmt::format("pulling {}: {}", reference_, describe_pull_counts(counts()));
}

}  // namespace dockerup
