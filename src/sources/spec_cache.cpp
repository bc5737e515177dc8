#include "dockerup/spec_cache.hpp"

#include <algorithm>

namespace dockerup {

SpecFileCache::SpecFileCache(Clock now) : now_(std::move(now)) {}

std::optional<FileStamp> SpecFileCache::stamp_of(const std::string& path) const {
  auto found = entries_.find(path);
  if (found == entries_.end()) return std::nullopt;
  return found->second.stamp;
}

void SpecFileCache::remember(const std::string& path, Entry entry) {
  ++parses_;
  if (!stamp_settled(entry.stamp, now_())) {
    entries_.erase(path);
    return;
  }
  entries_.insert_or_assign(path, std::move(entry));
}

void SpecFileCache::keep_only(const std::string& confdir, const std::vector<std::string>& present) {
  std::string prefix = confdir + "/";
  std::erase_if(entries_, [&](const auto& item) {
    const std::string& path = item.first;
    if (!path.starts_with(prefix)) return true;  // the confdir changed (a reload)
    return !std::binary_search(present.begin(), present.end(), path.substr(prefix.size()));
  });
}

}  // namespace dockerup
