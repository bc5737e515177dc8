#include "dockerup/cache_files.hpp"

#include "dockerup/log.hpp"
#include "dockerup/trusted_path.hpp"

namespace dockerup {

std::optional<TrustedDir> CacheFiles::folder_of(const std::string& relative, bool create,
                                                std::string& name) const {
  std::optional<TrustedDir> dir = TrustedDir::open(cache_dir_, create);
  std::size_t start = 0;
  for (std::size_t slash; dir && (slash = relative.find('/', start)) != std::string::npos;
       start = slash + 1) {
    std::string part = relative.substr(start, slash - start);
    try {
      dir = dir->subdir(part, create);
    } catch (const Untrusted& e) {
      // Not ours (or replaced by a symlink): keep it for a human, start a fresh folder.
      std::string aside = dir->move_aside(part);
      log_warning("{}; moved it aside to {} and starting afresh", e.what(), aside);
      dir = dir->subdir(part, create);
    }
  }
  name = relative.substr(start);
  return dir;
}

std::optional<std::string> CacheFiles::read(const std::string& relative) const {
  std::string name;
  auto dir = folder_of(relative, false, name);
  if (!dir) return std::nullopt;
  try {
    return dir->read(name);
  } catch (const Untrusted& e) {
    std::string aside = dir->move_aside(name);
    log_warning("{}; not trusted, moved aside to {}", e.what(), aside);
    return std::nullopt;
  }
}

void CacheFiles::write(const std::string& relative, const std::string& content) const {
  std::string name;
  folder_of(relative, true, name)->write(name, content);
}

void CacheFiles::remove(const std::string& relative) const {
  std::string name;
  if (auto dir = folder_of(relative, false, name)) dir->remove(name);
}

void CacheFiles::set_aside(const std::string& relative, const std::string& why) const {
  try {
    std::string name;
    auto dir = folder_of(relative, false, name);
    if (!dir) return;
    std::string aside = dir->move_aside(name);
    log_warning("{}: {}; moved aside to {} and rebuilt", path(relative), why, aside);
  } catch (const std::exception& e) {
    log_warning("{}: {}; cannot move it aside: {}", path(relative), why, e.what());
  }
}

std::vector<std::string> CacheFiles::file_names(const std::string& relative) const {
  std::string name;
  auto dir = folder_of(relative.empty() ? relative : relative + "/", false, name);
  return dir ? dir->file_names() : std::vector<std::string>{};
}

}  // namespace dockerup
