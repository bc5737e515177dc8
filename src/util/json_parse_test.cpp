#include "dockerup/json_parse.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace dockerup;

TEST_CASE("parse_json reads a document") {
  rapidjson::Document document;
  auto error = parse_json(R"({"a": [1, 2, {"b": "c"}]})", document);
  REQUIRE_FALSE(error);
  REQUIRE(document.IsObject());
  CHECK(document["a"][2]["b"].GetString() == std::string("c"));
}

TEST_CASE("parse_json names the reason and the byte offset of a syntax error") {
  rapidjson::Document document;
  auto error = parse_json(R"({"a": [1 2]})", document);
  REQUIRE(error);
  CHECK(error->reason == "missing a comma or ']' after an array element");
  CHECK(error->offset == 9);
  CHECK(error->str() == "missing a comma or ']' after an array element (at byte 9)");
  CHECK(document.IsNull());
}

TEST_CASE("comments and trailing commas only when lenient") {
  std::string text = "{\"a\": 1, // why\n}";
  rapidjson::Document document;
  CHECK(parse_json(text, document));
  CHECK_FALSE(parse_json(text, document, {.lenient = true}));
  CHECK(document["a"].GetInt() == 1);
}

TEST_CASE("invalid UTF-8 is refused only when asked") {
  std::string text = "[\"\xff\"]";
  rapidjson::Document document;
  CHECK_FALSE(parse_json(text, document));
  auto error = parse_json(text, document, {.validate_utf8 = true});
  REQUIRE(error);
  CHECK(error->reason == "invalid encoding in string");
}

TEST_CASE("nesting up to the limit is read, one level more is refused while parsing") {
  auto nested = [](unsigned depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  rapidjson::Document document;
  CHECK_FALSE(parse_json(nested(kMaxJsonDepth), document));
  CHECK(document.IsArray());
  auto error = parse_json(nested(kMaxJsonDepth + 1), document);
  REQUIRE(error);
  CHECK(error->reason == "nested deeper than 64 levels");
  CHECK(error->offset == kMaxJsonDepth);
  CHECK(document.IsNull());
  CHECK(parse_json(nested(3), document, {.max_depth = 2}));
}

TEST_CASE("300,000 open brackets are an error, not a stack overflow") {
  std::string text = R"({"containers": [], "x": )" + std::string(300000, '[');
  rapidjson::Document document;
  auto error = parse_json(text, document, {.lenient = true});
  REQUIRE(error);
  CHECK(error->reason == "nested deeper than 64 levels");
}

TEST_CASE("the size is checked before parsing") {
  rapidjson::Document document;
  auto error = parse_json("[1, 2, 3]", document, {.max_bytes = 8});
  REQUIRE(error);
  CHECK(error->too_big);
  CHECK(error->str() == "too big: 9 bytes, the limit is 8 bytes");
  CHECK_FALSE(parse_json("[1, 2, 3]", document, {.max_bytes = 9}));
}

TEST_CASE("a document parsed before is replaced, and an empty text is an error") {
  rapidjson::Document document;
  REQUIRE_FALSE(parse_json("{\"a\": 1}", document));
  CHECK(parse_json("", document));
  CHECK(document.IsNull());
  CHECK(parse_json("[1] [2]", document));
}
