// Docker's answer to GET /images/json. Bad JSON throws Failure naming the endpoint; anything else
// escaping (or a sanitizer report) is a bug.
#include "docker_json.hpp"
#include "dockerup/error.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    dockerup::parse_image_list(dockerup::fuzz::text(data, size));
  } catch (const dockerup::Failure&) {
  }
  return 0;
}
