// Image references, parsed the way the Docker CLI parses them (distribution/reference):
//   [registry[:port]/]component[/component...][:tag][@algorithm:hex]
// The first component is a registry only when it looks like a host: it contains '.' or ':' or
// is "localhost". Docker Hub's spellings ("docker.io/library/x") are folded to the short form
// Docker itself reports in RepoTags ("x"), so references compare equal however they are written,
// except where the short form would read as another registry ("docker.io/t.am/x" stays).
#include "dockerup/image_ref.hpp"

#include <algorithm>

namespace dockerup {
namespace {

constexpr std::string_view docker_hub_names[] = {"docker.io", "index.docker.io",
                                                 "registry-1.docker.io"};
constexpr std::size_t max_name_length = 255;
constexpr std::size_t max_tag_length = 128;

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_alnum(char c) {
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/// One path component: [a-z0-9]+ joined by '.', '_', '__' or any run of '-'.
bool valid_path_component(std::string_view text) {
  if (text.empty() || !is_lower_alnum(text.front()) || !is_lower_alnum(text.back())) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (is_lower_alnum(text[i])) continue;
    std::size_t end = i;
    while (end < text.size() && !is_lower_alnum(text[end])) ++end;
    std::string_view separator = text.substr(i, end - i);
    bool dashes = std::all_of(separator.begin(), separator.end(), [](char c) { return c == '-'; });
    if (!(separator == "." || separator == "_" || separator == "__" || dashes)) return false;
    i = end - 1;
  }
  return true;
}

bool valid_path(std::string_view path) {
  while (true) {
    std::size_t slash = path.find('/');
    if (!valid_path_component(path.substr(0, slash))) return false;
    if (slash == std::string_view::npos) return true;
    path.remove_prefix(slash + 1);
  }
}

/// host[:port] where host is dot-separated labels of letters, digits and inner dashes.
bool valid_registry(std::string_view registry) {
  std::size_t colon = registry.find(':');
  if (colon != std::string_view::npos) {
    std::string_view port = registry.substr(colon + 1);
    if (port.empty() || !std::all_of(port.begin(), port.end(), is_digit)) return false;
    registry = registry.substr(0, colon);
  }
  while (true) {
    std::size_t dot = registry.find('.');
    std::string_view label = registry.substr(0, dot);
    if (label.empty() || !is_alnum(label.front()) || !is_alnum(label.back())) return false;
    if (!std::all_of(label.begin(), label.end(), [](char c) { return is_alnum(c) || c == '-'; }))
      return false;
    if (dot == std::string_view::npos) return true;
    registry.remove_prefix(dot + 1);
  }
}

bool valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > max_tag_length) return false;
  if (!(is_alnum(tag.front()) || tag.front() == '_')) return false;
  return std::all_of(tag.begin(), tag.end(),
                     [](char c) { return is_alnum(c) || c == '_' || c == '.' || c == '-'; });
}

/// algorithm:hex; sha256 digests must have exactly 64 lower-case hex characters.
bool valid_digest(std::string_view digest) {
  std::size_t colon = digest.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view algorithm = digest.substr(0, colon);
  std::string_view hex = digest.substr(colon + 1);
  if (algorithm.empty() || !is_lower_alnum(algorithm.front())) return false;
  if (!std::all_of(algorithm.begin(), algorithm.end(), [](char c) {
        return is_lower_alnum(c) || c == '+' || c == '.' || c == '_' || c == '-';
      }))
    return false;
  if (hex.size() < 32 || !std::all_of(hex.begin(), hex.end(), is_hex)) return false;
  if (algorithm == "sha256")
    return hex.size() == 64 &&
           std::none_of(hex.begin(), hex.end(), [](char c) { return c >= 'A' && c <= 'F'; });
  return true;
}

bool looks_like_registry(std::string_view component) {
  return component.find_first_of(".:") != std::string_view::npos || component == "localhost";
}

bool is_docker_hub(std::string_view registry) {
  return std::find(std::begin(docker_hub_names), std::end(docker_hub_names), registry) !=
         std::end(docker_hub_names);
}

