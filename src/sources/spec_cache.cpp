#include "dockerup/spec_cache.hpp"

#include <algorithm>

namespace dockerup {

void SpecFileCache::keep_only(const std::string& confdir, const std::vector<std::string>& present) {
  std::string prefix = confdir + "/";
  keep_if([&](const std::string& path) {
    return path.starts_with(prefix) &&
           std::binary_search(present.begin(), present.end(), path.substr(prefix.size()));
  });
}

}  // namespace dockerup
