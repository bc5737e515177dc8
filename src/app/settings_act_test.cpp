// Every setting acts: each key of etc/dockerup.conf, set to a value other than its default through
// the real config parser, changes what the code that uses it does. One row per key; a key of
// etc/dockerup.conf without a row fails the test, so a new setting cannot land untested.
//
// A row observes its key where it is used (a reconcile run against the fake engine, the source
// loader, the IMDS client's options, the server loop) and names what it saw with the base
// settings and with the key set. Both must be what the row expects, and differ.
#include "command_run.hpp"
#include "load_settings.hpp"
#include "server.hpp"
#include "signals.hpp"

#include "dockerup/config_file.hpp"
#include "dockerup/docker_engine.hpp"
#include "dockerup/fleet.hpp"
#include "dockerup/history.hpp"
#include "dockerup/imds.hpp"
#include "dockerup/log.hpp"
#include "dockerup/registry_credentials.hpp"
#include "dockerup/base64.hpp"
#include "dockerup/sources.hpp"

#include "dockerup/fleet.hpp"
#include "emulator_process.hpp"
#include "fake_engine.hpp"
#include "fleet_dependencies.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace dockerup {
namespace {

namespace fs = std::filesystem;
using testing::FakeEngine;
using testing::TempDir;

/// Image IDs as Docker writes them (the history refuses anything else).
const std::string kV1 = "sha256:" + std::string(64, '1');
const std::string kV1b = "sha256:" + std::string(64, 'b');
const std::string kV2 = "sha256:" + std::string(64, '2');

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

std::string spec_json(const std::string& name, const std::string& image, bool rolling = false) {
  return "{\"name\": \"" + name + "\", \"image\": \"" + image + "\"" +
         (rolling ? ", \"update\": {\"rolling\": true}" : "") + "}";
}

/// The keys etc/dockerup.conf documents: every ";key=default" line.
std::vector<std::string> documented_keys() {
  std::ifstream in(DOCKERUP_CONF_EXAMPLE);
  REQUIRE(in);
  std::vector<std::string> keys;
  std::regex commented_key(R"(^;([a-z_0-9]+)=.*$)");
  std::smatch match;
  for (std::string line; std::getline(in, line);)
    if (std::regex_match(line, match, commented_key)) keys.push_back(match[1]);
  return keys;
}

/// The host every observation runs on: a confdir with web.json, a cache, an IMDS emulator whose
/// user-data declares "ud", and a fresh fake engine per run sequence.
struct Lab {
  TempDir root;
  std::string confdir = root / "containers.d";
  std::string cache = root / "cache";
  std::string user_data = root / "user-data";
  std::unique_ptr<testing::ImdsEmulator> imds;
  std::string user_data_v1 = root / "user-data-v1";
  std::unique_ptr<testing::ImdsEmulator> imds_v1_only;  ///< no token endpoint; declares "ud1"
  Settings base;

  Lab() {
    ::unsetenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    ::unsetenv("DOCKER_HOST");
    ::unsetenv("DOCKER_TLS_VERIFY");  // TLS only from the tls_* rows
    ::unsetenv("DOCKER_CERT_PATH");
    ::unsetenv("DOCKER_CONFIG");
    ::setenv("HOME", root.path().c_str(), 1);  // never the host's ~/.docker/config.json
    write_text(user_data, R"({"containers": [{"name": "ud", "image": "app:v1"}]})");
    imds = std::make_unique<testing::ImdsEmulator>(std::vector<std::string>{"--user-data", user_data});
    write_text(user_data_v1, R"({"containers": [{"name": "ud1", "image": "app:v1"}]})");
    imds_v1_only = std::make_unique<testing::ImdsEmulator>(
        std::vector<std::string>{"--user-data", user_data_v1, "--imdsv1-only"});
    base.confdir = confdir;    // never the host's /etc/dockerup/containers.d
    base.cache_dir = cache;    // never the host's /var/cache/dockerup
    base.aws_endpoint = imds->endpoint();  // never 169.254.169.254
    reset();
  }

  /// A (dummy) PEM file in the lab: the tls_* keys need readable files.
  std::string pem(const std::string& name) const {
    std::string path = root / name;
    if (!fs::exists(path)) write_text(path, "PEM\n");
    return path;
  }

  /// Puts the confdir and the cache back to their starting point: web.json only, empty cache.
  void reset() {
    fs::remove_all(confdir);
    fs::remove_all(cache);
    fs::remove_all(root / "elsewhere");
    fs::create_directories(confdir);
    write_text(confdir + "/web.json", spec_json("web", "app:v1"));
  }
};

/// One reconcile sequence on a fresh fake engine with the real source loader.
struct Runs {
  Lab& lab;
  Settings settings;
  FakeEngine engine;
  std::vector<int> sleeps;
  std::unique_ptr<History> history;
  bool with_auth = false;  ///< the run looks up registry credentials as `dockerup run` does

