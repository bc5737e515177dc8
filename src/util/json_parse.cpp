#include "dockerup/json_parse.hpp"

#include <fmt/format.h>
#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cctype>

namespace dockerup {
namespace {

/// Forwards SAX events to the document and refuses to open a container beyond the limit. The
/// reader then stops with kParseErrorTermination before the document holds anything deeper.
class DepthLimiter {
 public:
  DepthLimiter(rapidjson::Document& document, unsigned max_depth)
      : document_(document), max_depth_(max_depth) {}

  bool Null() { return document_.Null(); }
  bool Bool(bool b) { return document_.Bool(b); }
  bool Int(int i) { return document_.Int(i); }
  bool Uint(unsigned i) { return document_.Uint(i); }
  bool Int64(std::int64_t i) { return document_.Int64(i); }
  bool Uint64(std::uint64_t i) { return document_.Uint64(i); }
  bool Double(double d) { return document_.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) {
    return document_.RawNumber(s, n, copy);
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return document_.String(s, n, copy); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return document_.Key(s, n, copy); }
  bool StartObject() { return open() && document_.StartObject(); }
  bool EndObject(rapidjson::SizeType members) {
    --depth_;
    return document_.EndObject(members);
  }
  bool StartArray() { return open() && document_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) {
    --depth_;
    return document_.EndArray(elements);
  }

  bool too_deep() const { return too_deep_; }

 private:
  bool open() {
    if (depth_ >= max_depth_) {
      too_deep_ = true;
      return false;
    }
    ++depth_;
    return true;
  }

  rapidjson::Document& document_;
  unsigned max_depth_;
  unsigned depth_ = 0;
  bool too_deep_ = false;
};

/// "Missing a comma or ']' after an array element." -> "missing a comma or ']' after an array
/// element", to read as the tail of the caller's message.
std::string reason_text(rapidjson::ParseErrorCode code) {
  std::string reason = rapidjson::GetParseError_En(code);
  if (!reason.empty() && reason.back() == '.') reason.pop_back();
  if (!reason.empty())
    reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
  return reason;
}

template <unsigned extra_flags>
std::optional<JsonError> parse_with(std::string_view text, rapidjson::Document& document,
                                    unsigned max_depth) {
  constexpr unsigned flags = rapidjson::kParseIterativeFlag | extra_flags;
  rapidjson::MemoryStream memory(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> input(memory);
  rapidjson::ParseResult result;
  bool too_deep = false;
  auto generate = [&](rapidjson::Document& target) {
    DepthLimiter limiter(target, max_depth);
    rapidjson::Reader reader;
    result = reader.Parse<flags>(input, limiter);
    too_deep = limiter.too_deep();
    return !result.IsError();
  };
  document.SetNull();
  document.Populate(generate);  // on failure the document stays null and its stack is freed
  if (too_deep)
    return JsonError{fmt::format("nested deeper than {} levels", max_depth), result.Offset()};
  if (result.IsError()) return JsonError{reason_text(result.Code()), result.Offset()};
  return std::nullopt;
}

}  // namespace

std::string JsonError::str() const {
  return too_big ? reason : fmt::format("{} (at byte {})", reason, offset);
}

std::optional<JsonError> parse_json(std::string_view text, rapidjson::Document& document,
                                    const JsonOptions& options) {
  if (text.size() > options.max_bytes) {
    document.SetNull();
    return JsonError{
        fmt::format("too big: {} bytes, the limit is {} bytes", text.size(), options.max_bytes), 0,
        true};
  }
  constexpr unsigned lenient = rapidjson::kParseCommentsFlag | rapidjson::kParseTrailingCommasFlag;
  constexpr unsigned utf8 = rapidjson::kParseValidateEncodingFlag;
  if (options.lenient && options.validate_utf8)
    return parse_with<lenient | utf8>(text, document, options.max_depth);
  if (options.lenient) return parse_with<lenient>(text, document, options.max_depth);
  if (options.validate_utf8) return parse_with<utf8>(text, document, options.max_depth);
  return parse_with<0>(text, document, options.max_depth);
}

}  // namespace dockerup
