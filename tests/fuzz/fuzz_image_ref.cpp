// Image references (container files, Docker's RepoTags and RepoDigests).
// Property: normalise -> print -> normalise is stable.
#include "dockerup/image_ref.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dockerup;
  std::string text = fuzz::text(data, size);
  std::vector<ImageSummary> images(2);
  images[0].id = "sha256:1";
  images[0].tags = {"busybox:latest", "localhost:5000/app:v1"};
  images[0].digests = {"busybox@sha256:" + std::string(64, 'a')};
  images[1].id = "sha256:2";
  images[1].tags = {text};  // Docker's RepoTags and RepoDigests are untrusted text as well
  images[1].digests = {text};
  find_image_id(text, images);
  auto ref = parse_image_ref(text);
  if (!ref) return 0;
  auto again = parse_image_ref(ref->str());
  fuzz::require(again.has_value(), "a printed reference parses");
  fuzz::require(again->str() == ref->str() && again->registry == ref->registry,
                "normalise -> print -> normalise is stable and keeps the registry");
  return 0;
}
