// The small Docker answers: GET /version (and the API version negotiated from it), GET /distribution/{name}/json, POST /containers/create,
// error bodies ({"message": ...} or text) and the "Exited (N) ..." status text.
#include "api_version.hpp"
#include "docker_json.hpp"
#include "dockerup/error.hpp"
#include "dockerup/http_client.hpp"
#include "fuzz_support.hpp"

namespace {

template <typename Parse>
void expect_failure_only(Parse parse) {
  try {
    parse();
  } catch (const dockerup::Failure&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dockerup;
  std::string text = fuzz::text(data, size);
  expect_failure_only([&] {
    DaemonVersion daemon = parse_daemon_version(text);
    negotiate_api_version(daemon, "fuzz");
  });
  expect_failure_only([&] { parse_distribution_digest(text); });
  expect_failure_only([&] { parse_created_id(text); });
  std::string message = error_message_from_body(text);
  fuzz::require(message.size() <= 503, "an error message is at most 500 bytes and \"...\"");
  int code = exit_code_from_status(text);
  fuzz::require(code >= -1, "exit codes are -1 or what Docker wrote");
  return 0;
}
