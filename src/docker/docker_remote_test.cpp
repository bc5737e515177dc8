#include "dockerup/docker_engine.hpp"

#include <doctest/doctest.h>

#include "temp_dir.hpp"

#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

using dockerup::DockerEndpoint;
using dockerup::Failure;
using dockerup::parse_docker_remote;
using dockerup::TlsFiles;
using dockerup::testing::TempDir;

namespace {

/// Sets or clears one environment variable for one test and puts the old value back.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr)
      setenv(name, value, 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_.c_str(), old_->c_str(), 1);
    else
      unsetenv(name_.c_str());
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

class ScopedDockerHost : public ScopedEnv {
 public:
  explicit ScopedDockerHost(const char* value) : ScopedEnv("DOCKER_HOST", value) {}
};

/// A DOCKER_CERT_PATH-like folder holding the named files (their content is not read here).
struct CertDir {
  TempDir dir;
  explicit CertDir(std::initializer_list<const char*> names) {
    for (const char* name : names) std::ofstream(dir / name) << "PEM\n";
  }
};

/// No TLS from the environment of whoever runs the tests.
struct CleanTlsEnv {
  ScopedEnv verify{"DOCKER_TLS_VERIFY", nullptr};
  ScopedEnv cert_path{"DOCKER_CERT_PATH", nullptr};
  ScopedEnv home{"HOME", "/nonexistent"};
};

}  // namespace

TEST_CASE("unix remotes, with three slashes or the original's two") {
  for (const char* remote : {"unix:///var/run/docker.sock", "unix://var/run/docker.sock"}) {
    CAPTURE(remote);
    DockerEndpoint endpoint = parse_docker_remote(remote);
    CHECK(endpoint.unix_socket == "/var/run/docker.sock");
    CHECK(endpoint.base_url == "http://localhost");
  }
  CHECK(parse_docker_remote("unix:///run/user/1000/docker.sock").unix_socket ==
        "/run/user/1000/docker.sock");
}

TEST_CASE("tcp and http remotes become http URLs") {
  DockerEndpoint tcp = parse_docker_remote("tcp://10.0.0.5:2375");
  CHECK(tcp.unix_socket == "");
  CHECK(tcp.base_url == "http://10.0.0.5:2375");
  CHECK(parse_docker_remote("tcp://docker.internal").base_url == "http://docker.internal:2375");
  CHECK(parse_docker_remote("tcp://127.0.0.1:2375/").base_url == "http://127.0.0.1:2375");
  CHECK(parse_docker_remote("http://127.0.0.1:2375").base_url == "http://127.0.0.1:2375");
  CHECK(parse_docker_remote("http://127.0.0.1:2375").unix_socket == "");
}

TEST_CASE("an empty remote means DOCKER_HOST, else the default socket") {
  {
    ScopedDockerHost host("tcp://127.0.0.1:12375");
    CHECK(parse_docker_remote("").base_url == "http://127.0.0.1:12375");
    CHECK(parse_docker_remote("unix:///x.sock").unix_socket == "/x.sock");  // explicit wins
  }
  {
    ScopedDockerHost host(nullptr);
    CHECK(parse_docker_remote("").unix_socket == "/var/run/docker.sock");
  }
  {
    ScopedDockerHost host("");
    CHECK(parse_docker_remote("").unix_socket == "/var/run/docker.sock");
  }
}

TEST_CASE("unusable remotes throw a Failure naming them") {
  for (const char* remote :
       {"ssh://user@host", "/var/run/docker.sock", "unix://", "tcp://", "http://",
        "npipe:////./pipe/docker_engine", "tcp://h:1/path"}) {
    CAPTURE(remote);
    try {
      parse_docker_remote(remote);
      FAIL("no failure");
    } catch (const Failure& failure) {
      CHECK(std::string(failure.what()).find(std::string("\"") + remote + "\"") !=
            std::string::npos);
    }
  }
}

TEST_CASE("TLS like the docker CLI: DOCKER_TLS_VERIFY turns tcp:// into https:// on 2376") {
  CleanTlsEnv clean;
  CertDir certs({"ca.pem", "cert.pem", "key.pem"});
  ScopedEnv verify("DOCKER_TLS_VERIFY", "1");
  ScopedEnv cert_path("DOCKER_CERT_PATH", certs.dir.path().c_str());
  DockerEndpoint endpoint = parse_docker_remote("tcp://docker.internal");
  CHECK(endpoint.base_url == "https://docker.internal:2376");
  CHECK(endpoint.tls == TlsFiles{.ca = certs.dir / "ca.pem", .cert = certs.dir / "cert.pem", .key = certs.dir / "key.pem"});
  CHECK(parse_docker_remote("tcp://10.0.0.5:2377").base_url == "https://10.0.0.5:2377");
  CHECK(parse_docker_remote("tcp://[::1]").base_url == "https://[::1]:2376");
  CHECK(parse_docker_remote("tcp://[::1]:3000").base_url == "https://[::1]:3000");
  // A Unix socket needs no TLS, whatever the environment says.
  CHECK(parse_docker_remote("unix:///var/run/docker.sock").tls == TlsFiles{});
}

