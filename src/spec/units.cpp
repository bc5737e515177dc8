// Parsers for the small values inside container JSON. They return nullopt instead of throwing:
// the spec parser turns that into an error naming the file and the field.
#include "dockerup/units.hpp"

#include "dockerup/ascii.hpp"

#include <charconv>

namespace dockerup {
namespace {

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  return true;
}

/// Digits only (no sign, no spaces), within int64.
std::optional<std::int64_t> parse_count(std::string_view digits) {
  if (!all_digits(digits)) return std::nullopt;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

/// Multiplier of a unit suffix: "", "b", "k", "kb", "m", "mb", "g", "gb", "t", "tb" (any case),
/// the spellings docker run --memory accepts.
std::optional<std::int64_t> unit_multiplier(std::string_view unit) {
  std::string lower = ascii_lower(unit);
  if (lower.size() == 2 && lower[1] == 'b' && lower[0] != 'b') lower.pop_back();
  if (lower.empty() || lower == "b") return 1;
  if (lower == "k") return std::int64_t{1} << 10;
  if (lower == "m") return std::int64_t{1} << 20;
  if (lower == "g") return std::int64_t{1} << 30;
  if (lower == "t") return std::int64_t{1} << 40;
  return std::nullopt;
}

}  // namespace

std::optional<std::int64_t> parse_memory(std::string_view text) {
  std::size_t digits_end = 0;
  while (digits_end < text.size() && text[digits_end] >= '0' && text[digits_end] <= '9')
    ++digits_end;
  auto count = parse_count(text.substr(0, digits_end));
  auto multiplier = unit_multiplier(text.substr(digits_end));
  if (!count || !multiplier) return std::nullopt;
  std::int64_t bytes = 0;
  if (__builtin_mul_overflow(*count, *multiplier, &bytes)) return std::nullopt;
  return bytes;
}

std::optional<int> parse_port(std::string_view text) {
  if (text.size() > 5) return std::nullopt;  // also rules out huge digit strings
  auto value = parse_count(text);
  if (!value || *value < 1 || *value > 65535) return std::nullopt;
  return static_cast<int>(*value);
}

namespace {

/// Word splitting as a POSIX shell does it before expansion, so "command" strings mean what
/// they would mean typed after `docker run image`. Nothing is expanded: $ and ` stay literal.
class WordSplitter {
 public:
  explicit WordSplitter(std::string_view text) : text_(text) {}

  std::optional<std::vector<std::string>> run() {
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == ' ' || c == '\t' || c == '\n') {
        end_word();
      } else if (c == '\'') {
        if (!single_quoted()) return std::nullopt;
      } else if (c == '"') {
        if (!double_quoted()) return std::nullopt;
      } else if (c == '\\') {
        if (pos_ == text_.size()) return std::nullopt;  // nothing left to escape
        char next = text_[pos_++];
        if (next != '\n') append(next);  // backslash-newline continues the line
      } else {
        append(c);
      }
    }
    end_word();
    return std::move(words_);
  }

 private:
  void append(char c) {
    word_ += c;
    in_word_ = true;
  }

  void end_word() {
    if (in_word_) words_.push_back(std::move(word_));
    word_.clear();
    in_word_ = false;
  }

  /// After the opening quote; everything is literal up to the next single quote.
  bool single_quoted() {
    in_word_ = true;  // '' is an empty word
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '\'') return true;
      word_ += c;
    }
    return false;
  }

  /// After the opening quote; a backslash escapes only $ ` " \ and newline, as in sh.
  bool double_quoted() {
    in_word_ = true;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '"') return true;
      if (c == '\\' && pos_ < text_.size()) {
        char next = text_[pos_];
        if (next == '$' || next == '`' || next == '"' || next == '\\') {
          word_ += next;
          ++pos_;
          continue;
        }
        if (next == '\n') {
          ++pos_;
          continue;
        }
      }
      word_ += c;
    }
    return false;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::string word_;
  bool in_word_ = false;
  std::vector<std::string> words_;
};

}  // namespace

std::optional<std::vector<std::string>> split_words(std::string_view text) {
  return WordSplitter(text).run();
}

}  // namespace dockerup
