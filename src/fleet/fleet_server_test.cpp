// FleetSources with libcurl against tests/fleet_server.py on 127.0.0.1: plain HTTP with ETags,
// and S3 with every request's SigV4 signature checked by botocore, credentials from the
// environment or the instance role of tests/imds_emulator.py.
#include "dockerup/fleet.hpp"
#include "dockerup/lkg.hpp"
#include "fleet_dependencies.hpp"
#include "python_server.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>

using namespace dockerup;
using namespace dockerup::testing;

namespace {

const std::string kDocument =
    R"({"containers": [{"name": "web", "image": "app:v1"}]})";

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int count_lines(const std::string& path, const std::string& needle) {
  std::istringstream lines(read_text(path));
  int count = 0;
  for (std::string line; std::getline(lines, line);)
    if (line.find(needle) != std::string::npos) ++count;
  return count;
}

/// Real HTTP; the environment, the metadata endpoint and how far dockerup's clock runs ahead
/// of the real one as the test says.
struct Harness {
  TempDir cache;
  std::map<std::string, std::string> env;
  std::string imds_endpoint = "http://127.0.0.1:1";
  std::chrono::seconds clock_ahead{0};
  FleetSources fleet;

  Harness() : fleet(make_deps()) {}

  fleet::Dependencies make_deps() {
    fleet::Dependencies deps = fleet::real_dependencies();
    deps.clock = [this] { return std::chrono::system_clock::now() + clock_ahead; };
    deps.getenv = [this](const char* name) -> const char* {
      auto it = env.find(name);
      return it == env.end() ? nullptr : it->second.c_str();
    };
    deps.make_imds = [this](const Settings&) {
      ImdsOptions options;
      options.endpoint = imds_endpoint;
      options.attempts = 1;
      return std::make_unique<ImdsClient>(options);
    };
    return deps;
  }

  SourceLoad run(const Settings& base) {
    Settings settings = base;
    settings.cache_dir = cache.path();
    LastKnownGood store(cache.path());
    SourceLoad load;
    fleet.add(settings, store, load);
    return load;
  }
};

/// The keys tests/fleet_server.py accepts signatures of.
struct S3Keys {
  std::string access_key, secret_key, session_token;
};

/// tests/fleet_server.py as the S3 bucket fleet-bucket, serving kDocument from `dir` to requests
/// signed with `keys` only.
PythonServer s3_bucket(const TempDir& dir, const S3Keys& keys) {
  write_text(dir / "document", kDocument);
  return PythonServer(FLEET_SERVER, {"--dir", dir.path(), "--s3", "fleet-bucket", "--access-key",
                                     keys.access_key, "--secret-key", keys.secret_key,
                                     "--session-token", keys.session_token});
}

std::string image_of(const SourceLoad& load) {
  return load.state.specs.size() == 1 ? load.state.specs[0].image : "";
}

}  // namespace

TEST_CASE("loopback HTTP: 200, then 304 for the same ETag, then the changed document") {
  TempDir dir;
  write_text(dir / "document", kDocument);
  PythonServer server(FLEET_SERVER, {"--dir", dir.path()});
  Harness h;
  Settings settings;
  settings.source_urls = {server.endpoint() + "/fleet.json"};

  CHECK(image_of(h.run(settings)) == "app:v1");
  CHECK(image_of(h.run(settings)) == "app:v1");
  CHECK(count_lines(dir / "requests.log", " 200 inm=-") == 1);
  CHECK(count_lines(dir / "requests.log", " 304 inm=\"") == 1);

  write_text(dir / "document", R"({"containers": [{"name": "web", "image": "app:v2"}]})");
  CHECK(image_of(h.run(settings)) == "app:v2");
  write_text(dir / "mode", "500");
  SourceLoad failing = h.run(settings);
  CHECK(image_of(failing) == "app:v2");
  CHECK(failing.state.complete_sources.empty());
}

