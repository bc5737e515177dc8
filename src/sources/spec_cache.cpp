#include "dockerup/spec_cache.hpp"

#include <algorithm>

namespace dockerup {

namespace {

/// Covers a jiffy-granular ext4/xfs clock with room to spare, and FAT's 2 s.
constexpr std::chrono::seconds kRacyWindow{3};

}  // namespace

SpecFileCache::SpecFileCache(Clock now) : now_(std::move(now)) {}

std::optional<FileStamp> SpecFileCache::stamp_of(const std::string& path) const {
  auto found = entries_.find(path);
  if (found == entries_.end()) return std::nullopt;
  return found->second.stamp;
}

void SpecFileCache::remember(const std::string& path, Entry entry) {
  ++parses_;
  auto changed = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(std::max(entry.stamp.mtime_ns, entry.stamp.ctime_ns))));
  if (now_() - changed < kRacyWindow) {
    entries_.erase(path);
    return;
  }
  entries_.insert_or_assign(path, std::move(entry));
}

void SpecFileCache::keep_only(const std::string& confdir, const std::vector<std::string>& present) {
  std::string prefix = confdir + "/";
  std::erase_if(entries_, [&](const auto& item) {
    const std::string& path = item.first;
    if (!path.starts_with(prefix)) return false;
    return !std::binary_search(present.begin(), present.end(), path.substr(prefix.size()));
  });
}

}  // namespace dockerup