  Runs(Lab& lab, const Settings& settings) : lab(lab), settings(settings) {
    lab.reset();
    engine.add_image("app:v1", kV1);
    engine.add_image("app:v2", kV2);
  }

  RunResult run() {
    RunContext context{
        .engine = engine,
        .load_desired = [](Settings& run_settings) { return load_desired_state(run_settings).state; },
        .hooks = {.sleep = [this](int seconds) { sleeps.push_back(seconds); },
                  .stop_requested = [] { return false; }},
        .history = history.get(),
        .now = [] { return std::int64_t{1000}; }};
    if (with_auth) context.make_auth = [](const Settings& s) { return make_registry_auth(s); };
    return run_once(settings, context);
  }

  void declare(const std::string& json) { write_text(lab.confdir + "/web.json", json); }
  /// A first run, then web declared on app:v2 and a second run: a replacement to observe.
  void run_then_update() {
    run();
    declare(spec_json("web", "app:v2"));
    run();
  }
  std::string web_image() const {
    auto* web = engine.container("web");
    return web ? web->image_id : "none";
  }
};

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ",") + w;
  return out;
}

std::string declared_names(Settings settings) {
  auto load = load_desired_state(settings);
  std::vector<std::string> names;
  for (const auto& spec : load.state.specs) names.push_back(spec.name);
  std::sort(names.begin(), names.end());
  return join(names);
}

/// Whether something accepts TCP connections on 127.0.0.1:port.
bool listening(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return connected;
}

/// One server loop run: the loader looks at the metrics port, then stops the loop.
std::string metrics_seen_by_server(Lab& lab, const Settings& settings, int port) {
  Runs runs(lab, settings);
  Settings server_settings = settings;
  server_settings.server = true;
  bool answered = false;
  RunContext context{.engine = runs.engine,
                     .load_desired =
                         [&](Settings& run_settings) {
                           answered = listening(port);
                           std::raise(SIGTERM);  // one run, then the loop ends
                           return load_desired_state(run_settings).state;
                         },
                     .hooks = {.sleep = [](int) {}}};
  Signals signals;
  CHECK(serve(CommandLine{}, server_settings, context, signals) == 0);
  return answered ? "metrics answer" : "no metrics";
}

/// Keys etc/dockerup.conf documents that no code reads yet. Listed here so a gap is printed on
/// every run instead of hidden.
const std::set<std::string> kNotActingYet = {};

/// The X-Registry-Auth JSON the first registry call for app:v1 (Docker Hub) carried, with
/// `fill` applied first (so a key that only acts with another one can be observed).
std::string hub_auth_sent(Lab& lab, Settings settings,
                          const std::function<void(Settings&)>& fill = {}) {
  if (fill) fill(settings);
  settings.pull = true;
  Runs runs(lab, settings);
  runs.with_auth = true;
  runs.run();
  for (const auto& [call, header] : runs.engine.auth_headers())
    if (call.ends_with(" app:v1")) return header.empty() ? "anonymous" : base64_decode(header).value_or("?");
  return "no registry call";
}
const std::string kHub = R"("serveraddress":"https://index.docker.io/v1/")";

/// A fleet document server for FleetSources: serves `body` for any URL and records what was
/// asked. Fleet sources run with a fixed clock, fixed AWS environment and host name "host-a"
/// (slot 66 of a 100 s stagger window: see src/fleet/stagger_test.cpp).
struct FleetServer : fleet::FleetHttp {
  std::string body = R"({"containers": [{"name": "fl", "image": "app:v1"}]})";
  std::vector<std::string> urls;
  fleet::FleetReply get(const fleet::FleetRequest& request) override {
    urls.push_back(request.url);
    return {200, body, "\"" + std::to_string(std::hash<std::string>{}(body)) + "\"", ""};
  }
};

