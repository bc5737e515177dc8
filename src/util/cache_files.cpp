#include "dockerup/cache_files.hpp"

#include "dockerup/log.hpp"
#include "dockerup/trusted_path.hpp"

#include <utility>

namespace dockerup {
namespace {

constexpr std::string_view kCachePrefix = "cache (";

}  // namespace

Error cache_error(std::string_view phase, std::string message) {
  return {fmt::format("{}{})", kCachePrefix, phase), std::move(message)};
}

std::optional<std::string> cache_error_phase(const Error& error) {
  const std::string& where = error.where;
  if (!where.starts_with(kCachePrefix) || !where.ends_with(')')) return std::nullopt;
  return where.substr(kCachePrefix.size(), where.size() - kCachePrefix.size() - 1);
}

void CacheProblems::add(Error error) {
  std::lock_guard lock(mutex_);
  errors_.push_back(std::move(error));
}

Errors CacheProblems::take() {
  std::lock_guard lock(mutex_);
  return std::exchange(errors_, {});
}

void CacheFiles::report(std::string message) const {
  if (problems_)
    problems_->add(cache_error(phase_, std::move(message)));
  else
    log_warning("{}", message);
}

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
      report(fmt::format("{}; moved it aside to {} and starting afresh", e.what(), aside));
      dir = dir->subdir(part, create);
    }
  }
  name = relative.substr(start);
  return dir;
}

std::optional<std::string> CacheFiles::read(const std::string& relative) const {
  auto read = read_stamped(relative, std::nullopt);
  if (!read) return std::nullopt;
  return std::move(read->text);
}

std::optional<StampedText> CacheFiles::read_stamped(
    const std::string& relative, const std::optional<FileStamp>& unless_stamp) const {
  std::string name;
  auto dir = folder_of(relative, false, name);
  if (!dir) return std::nullopt;
  try {
    return dir->read_stamped(name, unless_stamp);
  } catch (const Untrusted& e) {
    std::string aside = dir->move_aside(name);
    report(fmt::format("{}; not trusted, moved aside to {}", e.what(), aside));
    return std::nullopt;
  }
}

void CacheFiles::write(const std::string& relative, const std::string& content) const {
  std::string name;
  folder_of(relative, true, name)->write(name, content);
}

bool CacheFiles::try_write(const std::string& relative, const std::string& content) const {
  try {
    write(relative, content);
    return true;
  } catch (const std::exception& e) {
    report(fmt::format("cannot write {}: {}", path(relative), e.what()));
    return false;
  }
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
    report(fmt::format("{}: {}; moved aside to {} and rebuilt", path(relative), why, aside));
  } catch (const std::exception& e) {
    report(fmt::format("{}: {}; cannot move it aside: {}", path(relative), why, e.what()));
  }
}

std::vector<std::string> CacheFiles::file_names(const std::string& relative) const {
  std::string name;
  auto dir = folder_of(relative.empty() ? relative : relative + "/", false, name);
  return dir ? dir->file_names() : std::vector<std::string>{};
}

}  // namespace dockerup
