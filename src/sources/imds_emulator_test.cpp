// The libcurl IMDS client against tests/imds_emulator.py on 127.0.0.1.
#include "dockerup/imds.hpp"
#include "emulator_process.hpp"
#include "gzip.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

using namespace dockerup;
using namespace dockerup::testing;

namespace {

ImdsOptions options_for(const std::string& endpoint) {
  ImdsOptions options;
  options.endpoint = endpoint;
  options.first_backoff = std::chrono::milliseconds(10);
  return options;
}

const std::string kBody = R"({"containers": [{"name": "web", "image": "busybox"}]})";

}  // namespace

TEST_CASE("emulator: IMDSv2 fetch, and the file is re-read on every request") {
  TempDir dir;
  write_text(dir / "user-data", kBody);
  ImdsEmulator emulator({"--user-data", dir / "user-data"});
  ImdsClient client(options_for(emulator.endpoint()));

  UserDataFetch first = client.fetch_user_data();
  CHECK(first.outcome == UserDataFetch::Outcome::Ok);
  CHECK(first.body == kBody);

  write_text(dir / "user-data", "changed");
  CHECK(client.fetch_user_data().body == "changed");
}

TEST_CASE("emulator: an expired token (401) is replaced") {
  TempDir dir;
  write_text(dir / "user-data", kBody);
  ImdsEmulator emulator({"--user-data", dir / "user-data", "--token-uses", "1"});
  ImdsClient client(options_for(emulator.endpoint()));

  CHECK(client.fetch_user_data().outcome == UserDataFetch::Outcome::Ok);
  UserDataFetch second = client.fetch_user_data();  // the first token is used up: 401
  CHECK(second.outcome == UserDataFetch::Outcome::Ok);
  CHECK(second.body == kBody);
}

TEST_CASE("emulator: 404 means no user-data") {
  ImdsEmulator emulator({"--no-user-data"});
  ImdsClient client(options_for(emulator.endpoint()));
  CHECK(client.fetch_user_data().outcome == UserDataFetch::Outcome::None);
}

TEST_CASE("emulator: IMDSv1-only service, allowed and forbidden") {
  TempDir dir;
  write_text(dir / "user-data", kBody);
  ImdsEmulator emulator({"--user-data", dir / "user-data", "--imdsv1-only"});
  ImdsOptions options = options_for(emulator.endpoint());

  ImdsClient allowed(options);
  UserDataFetch fetch = allowed.fetch_user_data();
  CHECK(fetch.outcome == UserDataFetch::Outcome::Ok);
  CHECK(fetch.body == kBody);

  options.allow_imdsv1 = false;
  ImdsClient forbidden(options);
  CHECK(forbidden.fetch_user_data().outcome == UserDataFetch::Outcome::Unavailable);
}

TEST_CASE("emulator: gzip bodies arrive as they were sent") {
  TempDir dir;
  write_text(dir / "user-data", kBody);
  ImdsEmulator emulator({"--user-data", dir / "user-data", "--gzip"});
  ImdsClient client(options_for(emulator.endpoint()));
  UserDataFetch fetch = client.fetch_user_data();
  REQUIRE(fetch.outcome == UserDataFetch::Outcome::Ok);
  CHECK(is_gzip(fetch.body));
  std::string error;
  CHECK(gunzip(fetch.body, error) == kBody);
}

TEST_CASE("emulator: a body over the 4 MiB limit is unavailable, naming the limit") {
  TempDir dir;
  write_text(dir / "user-data", std::string(kMaxUserDataBody + 1, ' '));
  ImdsEmulator emulator({"--user-data", dir / "user-data"});
  ImdsOptions options = options_for(emulator.endpoint());
  options.attempts = 1;
  CHECK(options.max_body == 4 * 1024 * 1024);
  UserDataFetch fetch = ImdsClient(options).fetch_user_data();
  CHECK(fetch.outcome == UserDataFetch::Outcome::Unavailable);
  CHECK(fetch.reason.find("the answer is longer than the limit of 4194304 bytes") !=
        std::string::npos);

  write_text(dir / "user-data", std::string(kMaxUserDataBody, ' '));  // exactly the limit
  CHECK(ImdsClient(options).fetch_user_data().body.size() == kMaxUserDataBody);
}

TEST_CASE("an endpoint nobody listens on is unavailable, not empty") {
  ImdsClient client(options_for("http://127.0.0.1:" + std::to_string(closed_port())));
  UserDataFetch fetch = client.fetch_user_data();
  CHECK(fetch.outcome == UserDataFetch::Outcome::Unavailable);
  CHECK(fetch.reason.find("127.0.0.1") != std::string::npos);
  CHECK(fetch.reason.find("3 attempts") != std::string::npos);
}

TEST_CASE("a stopped emulator makes user-data unavailable") {
  ImdsEmulator emulator({"--no-user-data"});
  std::string endpoint = emulator.endpoint();
  emulator.stop();
  ImdsClient client(options_for(endpoint));
  CHECK(client.fetch_user_data().outcome == UserDataFetch::Outcome::Unavailable);
}