struct Fleet {
  FleetServer* server = nullptr;
  std::unique_ptr<FleetSources> sources;
  Fleet() {
    auto http = std::make_unique<FleetServer>();
    server = http.get();
    fleet::Dependencies deps{
        .http = std::move(http),
        .clock = [] { return std::chrono::system_clock::from_time_t(1800000000); },
        .getenv = [](const char* name) -> const char* {
          std::string_view wanted(name);
          if (wanted == "AWS_ACCESS_KEY_ID") return "AKIDEXAMPLE";
          if (wanted == "AWS_SECRET_ACCESS_KEY") return "secret";
          if (wanted == "AWS_REGION") return "eu-west-1";
          return nullptr;
        },
        .make_imds = [](const Settings&) {  // nobody answers: the environment has all it needs
          ImdsOptions options;
          options.endpoint = "http://127.0.0.1:9";
          options.attempts = 1;
          return std::make_unique<ImdsClient>(options);
        },
        .hostname = [] { return std::string("host-a"); }};
    sources = std::make_unique<FleetSources>(std::move(deps));
  }
  /// The fleet containers' "name=image" after one load through load_desired_state.
  std::string load(Settings settings) {
    auto load = load_desired_state(settings, sources->as_source());
    std::vector<std::string> found;
    for (const auto& spec : load.state.specs)
      if (spec.name == "fl") found.push_back(spec.name + "=" + spec.image);
    return found.empty() ? "no fleet container" : join(found);
  }
};

const std::string kFleetUrl = "https://config.example.com/fleet.json";

/// The endpoint command_run would use for tcp://127.0.0.1:2376 with these tls_* keys, or the
/// error it would stop at (without "Docker remote ...: ").
std::string tls_endpoint(Settings settings) {
  settings.remote = "tcp://127.0.0.1:2376";
  try {
    DockerEndpoint endpoint = docker_endpoint(settings);
    return endpoint.base_url + (endpoint.tls.ca.empty() ? "" : " ca=" + endpoint.tls.ca);
  } catch (const Failure& failure) {
    std::string message = failure.what();
    return message.substr(message.find("\": ") + 3);
  }
}

struct Row {
  std::string key;
  std::string value;  ///< not the default
  std::function<std::string(const Settings&)> observe;
  std::string with_base;  ///< what observe says with the base settings
  std::string with_key;   ///< ... and with key=value applied
};

