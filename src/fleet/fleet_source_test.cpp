// The fleet source rules with a scripted server and a test clock.
#include "dockerup/error.hpp"
#include "dockerup/fleet.hpp"
#include "dockerup/lkg.hpp"
#include "fleet_dependencies.hpp"
#include "fleet_state.hpp"
#include "stagger.hpp"
#include "file_size_limit.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

using namespace dockerup;
using namespace dockerup::fleet;
using namespace std::chrono_literals;

namespace {

const std::string kUrl = "https://config.example.com/fleet.json";

std::string doc(const std::string& image, const std::string& extra = "") {
  return R"({)" + extra + R"("containers": [{"name": "web", "image": ")" + image + R"("}]})";
}

/// Serves `body` with an ETag derived from it, 304 to a matching If-None-Match, or fails as
/// told. Records every request.
struct ScriptedServer : FleetHttp {
  std::string body = doc("app:v1");
  std::map<std::string, std::string> bodies_by_url;  ///< other URLs' documents (else `body`)
  std::set<std::string> failing_urls;                ///< answer 500 whatever the mode
  enum class Mode { Ok, NoAnswer, Status, Gone } mode = Mode::Ok;
  long status = 500;
  std::string error_body;
  std::vector<FleetRequest> requests;

  FleetReply get(const FleetRequest& request) override {
    requests.push_back(request);
    if (failing_urls.count(request.url) != 0) return {500, "", "", ""};
    if (mode == Mode::NoAnswer) fail("GET {}: Timeout was reached", request.url);
    if (mode == Mode::Status) return {status, error_body, "", ""};
    if (mode == Mode::Gone) return {404, "", "", ""};
    auto other = bodies_by_url.find(request.url);
    const std::string& served = other == bodies_by_url.end() ? body : other->second;
    std::string etag = "\"" + std::to_string(std::hash<std::string>{}(served)) + "\"";
    if (request.if_none_match == etag) return {304, "", etag, "Tue, 01 Dec 2026 09:00:00 GMT"};
    return {200, served, etag, "Tue, 01 Dec 2026 09:00:00 GMT"};
  }
};

struct Fixture {
  testing::TempDir cache;
  TimePoint now = std::chrono::system_clock::from_time_t(1800000000);
  ScriptedServer* server = nullptr;
  std::string hostname = "host-a";  // slot 66 of a 100 s window (stagger_test)
  std::map<std::string, std::string> env;
  Settings settings;

  Fixture() {
    settings.cache_dir = cache.path();
    settings.source_urls = {kUrl};
  }

  std::unique_ptr<FleetSources> make() {
    auto http = std::make_unique<ScriptedServer>();
    if (server) *http = *server;  // a "restarted" process sees the same server
    server = http.get();
    Dependencies deps{.http = std::move(http),
                      .clock = [this] { return now; },
                      .getenv = [this](const char* name) -> const char* {
                        auto it = env.find(name);
                        return it == env.end() ? nullptr : it->second.c_str();
                      },
                      .make_imds = [](const Settings&) {  // nobody listens: refused at once
                        ImdsOptions options;
                        options.endpoint = "http://127.0.0.1:9";
                        options.attempts = 1;
                        return std::make_unique<ImdsClient>(options);
                      },
                      .hostname = [this] { return hostname; }};
    return std::make_unique<FleetSources>(std::move(deps));
  }

  SourceLoad run(FleetSources& fleet, Settings* used = nullptr) {
    Settings copy = settings;
    LastKnownGood store(cache.path());
    SourceLoad load;
    fleet.add(copy, store, load);
    if (used) *used = copy;
    return load;
  }

  /// With a 100 s stagger: app:v1 applied, then app:v2 seen now and waiting for this host's
  /// slot (66 s later). Returns when app:v2 was seen.
  TimePoint v2_waiting(FleetSources& fleet) {
    settings.stagger = 100;
    run(fleet);
    server->body = doc("app:v2");
    TimePoint seen = now;
    run(fleet);
    return seen;
  }
};

std::string image_of(const SourceLoad& load) {
  return load.state.specs.size() == 1 ? load.state.specs[0].image : "(" +
         std::to_string(load.state.specs.size()) + " specs)";
}

std::string source_of(const SourceLoad& load, const std::string& name) {
  for (const auto& spec : load.state.specs)
    if (spec.name == name) return spec.source;
  return "(not declared)";
}

bool has_warning(const SourceLoad& load, const std::string& text) {
  return std::any_of(load.warnings.begin(), load.warnings.end(),
                     [&](const std::string& w) { return w.find(text) != std::string::npos; });
}

}  // namespace

