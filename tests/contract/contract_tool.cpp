// The C++ half of the contract tests (check_contract.py is the other): prints the request bodies
// dockerup builds and what it reads from Docker's answers, as JSON, so the Python half can check
// them against the official Engine API specifications of each version.
//   contract_tool create-bodies FILE...   POST /containers/create body of each container file
//   contract_tool registry-auth USER PASSWORD EMAIL SERVER TOKEN   the X-Registry-Auth value
//   contract_tool parse KIND < ANSWER     what dockerup reads from an answer; KIND is one of
//                                         containers, inspect, images, distribution, version,
//                                         created, pull-stream, error
// A parse that fails prints {"parse_failure": "..."}: the Python side decides whether it should have.
#include "api_version.hpp"
#include "create_body.hpp"
#include "docker_json.hpp"
#include "dockerup/docker_engine.hpp"
#include "dockerup/http_client.hpp"
#include "dockerup/labels.hpp"
#include "dockerup/spec_parser.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace {

using namespace dockerup;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void put(Writer& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}
void put(Writer& w, const char* key, std::int64_t value) {
  w.Key(key);
  w.Int64(value);
}
void put(Writer& w, const char* key, bool value) {
  w.Key(key);
  w.Bool(value);
}
void put(Writer& w, const char* key, const std::vector<std::string>& values) {
  w.Key(key);
  w.StartArray();
  for (const auto& value : values) w.String(value.c_str());
  w.EndArray();
}
void put(Writer& w, const char* key, const Labels& labels) {
  w.Key(key);
  w.StartObject();
  for (const auto& [name, value] : labels) {
    w.Key(name.c_str());
    w.String(value.c_str());
  }
  w.EndObject();
}

/// Writes one JSON object from alternating keys and values: the Python half compares field
/// by field, so each struct below lists exactly what dockerup reads.
void put_fields(Writer&) {}
template <typename Value, typename... Rest>
void put_fields(Writer& w, const char* key, const Value& value, const Rest&... rest) {
  put(w, key, value);
  put_fields(w, rest...);
}
template <typename... Fields>
void put_object(Writer& w, const Fields&... fields) {
  w.StartObject();
  put_fields(w, fields...);
  w.EndObject();
}

void write_summary(Writer& w, const ContainerSummary& c) {
  put_object(w, "id", c.id, "name", c.name, "image", c.image, "image_id", c.image_id,
             "labels", c.labels, "state", c.state, "status", c.status,
             "exit_code", std::int64_t{c.exit_code}, "created", c.created, "uses", c.uses);
}

void write_details(Writer& w, const ContainerDetails& d) {
  put_object(w, "id", d.id, "name", d.name, "image_id", d.image_id, "running", d.running,
             "restarting", d.restarting, "exit_code", std::int64_t{d.exit_code},
             "restart_count", std::int64_t{d.restart_count}, "health", d.health,
             "started_at", d.started_at, "error", d.error, "labels", d.labels,
             "anonymous_volumes", d.anonymous_volumes);
}

void write_image(Writer& w, const ImageSummary& image) {
  put_object(w, "id", image.id, "tags", image.tags, "digests", image.digests, "size", image.size,
             "created", image.created, "labels", image.labels);
}

void write_version(Writer& w, const DaemonVersion& v) {
  w.StartObject();
  put_fields(w, "version", v.version, "api_version", v.api_version, "min_api_version",
             v.min_api_version, "podman", v.podman);
  try {
    put(w, "negotiated", negotiate_api_version(v, "contract"));
  } catch (const std::exception& e) {
    put(w, "refused", std::string(e.what()));
  }
  w.EndObject();
}

void parse(const std::string& kind, const std::string& answer, Writer& w) {
  if (kind == "containers") {
    w.StartArray();
    for (const auto& c : parse_container_list(answer)) write_summary(w, c);
    w.EndArray();
  } else if (kind == "inspect") {
    write_details(w, parse_container_inspect(answer));
  } else if (kind == "images") {
    w.StartArray();
    for (const auto& image : parse_image_list(answer)) write_image(w, image);
    w.EndArray();
  } else if (kind == "distribution") {
    put_object(w, "digest", parse_distribution_digest(answer).value_or(""));
  } else if (kind == "version") {
    write_version(w, parse_daemon_version(answer));
  } else if (kind == "created") {
    put_object(w, "id", parse_created_id(answer));
  } else if (kind == "error") {
    put_object(w, "message", error_message_from_body(answer));
  } else if (kind == "pull-stream") {
    PullStreamChecker checker;
    checker.feed(answer);
    checker.finish();
    put_object(w, "stream_error", checker.error().value_or(""));
  } else {
    throw std::invalid_argument("unknown kind " + kind);
  }
}

int parse_command(const std::string& kind) {
  std::string answer((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  try {
    parse(kind, answer, w);
  } catch (const std::invalid_argument& e) {
    std::cerr << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    rapidjson::StringBuffer error_buffer;
    Writer error_writer(error_buffer);
    put_object(error_writer, "parse_failure", std::string(e.what()));
    std::cout << error_buffer.GetString() << "\n";
    return 0;
  }
  std::cout << buffer.GetString() << "\n";
  return 0;
}

/// One line per file: {"source": FILE, "body": {...}} or {"source": FILE, "errors": [...]}.
int create_bodies(int argc, char** argv) {
  for (int i = 2; i < argc; ++i) {
    std::ifstream in(argv[i]);
    std::stringstream text;
    text << in.rdbuf();
    SpecParse parsed = parse_spec_text(text.str(), argv[i], "example");
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    put(w, "source", std::string(argv[i]));
    if (parsed.spec) {
      CreateRequest request{parsed.spec->name, *parsed.spec,
                            {{std::string(labels::managed), "true"},
                             {std::string(labels::name), parsed.spec->name}}};
      std::string body = make_create_body(request);
      w.Key("body");
      w.RawValue(body.c_str(), body.size(), rapidjson::kObjectType);
    } else {
      std::vector<std::string> errors;
      for (const auto& error : parsed.errors) errors.push_back(error.str());
      put(w, "errors", errors);
    }
    w.EndObject();
    std::cout << buffer.GetString() << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string command = argc > 1 ? argv[1] : "";
  if (command == "create-bodies") return create_bodies(argc, argv);
  if (command == "parse" && argc == 3) return parse_command(argv[2]);
  if (command == "registry-auth" && argc == 7) {
    RegistryAuth auth;
    auth.username = argv[2];
    auth.password = argv[3];
    auth.email = argv[4];
    auth.server_address = argv[5];
    auth.identity_token = argv[6];
    std::cout << x_registry_auth(auth) << "\n";
    return 0;
  }
  std::cerr << "usage: contract_tool create-bodies FILE... | parse KIND < ANSWER | "
               "registry-auth USER PASSWORD EMAIL SERVER TOKEN\n";
  return 2;
}
