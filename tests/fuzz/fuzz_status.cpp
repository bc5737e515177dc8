// status.json as `dockerup status` reads it. Property: what parses is written and read back
// to the same JSON.
#include "dockerup/status.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dockerup;
  std::string error;
  auto status = status_from_json(fuzz::text(data, size), error);
  if (!status) return 0;
  std::string written = status_to_json(*status);
  auto again = status_from_json(written, error);
  fuzz::require(again.has_value(), "a written status parses");
  fuzz::require(status_to_json(*again) == written, "status round trip");
  return 0;
}