TEST_CASE("fleet: the document's containers, named by the URL; then 304 with its ETag") {
  Fixture f;
  auto fleet = f.make();
  SourceLoad first = f.run(*fleet);
  REQUIRE(first.state.specs.size() == 1);
  CHECK(first.state.specs[0].source == kUrl);
  CHECK(first.state.complete_sources.count(kUrl) == 1);
  CHECK(first.state.errors.empty());
  CHECK(f.server->requests[0].if_none_match.empty());

  SourceLoad second = f.run(*fleet);
  CHECK(image_of(second) == "app:v1");
  CHECK(second.state.complete_sources.count(kUrl) == 1);
  REQUIRE(f.server->requests.size() == 2);
  CHECK_FALSE(f.server->requests[1].if_none_match.empty());
  CHECK(f.server->requests[1].if_modified_since == "Tue, 01 Dec 2026 09:00:00 GMT");

  // A new process has only the copy on disk: it sends the same ETag and gets a 304 too.
  auto restarted = f.make();
  CHECK(image_of(f.run(*restarted)) == "app:v1");
  CHECK(f.server->requests.back().if_none_match == f.server->requests[1].if_none_match);
}

TEST_CASE("fleet: a 304 parses nothing; only a new body is parsed") {
  Fixture f;
  auto fleet = f.make();
  f.run(*fleet);
  CHECK(fleet->documents_parsed() == 1);
  for (int run = 0; run < 3; ++run) CHECK(image_of(f.run(*fleet)) == "app:v1");
  CHECK(f.server->requests.size() == 4);
  CHECK(fleet->documents_parsed() == 1);  // three 304s
  f.server->body = doc("app:v2");
  CHECK(image_of(f.run(*fleet)) == "app:v2");
  CHECK(fleet->documents_parsed() == 2);
  // A new process parses the stored copy once to know its containers, then nothing on 304s.
  auto restarted = f.make();
  f.run(*restarted);
  f.run(*restarted);
  CHECK(restarted->documents_parsed() == 1);
}

TEST_CASE("fleet: several source_urls, each document's containers under its own URL") {
  Fixture f;
  const std::string other = "https://config.example.com/workers.json";
  f.settings.source_urls = {kUrl, other};
  auto fleet = f.make();
  f.server->bodies_by_url[other] = R"({"containers": [{"name": "worker", "image": "app:w1"}]})";
  SourceLoad both = f.run(*fleet);
  CHECK(both.state.errors.empty());
  CHECK(source_of(both, "web") == kUrl);
  CHECK(source_of(both, "worker") == other);
  CHECK(both.state.complete_sources == std::set<std::string>{kUrl, other});

  // One failing: its last good copy stands in (nothing of it removed), the other is complete.
  f.server->failing_urls.insert(other);
  SourceLoad one_down = f.run(*fleet);
  CHECK(source_of(one_down, "worker") == other);
  CHECK(one_down.state.complete_sources == std::set<std::string>{kUrl});
  CHECK(one_down.state.failed_sources.empty());
  CHECK(has_warning(one_down, other + ": HTTP 500; using the last good version"));

  // The same name in both documents: an error naming both URLs, neither declaration used.
  f.server->failing_urls.clear();
  f.server->bodies_by_url[other] = doc("app:v2");
  Settings settings = f.settings;
  settings.confdir = f.cache / "containers.d";
  std::filesystem::create_directory(settings.confdir);
  SourceLoad merged = load_desired_state(settings, fleet->as_source());
  CHECK(source_of(merged, "web") == "(not declared)");
  CHECK(merged.state.protected_names.count("web") == 1);
  REQUIRE(merged.state.errors.size() == 1);
  CHECK(merged.state.errors[0].message.find("declared by both " + kUrl + " and " + other) !=
        std::string::npos);
}