std::vector<Row> rows(Lab& lab, int metrics_port) {
  std::string elsewhere = lab.root / "elsewhere";
  return {
      {"confdir", elsewhere,
       [&lab, elsewhere](const Settings& s) {
         lab.reset();
         fs::create_directories(elsewhere);
         write_text(elsewhere + "/other.json", spec_json("other", "app:v1"));
         return declared_names(s);
       },
       "web", "other"},
      {"remote", "tcp://127.0.0.1:2375",
       [](const Settings& s) { return parse_docker_remote(s.remote).base_url; },
       "http://localhost", "http://127.0.0.1:2375"},
      // TLS on a tcp:// remote; the files only need to be readable here (no handshake).
      {"tls_ca", lab.pem("ca.pem"), [](const Settings& s) { return tls_endpoint(s); },
       "http://127.0.0.1:2376", "https://127.0.0.1:2376 ca=" + lab.pem("ca.pem")},
      {"tls_cert", lab.pem("cert.pem"), [](const Settings& s) { return tls_endpoint(s); },
       "http://127.0.0.1:2376",
       "a client certificate needs both tls_cert and tls_key (got only tls_cert " +
           lab.pem("cert.pem") + ")"},
      {"tls_key", lab.pem("key.pem"), [](const Settings& s) { return tls_endpoint(s); },
       "http://127.0.0.1:2376",
       "a client certificate needs both tls_cert and tls_key (got only tls_key " +
           lab.pem("key.pem") + ")"},
      {"interval", "7",
       [&lab](const Settings& s) { return std::to_string(Runs(lab, s).run().interval); }, "60", "7"},
      {"aws", "true",
       [&lab](const Settings& s) {
         lab.reset();
         return declared_names(s);
       },
       "web", "ud,web"},
      {"aws_endpoint", lab.imds_v1_only->endpoint(),
       [&lab](const Settings& s) {
         lab.reset();  // no last-known-good user-data from another observation
         Settings with_aws = s;
         with_aws.aws = true;
         return declared_names(with_aws);  // each metadata service declares its own container
       },
       "ud,web", "ud1,web"},
      {"aws_imdsv1", "false",
       [&lab](const Settings& s) {
         lab.reset();  // no last-known-good user-data to stand in for a refused fetch
         Settings with_aws = s;
         with_aws.aws = true;
         with_aws.aws_endpoint = lab.imds_v1_only->endpoint();  // a service without tokens
         return declared_names(with_aws);
       },
       "ud1,web", "web"},
      {"strict_modes", "false",
       [&lab](const Settings& s) {
         lab.reset();  // no last-known-good copy of loose.json from another observation
         std::string loose = lab.confdir + "/loose.json";
         write_text(loose, spec_json("loose", "app:v1"));
         fs::permissions(loose, fs::perms::group_write, fs::perm_options::add);
         std::string names = declared_names(s);
         fs::remove(loose);
         return names;
       },
       "web", "loose,web"},
      {"pull", "false",
       [&lab](const Settings& s) {
         Runs runs(lab, s);
         runs.engine.add_registry_image("app:v1", kV1b);  // the tag moved
         runs.run();
         return runs.web_image();
       },
       kV1b, kV1},
      {"cache", lab.root / "cache2",
       [&lab](const Settings& s) {
         fs::remove_all(lab.root / "cache2");
         Runs(lab, s).run();
         return std::string(fs::exists(lab.cache + "/status.json") ? "cache" : "") +
                (fs::exists(lab.root / "cache2/status.json") ? "cache2" : "");
       },
       "cache", "cache2"},
      {"exclusive", "true",
       [&lab](const Settings& s) {
         Runs runs(lab, s);
         ContainerSummary stray;
         stray.name = "stray";
         stray.image = "app:v1";
         stray.state = "running";
         runs.engine.add_container(stray);
         runs.run();
         return runs.engine.container("stray") ? "stray kept" : "stray removed";
       },
       "stray kept", "stray removed"},
      {"stop_timeout", "3",
       [&lab](const Settings& s) {
         Runs runs(lab, s);
         runs.run_then_update();
         return std::to_string(runs.engine.last_stop_timeout());
       },
       "10", "3"},
      {"start_wait", "5",
       [&lab](const Settings& s) {
         Runs runs(lab, s);
         runs.run();
         return std::to_string(runs.sleeps.at(0));
       },
       "2", "5"},
      {"rolling_wait", "4",
       [&lab](const Settings& s) {
         Runs runs(lab, s);
         runs.declare(spec_json("web", "app:v1", true));
         runs.run();
         runs.sleeps.clear();
         runs.declare(spec_json("web", "app:v2", true));
         runs.run();
         return std::to_string(runs.sleeps.at(0));
       },
       "10", "4"},
      {"health_timeout", "3",
       [&lab](const Settings& s) {
         Runs runs(lab, s);
         runs.engine.health_of("app:v2", "starting");  // never healthy
         runs.declare(spec_json("web", "app:v1", true));
         runs.run();
         runs.declare(spec_json("web", "app:v2", true));
         auto result = runs.run();
         std::smatch match;
         for (const auto& error : result.errors)
           if (std::regex_search(error.message, match, std::regex("not healthy after [0-9]+ s")))
             return match.str();
         return std::string("no timeout");
       },
       "not healthy after 120 s", "not healthy after 3 s"},
      // Two independent creates: their starts are under way together, or one after the other
      // (the first then waits out the meeting's 5 s bound alone).
      {"parallel", "1",
       [&lab](const Settings& s) {
         Runs runs(lab, s);
         runs.declare(spec_json("web", "app:v1"));
         write_text(lab.confdir + "/api.json", spec_json("api", "app:v1"));
         runs.engine.meet_on("start ", 2, std::chrono::seconds(5));
         runs.run();
         return std::string(runs.engine.meetings_met() ? "starts together" : "one at a time");
       },
       "starts together", "one at a time"},
      {"crashloop_restarts", "1",
       [&lab](const Settings& s) {
         Runs runs(lab, s);
         runs.history = std::make_unique<History>(s.cache_dir);
         runs.run_then_update();  // replaced: the history knows v1 as the previous image
         runs.engine.crash_loops("app:v2", 2);  // from now on it has restarted twice
         runs.run();
         return runs.web_image();
       },
       kV2, kV1},
      {"gc", "off",
       [&lab](const Settings& s) {
         Runs runs(lab, s);
         runs.run_then_update();
         auto images = runs.engine.list_images();
         bool kept = std::any_of(images.begin(), images.end(),
                                 [](const auto& i) { return i.id == kV1; });
         return kept ? "old image kept" : "old image removed";
       },
       "old image removed", "old image kept"},
      {"gc_keep_volumes", "true",
       [&lab](const Settings& s) {
         Runs runs(lab, s);
         runs.run_then_update();
         auto calls = runs.engine.calls();
         bool with_volumes = std::any_of(calls.begin(), calls.end(), [](const auto& call) {
           return call.starts_with("remove ") && call.ends_with(" +volumes");
         });
         return with_volumes ? "volumes removed" : "volumes kept";
       },
       "volumes removed", "volumes kept"},
      {"source_url", kFleetUrl,
       [&lab](const Settings& s) {
         lab.reset();  // no fleet documents left in the cache by another observation
         return Fleet().load(s);
       },
       "no fleet container", "fl=app:v1"},
      {"stagger", "100",
       [&lab](const Settings& s) {
         lab.reset();
         Settings with_url = s;
         with_url.source_urls = {kFleetUrl};
         Fleet fleet;
         fleet.load(with_url);
         fleet.server->body = R"({"containers": [{"name": "fl", "image": "app:v2"}]})";
         return fleet.load(with_url);  // the change waits for this host's slot, or not
       },
       "fl=app:v2", "fl=app:v1"},
      {"s3_endpoint", "http://127.0.0.1:9000",
       [&lab](const Settings& s) {
         lab.reset();
         Settings with_url = s;
         with_url.source_urls = {"s3://fleet-bucket/web.json"};
         Fleet fleet;
         fleet.load(with_url);
         return fleet.server->urls.empty() ? std::string("no request") : fleet.server->urls[0];
       },
       "https://fleet-bucket.s3.eu-west-1.amazonaws.com/web.json",
       "http://127.0.0.1:9000/fleet-bucket/web.json"},
      {"log_format", "json",
       [](const Settings& s) {
         apply_log_settings(s);
         std::string format = Logger::instance().json() ? "json" : "text";
         Logger::instance().set_json(false);
         return format;
       },
       "text", "json"},
      {"username", "ann",
       [&lab](const Settings& s) { return hub_auth_sent(lab, s); },
       "anonymous", R"({"username":"ann","password":"",)" + kHub + "}"},
      {"password", "pw",
       [&lab](const Settings& s) {
         return hub_auth_sent(lab, s, [](Settings& t) { t.registry_username = "ann"; });
       },
       R"({"username":"ann","password":"",)" + kHub + "}",
       R"({"username":"ann","password":"pw",)" + kHub + "}"},
      {"email", "ann@example.com",
       [&lab](const Settings& s) {
         return hub_auth_sent(lab, s, [](Settings& t) { t.registry_username = "ann"; });
       },
       R"({"username":"ann","password":"",)" + kHub + "}",
       R"({"username":"ann","password":"","email":"ann@example.com",)" + kHub + "}"},
      {"registry", "reg.example:5000",
       [&lab](const Settings& s) {
         return hub_auth_sent(lab, s, [](Settings& t) { t.registry_username = "ann"; });
       },
       R"({"username":"ann","password":"",)" + kHub + "}", "anonymous"},
      {"docker_config", lab.root / "client",
       [&lab](const Settings& s) {
         fs::create_directories(lab.root / "client");
         write_text(lab.root / "client/config.json",
                    R"({"auths": {"docker.io": {"auth": ")" + base64_encode("bob:pw") + R"("}}})");
         return hub_auth_sent(lab, s);
       },
       "anonymous", R"({"username":"bob","password":"pw",)" + kHub + "}"},
      {"metrics_listen", "127.0.0.1:" + std::to_string(metrics_port),
       [&lab, metrics_port](const Settings& s) {
         return metrics_seen_by_server(lab, s, metrics_port);
       },
       "no metrics", "metrics answer"},
  };
}

