#include "fleet_url.hpp"

#include <doctest/doctest.h>

using namespace dockerup::fleet;

namespace {

std::string refusal(const std::string& text) {
  std::string error;
  CHECK_FALSE(parse_fleet_url(text, error).has_value());
  return error;
}

}  // namespace

TEST_CASE("fleet URLs: https anywhere, http only on loopback, s3://BUCKET/KEY") {
  std::string error;
  auto https = parse_fleet_url("https://config.example.com/fleet.json", error);
  REQUIRE(https);
  CHECK(https->scheme == FleetUrl::Scheme::Https);
  for (const char* loopback : {"http://127.0.0.1:8080/x.json", "http://localhost/x",
                               "http://[::1]:80/x", "http://127.1.2.3/x"})
    CHECK_MESSAGE(parse_fleet_url(loopback, error).has_value(), loopback);
  CHECK(refusal("http://10.0.0.1/fleet.json").find("only accepted for loopback") !=
        std::string::npos);
  CHECK(refusal("http://localhost.evil.com/x").find("loopback") != std::string::npos);
  auto s3 = parse_fleet_url("s3://my-bucket/fleets/web.json", error);
  REQUIRE(s3);
  CHECK(s3->bucket == "my-bucket");
  CHECK(s3->key == "fleets/web.json");
  CHECK(refusal("s3://bucket-only").find("s3://BUCKET/KEY") != std::string::npos);
  CHECK(refusal("s3://bucket/").find("s3://BUCKET/KEY") != std::string::npos);
  CHECK(refusal("ftp://x/y").find("expected") != std::string::npos);
}

TEST_CASE("request URL: virtual-hosted S3, path-style with s3_endpoint, key encoded") {
  std::string error;
  auto s3 = parse_fleet_url("s3://b/dir/my file+1.json", error);
  REQUIRE(s3);
  CHECK(request_url(*s3, "eu-west-1", "") ==
        "https://b.s3.eu-west-1.amazonaws.com/dir/my%20file%2B1.json");
  CHECK(request_url(*s3, "eu-west-1", "http://127.0.0.1:9000/") ==
        "http://127.0.0.1:9000/b/dir/my%20file%2B1.json");
  auto https = parse_fleet_url("https://h/x.json", error);
  REQUIRE(https);
  CHECK(request_url(*https, "eu-west-1", "http://ignored") == "https://h/x.json");
}

TEST_CASE("s3_endpoint: https://, or http:// to loopback only") {
  CHECK_FALSE(s3_endpoint_problem("https://minio.example.com:9000"));
  CHECK_FALSE(s3_endpoint_problem("http://127.0.0.1:9000/"));
  CHECK_FALSE(s3_endpoint_problem("http://[::1]:9000"));
  CHECK(s3_endpoint_problem("http://minio.example.com:9000").value_or("").find("loopback") !=
        std::string::npos);
  CHECK(s3_endpoint_problem("https://").value_or("").find("no host") != std::string::npos);
  CHECK(s3_endpoint_problem("ftp://x").has_value());
}