TEST_CASE("fleet: every kind of failure keeps the last good version, complete or not") {
  Fixture f;
  auto fleet = f.make();
  f.run(*fleet);
  auto check_stands_in = [&](const char* what) {
    SourceLoad load = f.run(*fleet);
    CHECK_MESSAGE(image_of(load) == "app:v1", what);
    CHECK_MESSAGE(load.state.complete_sources.count(kUrl) == 0, what);  // nothing removed
    CHECK_MESSAGE(load.state.failed_sources.count(kUrl) == 0, what);    // but kept up to date
    CHECK_MESSAGE(has_warning(load, "using the last good version"), what);
    return load;
  };
  f.server->mode = ScriptedServer::Mode::NoAnswer;
  check_stands_in("timeout");
  f.server->mode = ScriptedServer::Mode::Status;
  check_stands_in("500");
  f.server->status = 403;
  f.server->error_body = "<Error><Code>SignatureDoesNotMatch</Code></Error>";
  CHECK(has_warning(check_stands_in("403"), "HTTP 403 SignatureDoesNotMatch"));
  f.server->mode = ScriptedServer::Mode::Ok;
  f.server->body = "<html>not json</html>";
  SourceLoad garbage = check_stands_in("garbage");
  REQUIRE_FALSE(garbage.state.errors.empty());
  CHECK(garbage.state.errors[0].where == kUrl);
  f.server->body = R"({"containers": [{"name": "web"}]})";  // JSON, but an entry is invalid
  CHECK_FALSE(check_stands_in("invalid entry").state.errors.empty());
}

TEST_CASE("fleet: a failure without a last good copy fails the source (its containers stay)") {
  Fixture f;
  auto fleet = f.make();
  f.server->mode = ScriptedServer::Mode::Status;
  SourceLoad load = f.run(*fleet);
  CHECK(load.state.specs.empty());
  CHECK(load.state.failed_sources.count(kUrl) == 1);
  REQUIRE(load.state.errors.size() == 1);
  CHECK(load.state.errors[0].message.find("HTTP 500") != std::string::npos);
}

TEST_CASE("fleet: 404 means the document is gone: complete, no containers") {
  Fixture f;
  auto fleet = f.make();
  f.run(*fleet);
  f.server->mode = ScriptedServer::Mode::Gone;
  SourceLoad load = f.run(*fleet);
  CHECK(load.state.specs.empty());
  CHECK(load.state.complete_sources.count(kUrl) == 1);
}

TEST_CASE("fleet: without stagger a change applies on the next run") {
  Fixture f;
  auto fleet = f.make();
  f.run(*fleet);
  f.server->body = doc("app:v2");
  CHECK(image_of(f.run(*fleet)) == "app:v2");
  CHECK(fleet_status_lines(f.cache.path()).empty());
}