/// A 127.0.0.1 port that was free a moment ago.
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

}  // namespace

TEST_CASE("every key of etc/dockerup.conf, set to another value, changes what dockerup does") {
  Lab lab;
  std::vector<Row> table = rows(lab, free_port());
  std::set<std::string> with_row;
  for (const auto& row : table) with_row.insert(row.key);

  auto keys = documented_keys();
  CHECK(keys.size() >= 20);  // the file was found and read
  for (const auto& key : keys) {
    INFO("key ", key, " of etc/dockerup.conf");
    if (kNotActingYet.count(key)) {
      MESSAGE("documented but not acting yet (registry login is being wired): ", key);
      CHECK_FALSE(with_row.count(key));  // once it has a row, take it off kNotActingYet
      continue;
    }
    CHECK_MESSAGE(with_row.count(key), "no row observes it: add one to settings_act_test.cpp");
  }
  for (const auto& key : kNotActingYet)
    CHECK_MESSAGE(std::find(keys.begin(), keys.end(), key) != keys.end(), key, " is not documented");

  for (const auto& row : table) {
    INFO("row ", row.key, "=", row.value);
    CHECK(std::find(keys.begin(), keys.end(), row.key) != keys.end());  // documented
    Settings changed = lab.base;
    ConfigLoad load = parse_config_text(row.key + "=" + row.value + "\n", "test.conf", changed);
    REQUIRE(load.errors.empty());
    REQUIRE(load.warnings.empty());
    std::string before = row.observe(lab.base);
    std::string after = row.observe(changed);
    CHECK(before == row.with_base);
    CHECK(after == row.with_key);
    CHECK(before != after);
  }
}

}  // namespace dockerup
