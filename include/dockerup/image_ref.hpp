// Image references as Docker understands them: [registry[:port]/]path[:tag][@digest].
#pragma once

#include "dockerup/engine.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dockerup {

struct ImageRef {
  /// "" for Docker Hub; "localhost:5000", "registry.example.com". "docker.io" only where the
  /// short form would name another registry: "docker.io/t.am/x", "docker.io/localhost/x".
  std::string registry;
  std::string repository;  ///< path without registry: "busybox", "team/app" (no "library/")
  std::string tag;         ///< "latest" when neither tag nor digest was given
  std::string digest;      ///< "sha256:..." or ""

  /// registry/repository, the form Docker uses in RepoTags ("localhost:5000/app", "busybox").
  std::string name() const;
  /// name():tag, or name()@digest when there is a digest: what to pull, never "all tags".
  std::string str() const;
};

/// nullopt when the text is not a valid reference (empty, spaces, upper case in the path...).
std::optional<ImageRef> parse_image_ref(std::string_view text);

/// ID of the local image that `reference` names (by tag or digest), or nullopt.
/// Understands Docker Hub spellings: "busybox", "library/busybox", "docker.io/library/busybox:latest".
std::optional<std::string> find_image_id(const std::string& reference,
                                         const std::vector<ImageSummary>& images);

}  // namespace dockerup