TEST_CASE("fleet: with stagger a change waits for this host's slot, then applies") {
  Fixture f;
  f.settings.stagger = 100;
  int delay = stagger_delay_seconds("host-a", 100);
  REQUIRE(delay == 66);
  auto fleet = f.make();
  CHECK(image_of(f.run(*fleet)) == "app:v1");  // the first version applies at once

  f.server->body = doc("app:v2");
  TimePoint seen = f.now;
  SourceLoad waiting = f.run(*fleet);
  CHECK(image_of(waiting) == "app:v1");
  CHECK(waiting.state.complete_sources.count(kUrl) == 1);
  CHECK(has_warning(waiting, "changed; applies at " + utc_text(seen + 66s)));
  REQUIRE(fleet_status_lines(f.cache.path()).size() == 1);
  CHECK(fleet_status_lines(f.cache.path())[0] ==
        "fleet source " + kUrl + " changed; applies at " + utc_text(seen + 66s));

  std::string json = add_fleet_pending_json(R"({"result": "ok"})", f.cache.path());
  CHECK(json.find(R"("url": ")" + kUrl) != std::string::npos);
  CHECK(json.find(R"("applies_at": ")" + utc_text(seen + 66s)) != std::string::npos);
  CHECK(json.find(R"("result": "ok")") != std::string::npos);

  f.now = seen + 65s;
  CHECK(image_of(f.run(*fleet)) == "app:v1");
  // The pending version's ETag is what we ask about now: 304 while it waits.
  CHECK(f.server->requests.back().if_none_match != f.server->requests[0].if_none_match);

  auto restarted = f.make();  // the slot survives a restart
  f.now = seen + 66s;
  CHECK(image_of(f.run(*restarted)) == "app:v2");
  CHECK(fleet_status_lines(f.cache.path()).empty());
  CHECK(add_fleet_pending_json("{}", f.cache.path()) == "{}");
}

TEST_CASE("fleet: a waiting change of a source no longer configured is forgotten") {
  Fixture f;
  auto fleet = f.make();
  f.v2_waiting(*fleet);
  REQUIRE(fleet_status_lines(f.cache.path()).size() == 1);
  f.settings.source_urls = {"https://config.example.com/other.json"};
  f.run(*fleet);
  CHECK(fleet_status_lines(f.cache.path()).empty());
  LastKnownGood store(f.cache.path());
  CHECK(load_state(store, kUrl).applied);  // its last good version is kept
}

TEST_CASE("fleet: a failing source still applies a waiting version once its slot comes") {
  Fixture f;
  auto fleet = f.make();
  TimePoint seen = f.v2_waiting(*fleet);
  f.server->mode = ScriptedServer::Mode::NoAnswer;
  f.now = seen + 70s;
  SourceLoad load = f.run(*fleet);
  CHECK(image_of(load) == "app:v2");
  CHECK(load.state.complete_sources.count(kUrl) == 0);
}

TEST_CASE("fleet: a change reverted before its slot is dropped; a second change keeps the slot") {
  Fixture f;
  auto fleet = f.make();
  TimePoint seen = f.v2_waiting(*fleet);
  f.server->body = doc("app:v1");
  f.now = seen + 10s;
  CHECK(image_of(f.run(*fleet)) == "app:v1");
  CHECK(fleet_status_lines(f.cache.path()).empty());

  f.server->body = doc("app:v2");
  seen = f.now;
  f.run(*fleet);
  f.server->body = doc("app:v3");
  f.now = seen + 30s;
  SourceLoad load = f.run(*fleet);
  CHECK(image_of(load) == "app:v1");
  CHECK(has_warning(load, "applies at " + utc_text(seen + 66s)));
  f.now = seen + 66s;
  CHECK(image_of(f.run(*fleet)) == "app:v3");
}

TEST_CASE("fleet: the document's own stagger and settings keys; source_url is refused") {
  Fixture f;
  auto fleet = f.make();
  f.server->body = doc("app:v1", R"("stagger": 100, "interval": 7, "source_url": "https://x/y", )");
  Settings used;
  SourceLoad first = f.run(*fleet, &used);
  CHECK(used.interval == 7);
  CHECK(used.stagger == 100);
  CHECK(used.source_urls == std::vector<std::string>{kUrl});
  CHECK(has_warning(first, "$.source_url: not accepted in a fleet document"));

  f.server->body = doc("app:v2", R"("stagger": 100, )");
  CHECK(image_of(f.run(*fleet)) == "app:v1");  // waits: the window in effect is the document's
  CHECK(fleet_status_lines(f.cache.path()).size() == 1);
}

TEST_CASE("fleet: a bad URL is an error and its containers are kept") {
  Fixture f;
  f.settings.source_urls = {"http://10.1.2.3/fleet.json"};
  auto fleet = f.make();
  SourceLoad load = f.run(*fleet);
  CHECK(load.state.failed_sources.count("http://10.1.2.3/fleet.json") == 1);
  REQUIRE(load.state.errors.size() == 1);
  CHECK(load.state.errors[0].message.find("loopback") != std::string::npos);
  CHECK(f.server->requests.empty());
}

TEST_CASE("fleet state: a stored time the clock cannot hold is ignored, not an overflow") {
  // Found by tests/fuzz/fuzz_fleet_state: seconds * 1e9 overflowed system_clock's int64.
  testing::TempDir cache;
  LastKnownGood store(cache.path());
  const std::string url = "s3://bucket/fleet.json";
  const std::string folder = state_folder(url);
  auto write_pending = [&](const std::string& seen_at) {
    store.save_named_copy(folder + "/pending.json",
                          R"({"url": "s3://bucket/fleet.json", "gone": false, "etag": "e",)"
                          R"( "last_modified": "", "seen_at": )" + seen_at +
                              R"(, "applies_at": 1795441852})");
    store.save_named_copy(folder + "/pending.body", R"({"containers": []})");
  };
  write_pending("17950441552");
  CHECK_FALSE(load_state(store, url).pending);
  Errors problems = store.take_problems();  // moved aside: never read again
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].message.find("pending.json: pending fleet state without valid times; moved "
                                 "aside") != std::string::npos);
  write_pending("-1");
  CHECK_FALSE(load_state(store, url).pending);
  write_pending("1795441552");
  REQUIRE(load_state(store, url).pending);
  CHECK(utc_text(load_state(store, url).pending->applies_at) == "2026-11-23T13:50:52Z");
}

TEST_CASE("fleet state: a corrupt state file is moved aside and reported, never trusted") {
  testing::TempDir cache;
  LastKnownGood store(cache.path());
  const std::string folder = state_folder(kUrl);
  store.save_named_copy(folder + "/applied.body", doc("app:v1"));
  store.save_named_copy(folder + "/applied.json", "{torn");
  CHECK_FALSE(load_state(store, kUrl).applied);
  // A meta whose document is missing describes nothing either.
  store.save_named_copy(folder + "/pending.json", R"({"gone": false, "seen_at": 1, "applies_at": 2})");
  CHECK_FALSE(load_state(store, kUrl).pending);
  Errors problems = store.take_problems();
  REQUIRE(problems.size() == 2);
  CHECK(cache_error_phase(problems[0]) == "sources");
  CHECK(problems[0].message.find("applied.json: fleet state is invalid") != std::string::npos);
  CHECK(problems[1].message.find("pending.json: fleet state without its document") !=
        std::string::npos);
  CHECK_FALSE(store.named_copy(folder + "/applied.json"));
  CHECK_FALSE(store.named_copy(folder + "/pending.json"));
}

TEST_CASE("fleet: state that cannot be written is an error of the run; the document applies") {
  Fixture f;
  auto fleet = f.make();
  Settings copy = f.settings;
  LastKnownGood store(f.cache.path());
  SourceLoad load;
  {
    testing::FileSizeLimit full;  // every write fails, as on a full disk
    fleet->add(copy, store, load);
  }
  CHECK(image_of(load) == "app:v1");
  CHECK(load.state.complete_sources.count(kUrl) == 1);
  CHECK(load.state.failed_sources.empty());
  Errors problems = store.take_problems();
  REQUIRE(problems.size() == 1);  // the body failed: its meta is not written over a missing body
  CHECK(problems[0].str().find("cache (sources): cannot write " + f.cache.path() +
                               "/last-known-good/" + state_folder(kUrl) + "/applied.body") == 0);
  CHECK_FALSE(load_state(store, kUrl).applied);
}

TEST_CASE("fleet: s3:// at an s3_endpoint: path-style, signed, any region when none is known") {
  Fixture f;
  f.env = {{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"}, {"AWS_SECRET_ACCESS_KEY", "secret"}};
  f.settings.source_urls = {"s3://fleet-bucket/web fleet.json"};
  f.settings.s3_endpoint = "http://127.0.0.1:9000/";
  auto fleet = f.make();
  CHECK(image_of(f.run(*fleet)) == "app:v1");
  const FleetRequest& request = f.server->requests.at(0);
  CHECK(request.url == "http://127.0.0.1:9000/fleet-bucket/web%20fleet.json");
  CHECK(request.region == "us-east-1");  // no AWS_REGION, no metadata service
  CHECK(request.loopback);
  REQUIRE(request.credentials);
  CHECK(request.credentials->access_key_id == "AKIDEXAMPLE");

  // Without s3_endpoint a region is needed for the host name: no region, no request.
  f.env["AWS_REGION"] = "eu-west-1";
  f.settings.s3_endpoint.clear();
  auto aws = f.make();
  f.run(*aws);
  CHECK(f.server->requests.back().url ==
        "https://fleet-bucket.s3.eu-west-1.amazonaws.com/web%20fleet.json");
  f.env.erase("AWS_REGION");
  auto lost = f.make();
  SourceLoad load = f.run(*lost);
  CHECK(f.server->requests.size() == 2);
  CHECK(has_warning(load, "no AWS region: AWS_REGION is not set"));
  CHECK(image_of(load) == "app:v1");  // the last good copy stands in

  // Plain http:// to a store that is not on this host: refused, nothing requested or removed.
  f.settings.s3_endpoint = "http://10.0.0.5:9000";
  auto far = f.make();
  SourceLoad refused = f.run(*far);
  CHECK(f.server->requests.size() == 2);
  CHECK(refused.state.failed_sources.count("s3://fleet-bucket/web fleet.json") == 1);
  REQUIRE(refused.state.errors.size() == 1);
  CHECK(refused.state.errors[0].str() ==
        "s3://fleet-bucket/web fleet.json: s3_endpoint http://10.0.0.5:9000: plain http:// is "
        "only accepted for loopback addresses (tests); use https://");
}