TEST_CASE("S3: requests signed with keys from the environment pass botocore's check") {
  TempDir dir;
  PythonServer server = s3_bucket(dir, {"AKIAFLEETTEST", "fleet/secret+key", "session-token-1"});
  Harness h;
  h.env = {{"AWS_ACCESS_KEY_ID", "AKIAFLEETTEST"}, {"AWS_SECRET_ACCESS_KEY", "fleet/secret+key"},
           {"AWS_SESSION_TOKEN", "session-token-1"}, {"AWS_REGION", "eu-west-1"}};
  Settings settings;
  settings.source_urls = {"s3://fleet-bucket/fleets/web.json"};
  settings.s3_endpoint = server.endpoint();

  SourceLoad load = h.run(settings);
  CHECK(image_of(load) == "app:v1");
  CHECK(load.state.specs.at(0).source == "s3://fleet-bucket/fleets/web.json");
  CHECK(image_of(h.run(settings)) == "app:v1");
  CHECK(count_lines(dir / "requests.log", "GET /fleet-bucket/fleets/web.json 200") == 1);
  CHECK(count_lines(dir / "requests.log", "GET /fleet-bucket/fleets/web.json 304") == 1);

  // A wrong secret: S3 refuses the signature, the last good version stands in.
  h.env["AWS_SECRET_ACCESS_KEY"] = "wrong";
  SourceLoad refused = h.run(settings);
  CHECK(image_of(refused) == "app:v1");
  CHECK(refused.state.complete_sources.empty());
  CHECK(refused.warnings.at(0).find("HTTP 403 SignatureDoesNotMatch") != std::string::npos);
}

TEST_CASE("S3: the instance role's credentials and the region from the metadata service") {
  TempDir dir;
  PythonServer server = s3_bucket(dir, {"ASIAROLE", "role-secret", "role-token"});
  PythonServer imds(IMDS_EMULATOR, {"--role", "fleet-role", "--access-key", "ASIAROLE",
                                    "--secret-key", "role-secret", "--session-token",
                                    "role-token", "--credentials-ttl", "3600", "--region",
                                    "eu-north-1", "--instance-id", "i-0fleet"});
  Harness h;
  h.imds_endpoint = imds.endpoint();
  Settings settings;
  settings.source_urls = {"s3://fleet-bucket/web.json"};
  settings.s3_endpoint = server.endpoint();
  SourceLoad load = h.run(settings);
  CHECK(load.state.errors.empty());
  CHECK(image_of(load) == "app:v1");
  CHECK(read_text(dir / "requests.log").find(" 200 ") != std::string::npos);
}

TEST_CASE("S3: the instance role's credentials are read again 5 minutes before they expire") {
  // The emulator's credentials document expires an hour after each read (by the real clock);
  // dockerup's clock is moved ahead instead of waiting. Every request must still pass
  // botocore's signature check.
  TempDir dir;
  PythonServer server = s3_bucket(dir, {"ASIAROLE", "role-secret", "role-token"});
  const std::string imds_log = dir / "imds.log";
  PythonServer imds(IMDS_EMULATOR, {"--role", "fleet-role", "--access-key", "ASIAROLE",
                                    "--secret-key", "role-secret", "--session-token",
                                    "role-token", "--credentials-ttl", "3600", "--region",
                                    "eu-north-1", "--requests-log", imds_log});
  Harness h;
  h.imds_endpoint = imds.endpoint();
  Settings settings;
  settings.source_urls = {"s3://fleet-bucket/web.json"};
  settings.s3_endpoint = server.endpoint();
  const std::string credentials_read = "GET /latest/meta-data/iam/security-credentials/fleet-role 200";

  CHECK(image_of(h.run(settings)) == "app:v1");
  CHECK(count_lines(imds_log, credentials_read) == 1);
  h.clock_ahead = std::chrono::minutes(50);  // 10 minutes left: the copy in memory signs
  CHECK(image_of(h.run(settings)) == "app:v1");
  CHECK(count_lines(imds_log, credentials_read) == 1);
  h.clock_ahead = std::chrono::minutes(56);  // 4 minutes left: read again before they expire
  SourceLoad refreshed = h.run(settings);
  CHECK(refreshed.state.errors.empty());
  CHECK(refreshed.state.complete_sources.count("s3://fleet-bucket/web.json") == 1);
  CHECK(count_lines(imds_log, credentials_read) == 2);
  CHECK(count_lines(dir / "requests.log", " 403 ") == 0);
  CHECK(count_lines(dir / "requests.log", "GET /fleet-bucket/web.json 304") == 2);
}
