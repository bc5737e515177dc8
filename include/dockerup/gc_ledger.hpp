// The image ledger: which images dockerup pulled or ran, so that GC (without gc=aggressive)
// removes only images that are dockerup's own and never one an operator put on the host.
// Stored in <cache_dir>/images.json as {"version": 1, "images": ["sha256:...", ...]}.
#pragma once

#include "dockerup/cache_files.hpp"
#include "dockerup/engine.hpp"

#include <set>
#include <string>
#include <vector>

namespace dockerup {

class ImageLedger {
 public:
  /// Reads <cache_dir>/images.json. A missing file is an empty ledger; an unreadable one is
  /// reported and treated as empty too (GC then removes less, never more). One that is not what
  /// save() writes (a symlink, another owner, not sha256: IDs) is moved aside as
  /// images.json.corrupt-TIMESTAMP (reported), never trusted. Problems are logged, or with a
  /// `phase` collected as errors of it (take_problems).
  static ImageLedger load(const std::string& cache_dir, const std::string& phase = "");

  const std::set<std::string>& images() const { return images_; }
  bool contains(const std::string& id) const { return images_.count(id) > 0; }

  void add(const std::string& image_id);
  void forget(const std::string& image_id);
  /// Drops every entry that is not among `present` (the image is gone).
  void forget_missing(const std::vector<ImageSummary>& present);

  /// True when the entries differ from what load() read.
  bool changed() const { return images_ != loaded_; }
  /// Writes the file atomically; throws Failure naming the path.
  void save();
  /// save() that reports a failure instead of throwing; false then.
  bool try_save();
  /// The problems collected since the last call (only with a phase).
  Errors take_problems() const { return files_.take_problems(); }

  std::string path() const { return files_.path(kFile); }

 private:
  static constexpr const char* kFile = "images.json";
  explicit ImageLedger(CacheFiles files) : files_(std::move(files)) {}

  CacheFiles files_;
  std::set<std::string> images_;
  std::set<std::string> loaded_;
};

/// The ledger's file format, separate from the file so it can be tested without one.
/// parse_image_ledger throws Failure on malformed text or an entry that is not an image ID.
std::set<std::string> parse_image_ledger(const std::string& json);
std::string format_image_ledger(const std::set<std::string>& images);

}  // namespace dockerup
