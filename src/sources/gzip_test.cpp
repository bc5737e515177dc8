#include "gzip.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

using namespace dockerup;

TEST_CASE("gzip: recognised by its magic bytes and inflated") {
  std::string text(50000, 'x');
  text += "end";
  std::string packed = testing::gzip_compress(text);
  CHECK(is_gzip(packed));
  CHECK_FALSE(is_gzip(text));
  CHECK_FALSE(is_gzip("\x1f"));
  std::string error;
  CHECK(gunzip(packed, error) == text);
}

TEST_CASE("gzip: truncated, corrupt and oversized data are errors") {
  std::string packed = testing::gzip_compress(std::string(100000, 'a'));
  std::string error;
  CHECK_FALSE(gunzip(packed.substr(0, packed.size() / 2), error).has_value());
  CHECK(error == "truncated gzip data");

  std::string corrupt = packed;
  corrupt[12] = static_cast<char>(corrupt[12] ^ 0x55);
  corrupt[13] = static_cast<char>(corrupt[13] ^ 0x55);
  error.clear();
  CHECK_FALSE(gunzip(corrupt, error).has_value());
  CHECK_FALSE(error.empty());

  error.clear();
  CHECK_FALSE(gunzip(packed, error, 1000).has_value());
  CHECK(error.find("beyond 1000 bytes") != std::string::npos);
}
