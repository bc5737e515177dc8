#include "dockerup/base64.hpp"

#include <doctest/doctest.h>

using namespace dockerup;

TEST_CASE("base64: RFC 4648 vectors, both alphabets, padding optional on input") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  CHECK(base64_encode("\xfb\xff") == "+/8=");
  CHECK(base64url_encode("\xfb\xff") == "-_8=");
  CHECK(base64_decode("Zm9vYmE=") == "fooba");
  CHECK(base64_decode("Zm9vYmE") == "fooba");
  CHECK(base64_decode("-_8=") == "\xfb\xff");
  CHECK(base64_decode(" dXNlcjpwYXNz\n") == "user:pass");
  CHECK_FALSE(base64_decode("Zm9v!"));
  CHECK_FALSE(base64_decode("Z"));
}