struct NameAndTag {
  std::string_view name;
  std::optional<std::string_view> tag;
};

/// Splits "name[:tag]" at the last ':' after the last '/' (a registry port is not a tag).
NameAndTag split_tag(std::string_view text) {
  std::size_t colon = text.rfind(':');
  std::size_t slash = text.rfind('/');
  if (colon == std::string_view::npos || (slash != std::string_view::npos && colon < slash))
    return {text, std::nullopt};
  return {text.substr(0, colon), text.substr(colon + 1)};
}

}  // namespace

std::string ImageRef::name() const {
  return registry.empty() ? repository : registry + "/" + repository;
}

std::string ImageRef::str() const {
  return digest.empty() ? name() + ":" + tag : name() + "@" + digest;
}

std::optional<ImageRef> parse_image_ref(std::string_view text) {
  ImageRef ref;
  std::size_t at = text.find('@');
  if (at != std::string_view::npos) {
    ref.digest = std::string(text.substr(at + 1));
    if (!valid_digest(ref.digest)) return std::nullopt;
    text = text.substr(0, at);
  }

  auto [name, tag] = split_tag(text);
  if (tag) {
    if (!valid_tag(*tag)) return std::nullopt;
    ref.tag = std::string(*tag);
  }
  if (name.empty() || name.size() > max_name_length) return std::nullopt;

  std::size_t slash = name.find('/');
  if (slash != std::string_view::npos && looks_like_registry(name.substr(0, slash))) {
    ref.registry = std::string(name.substr(0, slash));
    if (!valid_registry(ref.registry)) return std::nullopt;
    name.remove_prefix(slash + 1);
  }
  if (!valid_path(name)) return std::nullopt;
  ref.repository = std::string(name);

  // Docker Hub goes (Docker reports "team/app", not "docker.io/team/app"), unless the path's
  // first component would then read as a registry: "docker.io/t.am/l" must not become the
  // image "l" of the registry t.am (found by tests/fuzz/fuzz_image_ref).
  if (is_docker_hub(ref.registry)) {
    std::size_t first_slash = ref.repository.find('/');
    bool keep = first_slash != std::string::npos &&
                looks_like_registry(std::string_view(ref.repository).substr(0, first_slash));
    ref.registry = keep ? "docker.io" : "";
  }
  if (ref.registry.empty() && ref.repository.starts_with("library/") &&
      ref.repository.find('/', 8) == std::string::npos)
    ref.repository.erase(0, 8);
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  return ref;
}

namespace {

bool same_tag(const ImageRef& wanted, const std::string& repo_tag) {
  auto candidate = parse_image_ref(repo_tag);  // "<none>:<none>" does not parse: skipped
  return candidate && candidate->digest.empty() && candidate->name() == wanted.name() &&
         candidate->tag == wanted.tag;
}

bool same_digest(const ImageRef& wanted, const std::string& repo_digest) {
  auto candidate = parse_image_ref(repo_digest);
  return candidate && candidate->name() == wanted.name() && candidate->digest == wanted.digest;
}

}  // namespace

std::optional<std::string> find_image_id(const std::string& reference,
                                         const std::vector<ImageSummary>& images) {
  // An image ID ("sha256:<64 hex>", what a rollback pins) names the image itself.
  if (reference.starts_with("sha256:")) {
    for (const ImageSummary& image : images)
      if (image.id == reference) return image.id;
    return std::nullopt;
  }
  auto wanted = parse_image_ref(reference);
  if (!wanted) return std::nullopt;
  for (const ImageSummary& image : images) {
    // A digest pins the content, so it wins over a tag written beside it.
    bool found =
        wanted->digest.empty()
            ? std::any_of(image.tags.begin(), image.tags.end(),
                          [&](const std::string& tag) { return same_tag(*wanted, tag); })
            : std::any_of(image.digests.begin(), image.digests.end(),
                          [&](const std::string& digest) { return same_digest(*wanted, digest); });
    if (found) return image.id;
  }
  return std::nullopt;
}

}  // namespace dockerup