TEST_CASE("without DOCKER_TLS_VERIFY or tls_* keys, tcp:// stays plain HTTP") {
  CleanTlsEnv clean;
  CertDir certs({"ca.pem", "cert.pem", "key.pem"});
  ScopedEnv cert_path("DOCKER_CERT_PATH", certs.dir.path().c_str());
  DockerEndpoint endpoint = parse_docker_remote("tcp://10.0.0.5:2375");
  CHECK(endpoint.base_url == "http://10.0.0.5:2375");
  CHECK(endpoint.tls == TlsFiles{});
}

TEST_CASE("https:// remotes use the CLI's files where they exist, else the system's CAs") {
  CleanTlsEnv clean;
  CHECK(parse_docker_remote("https://docker.example.com:2376").tls == TlsFiles{});
  CertDir only_ca({"ca.pem"});
  ScopedEnv cert_path("DOCKER_CERT_PATH", only_ca.dir.path().c_str());
  DockerEndpoint endpoint = parse_docker_remote("https://docker.example.com:2376/");
  CHECK(endpoint.base_url == "https://docker.example.com:2376");
  CHECK(endpoint.tls == TlsFiles{.ca = only_ca.dir / "ca.pem"});
}

TEST_CASE("DOCKER_CERT_PATH defaults to ~/.docker") {
  CleanTlsEnv clean;
  TempDir home;
  std::filesystem::create_directory(home / ".docker");
  std::ofstream(home / ".docker/ca.pem") << "PEM\n";
  ScopedEnv home_env("HOME", home.path().c_str());
  ScopedEnv verify("DOCKER_TLS_VERIFY", "1");
  CHECK(parse_docker_remote("tcp://h:1").tls.ca == home / ".docker/ca.pem");
}

TEST_CASE("tls_ca, tls_cert and tls_key win over DOCKER_CERT_PATH, each on its own") {
  CleanTlsEnv clean;
  CertDir env_certs({"ca.pem", "cert.pem", "key.pem"});
  CertDir conf_certs({"my-ca.pem"});
  ScopedEnv cert_path("DOCKER_CERT_PATH", env_certs.dir.path().c_str());
  TlsFiles configured{.ca = conf_certs.dir / "my-ca.pem"};
  // A tls_* key alone turns TLS on for tcp://, as DOCKER_TLS_VERIFY does.
  DockerEndpoint endpoint = parse_docker_remote("tcp://h:2376", configured);
  CHECK(endpoint.base_url == "https://h:2376");
  CHECK(endpoint.tls ==
        TlsFiles{.ca = conf_certs.dir / "my-ca.pem", .cert = env_certs.dir / "cert.pem",
                 .key = env_certs.dir / "key.pem"});
}

TEST_CASE("TLS mistakes are errors naming the remote, the key and the file") {
  CleanTlsEnv clean;
  CertDir certs({"ca.pem", "cert.pem"});
  CHECK_THROWS_WITH(parse_docker_remote("https://h:2376", {certs.dir / "missing.pem", "", ""}),
                    ("Docker remote \"https://h:2376\": tls_ca " + (certs.dir / "missing.pem") +
                     " cannot be read")
                        .c_str());
  CHECK_THROWS_WITH(parse_docker_remote("tcp://h:2376", {"", certs.dir / "cert.pem", ""}),
                    ("Docker remote \"tcp://h:2376\": a client certificate needs both tls_cert "
                     "and tls_key (got only tls_cert " + (certs.dir / "cert.pem") + ")")
                        .c_str());
  CHECK_THROWS_WITH(parse_docker_remote("unix:///var/run/docker.sock", {certs.dir / "ca.pem", "", ""}),
                    "Docker remote \"unix:///var/run/docker.sock\": tls_ca, tls_cert and tls_key "
                    "apply to tcp:// and https:// remotes only");
  CHECK_THROWS_WITH(parse_docker_remote("http://h:2375", {certs.dir / "ca.pem", "", ""}),
                    doctest::Contains("apply to tcp:// and https:// remotes only"));
}
