// The progress stream of POST /images/create, cut into chunks at places the first byte picks
// (lines arrive split across reads). A line over the limit throws Failure.
#include "docker_json.hpp"
#include "dockerup/error.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::size_t chunk = 1 + data[0] % 64;
  std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  dockerup::PullStreamChecker checker;
  try {
    for (std::size_t at = 0; at < stream.size(); at += chunk) checker.feed(stream.substr(at, chunk));
    checker.finish();
  } catch (const dockerup::Failure&) {
    return 0;
  }
  if (checker.error()) dockerup::fuzz::require(!checker.error()->empty(), "an error has a message");
  return 0;
}
