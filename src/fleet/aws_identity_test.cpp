#include "aws_identity.hpp"

#include "dockerup/error.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <map>

using namespace dockerup;
using namespace dockerup::fleet;
using namespace std::chrono_literals;

namespace {

/// An IMDSv2 service in memory: a token, the role list, the role's credentials (a new key each
/// time they are read, expiring `ttl` after the test clock's now) and the identity document.
struct FakeImds : ImdsHttp {
  std::chrono::system_clock::time_point* now;
  std::chrono::seconds ttl{3600};
  int credential_reads = 0;
  bool down = false;

  explicit FakeImds(std::chrono::system_clock::time_point* clock) : now(clock) {}

  HttpReply send(const std::string& method, const std::string& url,
                 const std::map<std::string, std::string>&) override {
    if (down) fail("connection refused");
    std::string path = url.substr(url.find("/latest"));
    if (method == "PUT") return {200, "token"};
    if (path == "/latest/meta-data/iam/security-credentials/") return {200, "fleet-role\n"};
    if (path == "/latest/meta-data/iam/security-credentials/fleet-role") {
      ++credential_reads;
      std::time_t expiry = std::chrono::system_clock::to_time_t(*now + ttl);
      char text[32];
      std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&expiry));
      return {200, fmt::format(R"({{"Code": "Success", "AccessKeyId": "ASIA{}",
          "SecretAccessKey": "secret", "Token": "token{}", "Expiration": "{}"}})",
                               credential_reads, credential_reads, text)};
    }
    if (path == "/latest/dynamic/instance-identity/document")
      return {200, R"({"region": "eu-central-1", "instanceId": "i-0abc"})"};
    return {404, ""};
  }
};

struct Fixture {
  std::chrono::system_clock::time_point now = std::chrono::system_clock::from_time_t(1800000000);
  FakeImds* imds = nullptr;
  std::map<std::string, std::string> env;

  AwsIdentity make() {
    auto http = std::make_unique<FakeImds>(&now);
    imds = http.get();
    ImdsOptions options;
    options.endpoint = "http://imds";
    options.attempts = 1;
    return AwsIdentity(std::make_unique<ImdsClient>(options, std::move(http)),
                       [this] { return now; },
                       [this](const char* name) -> const char* {
                         auto it = env.find(name);
                         return it == env.end() ? nullptr : it->second.c_str();
                       });
  }
};

}  // namespace

TEST_CASE("parse_utc_time: the IMDS Expiration format only") {
  CHECK(parse_utc_time("2027-01-15T08:00:00Z") == std::chrono::system_clock::from_time_t(1800000000));
  CHECK_FALSE(parse_utc_time("2027-01-15 08:00:00").has_value());
  CHECK_FALSE(parse_utc_time("2027-01-15T08:00:00Zjunk").has_value());
}

TEST_CASE("credentials: the environment first, with its session token") {
  Fixture f;
  f.env = {{"AWS_ACCESS_KEY_ID", "AKIAENV"}, {"AWS_SECRET_ACCESS_KEY", "s"},
           {"AWS_SESSION_TOKEN", "t"}};
  AwsIdentity identity = f.make();
  AwsCredentials credentials = identity.credentials();
  CHECK(credentials.access_key_id == "AKIAENV");
  CHECK(credentials.session_token == "t");
  CHECK(credentials.origin == "environment");
  CHECK(f.imds->credential_reads == 0);
}

TEST_CASE("credentials: the instance role, cached, refreshed 5 minutes before expiry") {
  Fixture f;
  AwsIdentity identity = f.make();
  AwsCredentials first = identity.credentials();
  CHECK(first.access_key_id == "ASIA1");
  CHECK(first.session_token == "token1");
  CHECK(first.origin == "instance role fleet-role");
  f.now += 54min;  // 6 minutes left: still the cached ones
  CHECK(identity.credentials().access_key_id == "ASIA1");
  CHECK(f.imds->credential_reads == 1);
  f.now += 2min;  // 4 minutes left: refreshed
  CHECK(identity.credentials().access_key_id == "ASIA2");
  CHECK(f.imds->credential_reads == 2);
}

TEST_CASE("credentials: a failed refresh keeps valid ones, and fails once they expired") {
  Fixture f;
  AwsIdentity identity = f.make();
  CHECK(identity.credentials().access_key_id == "ASIA1");
  f.imds->down = true;
  f.now += 58min;  // due for refresh, service down, 2 minutes left
  CHECK(identity.credentials().access_key_id == "ASIA1");
  f.now += 3min;  // expired
  std::string message;
  try {
    identity.credentials();
  } catch (const Failure& failure) {
    message = failure.what();
  }
  CHECK(message.find("no AWS credentials") != std::string::npos);
}

TEST_CASE("region: AWS_REGION, else the identity document; instance ID from it too") {
  Fixture f;
  f.env = {{"AWS_REGION", "us-west-2"}};
  CHECK(f.make().region() == "us-west-2");
  f.env.clear();
  AwsIdentity identity = f.make();
  CHECK(identity.region() == "eu-central-1");
  CHECK(identity.instance_id() == "i-0abc");
}
