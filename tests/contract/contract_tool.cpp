// The C++ half of the contract tests (check_contract.py is the other): prints the request bodies
// dockerup builds and what it reads from Docker's answers, as JSON, so the Python half can check
// them against the official Engine API specifications of each version.
//   contract_tool create-bodies FILE...   POST /containers/create body of each container file
//   contract_tool registry-auth USER PASSWORD EMAIL SERVER TOKEN   the X-Registry-Auth value
//   contract_tool parse KIND < ANSWER     what dockerup reads from an answer; KIND is one of
//                                         containers, inspect, images, distribution, version,
//                                         created, pull-stream
// A parse that fails prints {"parse_failure": "..."}: the Python side decides whether it should have.
#include "api_version.hpp"
#include "create_body.hpp"
#include "docker_json.hpp"
#include "dockerup/docker_engine.hpp"
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

void write_summary(Writer& w, const ContainerSummary& c) {
  w.StartObject();
  put(w, "id", c.id);
  put(w, "name", c.name);
  put(w, "image", c.image);
  put(w, "image_id", c.image_id);
  put(w, "labels", c.labels);
  put(w, "state", c.state);
  put(w, "status", c.status);
  put(w, "exit_code", std::int64_t{c.exit_code});
  put(w, "created", c.created);
  w.EndObject();
}

void write_details(Writer& w, const ContainerDetails& d) {
  w.StartObject();
  put(w, "id", d.id);
  put(w, "name", d.name);
  put(w, "image_id", d.image_id);
  put(w, "running", d.running);
  put(w, "restarting", d.restarting);
  put(w, "exit_code", std::int64_t{d.exit_code});
  put(w, "restart_count", std::int64_t{d.restart_count});
  put(w, "health", d.health);
  put(w, "started_at", d.started_at);
  put(w, "error", d.error);
  put(w, "labels", d.labels);
  put(w, "anonymous_volumes", d.anonymous_volumes);
  w.EndObject();
}

void write_image(Writer& w, const ImageSummary& image) {
  w.StartObject();
  put(w, "id", image.id);
  put(w, "tags", image.tags);
  put(w, "digests", image.digests);
  put(w, "size", image.size);
  put(w, "created", image.created);
  put(w, "labels", image.labels);
  w.EndObject();
}

void write_version(Writer& w, const DaemonVersion& v) {
  w.StartObject();
  put(w, "version", v.version);
  put(w, "api_version", v.api_version);
  put(w, "min_api_version", v.min_api_version);
  put(w, "podman", v.podman);
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
    w.StartObject();
    put(w, "digest", parse_distribution_digest(answer).value_or(""));
    w.EndObject();
  } else if (kind == "version") {
    write_version(w, parse_daemon_version(answer));
  } else if (kind == "created") {
    w.StartObject();
    put(w, "id", parse_created_id(answer));
    w.EndObject();
  } else if (kind == "pull-stream") {
    PullStreamChecker checker;
    checker.feed(answer);
    checker.finish();
    w.StartObject();
    put(w, "stream_error", checker.error().value_or(""));
    w.EndObject();
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
    error_writer.StartObject();
    put(error_writer, "parse_failure", std::string(e.what()));
    error_writer.EndObject();
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
