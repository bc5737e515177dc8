#include "dockerup/spec.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

using namespace dockerup;

namespace {

ContainerSpec web() {
  ContainerSpec spec;
  spec.source = "/etc/dockerup/containers.d/web.json";
  spec.name = "web";
  spec.image = "localhost:5000/web:v1";
  spec.memory_bytes = 512 * 1024 * 1024;
  spec.command = std::vector<std::string>{"nginx", "-g", "daemon off;"};
  spec.volumes.push_back({VolumeSpec::Kind::Bind, "/srv/www", "/usr/share/nginx/html", true, ""});
  spec.ports.push_back({80, 8080, "tcp", ""});
  spec.env = {{"MODE", "production"}, {"A", "1"}};
  return spec;
}

}  // namespace

TEST_CASE("canonical_json: fixed key order and only non-default fields") {
  CHECK(canonical_json(web()) ==
        R"({"name":"web","image":"localhost:5000/web:v1","memory":536870912,)"
        R"("command":["nginx","-g","daemon off;"],)"
        R"("volumes":[{"hostPath":"/srv/www","containerPath":"/usr/share/nginx/html","mode":"ro"}],)"
        R"("portMappings":[{"containerPort":80,"hostPort":8080,"protocol":"tcp"}],)"
        R"("env":{"A":"1","MODE":"production"},"restart":"on-failure"})");
  ContainerSpec minimal;
  minimal.name = "a";
  minimal.image = "busybox";
  CHECK(canonical_json(minimal) == R"({"name":"a","image":"busybox","restart":"on-failure"})");
}

TEST_CASE("canonical_json: an empty command differs from no command") {
  ContainerSpec absent = web();
  absent.command.reset();
  ContainerSpec empty = web();
  empty.command = std::vector<std::string>{};
  CHECK(canonical_json(absent) != canonical_json(empty));
}

TEST_CASE("spec_hash: 16 hex digits, same spec gives the same hash") {
  std::string hash = spec_hash(web());
  CHECK(hash.size() == 16);
  CHECK(hash.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(spec_hash(web()) == hash);
  ContainerSpec copy = web();
  CHECK(spec_hash(copy) == hash);
}

TEST_CASE("spec_hash: FNV-1a of the canonical text (known value)") {
  // Recomputed here from the canonical text, independently of spec.cpp's loop.
  ContainerSpec minimal;
  minimal.name = "a";
  minimal.image = "busybox";
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : std::string(R"({"name":"a","image":"busybox","restart":"on-failure"})")) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  CHECK(spec_hash(minimal) == fmt::format("{:016x}", hash));
}

TEST_CASE("spec_hash: changes that shape the container change the hash") {
  const std::string before = spec_hash(web());
  auto changed = [&](auto change) {
    ContainerSpec spec = web();
    change(spec);
    return spec_hash(spec) != before;
  };
  CHECK(changed([](ContainerSpec& s) { s.env["MODE"] = "staging"; }));
  CHECK(changed([](ContainerSpec& s) { s.env["NEW"] = ""; }));
  CHECK(changed([](ContainerSpec& s) { s.ports[0].host_port = 8081; }));
  CHECK(changed([](ContainerSpec& s) { s.ports[0].host_port.reset(); }));
  CHECK(changed([](ContainerSpec& s) { s.ports[0].protocol = "udp"; }));
  CHECK(changed([](ContainerSpec& s) { s.ports[0].host_ip = "127.0.0.1"; }));
  CHECK(changed([](ContainerSpec& s) { s.volumes[0].read_only = false; }));
  CHECK(changed([](ContainerSpec& s) { s.volumes[0].host_path = "/srv/other"; }));
  CHECK(changed([](ContainerSpec& s) { s.volumes[0].kind = VolumeSpec::Kind::Anonymous; }));
  CHECK(changed([](ContainerSpec& s) { s.image = "localhost:5000/web:v2"; }));
  CHECK(changed([](ContainerSpec& s) { s.name = "web2"; }));
  CHECK(changed([](ContainerSpec& s) { s.cpu_shares = 512; }));
  CHECK(changed([](ContainerSpec& s) { s.memory_bytes = 1; }));
  CHECK(changed([](ContainerSpec& s) { s.entrypoint = std::vector<std::string>{"/bin/sh"}; }));
  CHECK(changed([](ContainerSpec& s) { s.command->push_back("-q"); }));
  CHECK(changed([](ContainerSpec& s) { s.privileged = true; }));
  CHECK(changed([](ContainerSpec& s) { s.network = "host"; }));
  CHECK(changed([](ContainerSpec& s) { s.restart = "always"; }));
  CHECK(changed([](ContainerSpec& s) { s.links["db"] = "db"; }));
  CHECK(changed([](ContainerSpec& s) { s.stop_signal = "SIGINT"; }));
  CHECK(changed([](ContainerSpec& s) { s.labels["team"] = "a"; }));
}

TEST_CASE("spec_hash: update policy and source do not change the hash") {
  const std::string before = spec_hash(web());
  ContainerSpec spec = web();
  spec.update.eager = true;
  spec.update.pull = false;
  spec.update.rolling = true;
  spec.source = "user-data";
  CHECK(spec_hash(spec) == before);
  CHECK(canonical_json(spec) == canonical_json(web()));
}

TEST_CASE("spec_hash: env insertion order does not matter") {
  ContainerSpec a = web(), b = web();
  a.env = {};
  a.env["X"] = "1";
  a.env["Y"] = "2";
  b.env = {};
  b.env["Y"] = "2";
  b.env["X"] = "1";
  CHECK(spec_hash(a) == spec_hash(b));
}

TEST_CASE("dependencies: volumes from, links and network container:X, once each") {
  ContainerSpec spec = web();
  CHECK(dependencies(spec).empty());
  spec.volumes.push_back({VolumeSpec::Kind::From, "", "", false, "data"});
  spec.links = {{"db", "database"}, {"cache", "cache"}};
  spec.network = "container:vpn";
  spec.volumes.push_back({VolumeSpec::Kind::From, "", "", false, "db"});
  CHECK(dependencies(spec) == std::vector<std::string>{"data", "db", "cache", "vpn"});
}

TEST_CASE("dependencies: a named network is not a container") {
  ContainerSpec spec = web();
  spec.network = "backend";
  CHECK(dependencies(spec).empty());
}
