#include "dockerup/units.hpp"

#include <doctest/doctest.h>

#include <limits>

using dockerup::parse_memory;
using dockerup::parse_port;
using dockerup::split_words;
using Words = std::vector<std::string>;

TEST_CASE("parse_memory: units are base 1024 and any case") {
  CHECK(parse_memory("100b") == 100);
  CHECK(parse_memory("100B") == 100);
  CHECK(parse_memory("512k") == 512 * 1024);
  CHECK(parse_memory("512K") == 512 * 1024);
  CHECK(parse_memory("512kb") == 512 * 1024);
  CHECK(parse_memory("2048m") == 2048LL * 1024 * 1024);
  CHECK(parse_memory("2048MB") == 2048LL * 1024 * 1024);
  CHECK(parse_memory("1g") == 1024LL * 1024 * 1024);
  CHECK(parse_memory("1G") == 1024LL * 1024 * 1024);
  CHECK(parse_memory("2t") == 2LL * 1024 * 1024 * 1024 * 1024);
}

TEST_CASE("parse_memory: plain digits are bytes") {
  CHECK(parse_memory("1048576") == 1048576);
  CHECK(parse_memory("0") == 0);
  CHECK(parse_memory("9223372036854775807") == std::numeric_limits<std::int64_t>::max());
}

TEST_CASE("parse_memory: rejects negatives, fractions, garbage and overflow") {
  for (const char* bad : {"", "-1", "-1g", "+1g", "1.5g", "12q", "g", "m", "1 g", " 1g", "1g ",
                          "1gg", "1bb", "1kbb", "0x10", "1e6", "one", "9223372036854775808",
                          "8589934592g", "99999999999999999999999"}) {
    INFO("input: ", bad);
    CHECK_FALSE(parse_memory(bad).has_value());
  }
}

TEST_CASE("parse_port: 1..65535 only") {
  CHECK(parse_port("1") == 1);
  CHECK(parse_port("8080") == 8080);
  CHECK(parse_port("65535") == 65535);
  CHECK(parse_port("080") == 80);
  for (const char* bad : {"", "0", "65536", "-1", "+80", "80 ", " 80", "80/tcp", "http",
                          "999999", "4294967377"}) {
    INFO("input: ", bad);
    CHECK_FALSE(parse_port(bad).has_value());
  }
}

TEST_CASE("split_words: whitespace runs separate words") {
  CHECK(split_words("/usr/bin/nginx") == Words{"/usr/bin/nginx"});
  CHECK(split_words("  a \t b\n c  ") == Words{"a", "b", "c"});
  CHECK(split_words("") == Words{});
  CHECK(split_words("   ") == Words{});
}

TEST_CASE("split_words: single quotes keep everything literally") {
  CHECK(split_words("nginx -g 'daemon off;'") == Words{"nginx", "-g", "daemon off;"});
  CHECK(split_words(R"('a\b "c" $HOME')") == Words{R"(a\b "c" $HOME)"});
  CHECK(split_words("a '' b") == Words{"a", "", "b"});
  CHECK(split_words("pre'fix 'post") == Words{"prefix post"});
}

TEST_CASE("split_words: double quotes escape only $ ` \" \\") {
  CHECK(split_words(R"("a b" c)") == Words{"a b", "c"});
  CHECK(split_words(R"("say \"hi\"")") == Words{R"(say "hi")"});
  CHECK(split_words(R"("\$HOME \`x\` \\")") == Words{R"($HOME `x` \)"});
  CHECK(split_words(R"("\n stays")") == Words{R"(\n stays)"});
  CHECK(split_words(R"("")") == Words{""});
  CHECK(split_words("\"line\\\ncontinued\"") == Words{"linecontinued"});
}

TEST_CASE("split_words: backslash outside quotes escapes the next character") {
  CHECK(split_words(R"(a\ b c)") == Words{"a b", "c"});
  CHECK(split_words(R"(\'x\')") == Words{"'x'"});
  CHECK(split_words(R"(\\)") == Words{"\\"});
  CHECK(split_words("a\\\nb") == Words{"ab"});
}

TEST_CASE("split_words: nothing is expanded") {
  CHECK(split_words("echo $HOME `id` ~ *") == Words{"echo", "$HOME", "`id`", "~", "*"});
  CHECK(split_words("sh -c 'a && b' # not a comment") ==
        Words{"sh", "-c", "a && b", "#", "not", "a", "comment"});
}

TEST_CASE("split_words: unterminated quotes and a trailing backslash are errors") {
  CHECK_FALSE(split_words("'abc").has_value());
  CHECK_FALSE(split_words("\"abc").has_value());
  CHECK_FALSE(split_words(R"("abc\")").has_value());
  CHECK_FALSE(split_words("abc\\").has_value());
}
