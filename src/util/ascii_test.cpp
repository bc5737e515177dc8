#include "dockerup/ascii.hpp"

#include <doctest/doctest.h>

using dockerup::ascii_lower;

TEST_CASE("ascii_lower: A-Z only; other bytes, UTF-8 included, stay as they are") {
  CHECK(ascii_lower("Interval") == "interval");
  CHECK(ascii_lower("ETag: \"AbC\"") == "etag: \"abc\"");
  CHECK(ascii_lower("@[`{09") == "@[`{09");  // the neighbours of A-Z and a-z
  CHECK(ascii_lower("\xC3\x84Z") == "\xC3\x84z");  // "ÄZ": only the Z changes
  CHECK(ascii_lower(std::string("A\0B", 3)) == std::string("a\0b", 3));
}
