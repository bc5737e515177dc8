#include "dockerup/redact.hpp"

#include "dockerup/plan.hpp"
#include "dockerup/reconciler.hpp"
#include "dockerup/settings.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace dockerup {
namespace {

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

/// Where a value of unknown extent ends in free text: at white space, a quote or the
/// punctuation that closes a list or a sentence part.
bool ends_value(char c) {
  return is_space(c) || std::string_view("\"'`,;)]}\\").find(c) != std::string_view::npos;
}

/// The index of the quote that closes the JSON string opened at `open`; npos if unterminated.
std::size_t closing_quote(std::string_view text, std::size_t open) {
  std::size_t at = open + 1;
  while (at < text.size() && text[at] != '"') at += text[at] == '\\' ? 2 : 1;
  return at < text.size() ? at : std::string_view::npos;
}

std::size_t skip_spaces(std::string_view text, std::size_t at) {
  while (at < text.size() && is_space(text[at])) ++at;
  return at;
}

/// Copies the array whose '[' is at `open` to `out`, each string's value part hidden; returns
/// where the text goes on after it.
std::size_t copy_env_array(std::string_view text, std::size_t open, std::string& out) {
  out += '[';
  std::size_t at = open + 1;
  for (;;) {
    std::size_t next = skip_spaces(text, at);
    if (next < text.size() && text[next] == ',') next = skip_spaces(text, next + 1);
    out.append(text.substr(at, next - at));
    at = next;
    if (at >= text.size() || text[at] != '"') return at;  // ']' or not a list of strings
    std::size_t close = closing_quote(text, at);
    if (close == std::string_view::npos) {  // cut off: hide the rest
      out.append(kHidden);
      return text.size();
    }
    std::string_view item = text.substr(at, close + 1 - at);
    std::size_t equals = item.find('=');
    if (equals == std::string_view::npos) {
      out.append(item);  // "KEY" alone carries no value
    } else {
      out.append(item.substr(0, equals + 1));
      out.append(kHidden);
      out += '"';
    }
    at = close + 1;
  }
}

/// `where` with what follows '=' in each quoted member name hidden: a name written as
/// "KEY=value" (an error: names cannot contain '=') carries the value.
std::string hide_values_in_names(std::string_view where) {
  std::string out;
  std::size_t at = 0;
  for (auto open = where.find('"'); open != std::string_view::npos; open = where.find('"', at)) {
    std::size_t close = closing_quote(where, open);
    std::size_t end = close == std::string_view::npos ? where.size() : close;
    std::size_t equals = where.substr(open, end - open).find('=');
    if (equals == std::string_view::npos) {
      out.append(where.substr(at, end - at));
    } else {
      out.append(where.substr(at, open + equals + 1 - at));
      out.append(kHidden);
    }
    at = end;
    if (close == std::string_view::npos) break;
    out += '"';
    at = close + 1;
  }
  if (at < where.size()) out.append(where.substr(at));
  return out;
}

}  // namespace

void EnvFilter::add(const ContainerSpec& spec) {
  for (const auto& [key, value] : spec.env) {
    auto& known = values_[key];
    if (value.empty() || std::find(known.begin(), known.end(), value) != known.end()) continue;
    known.push_back(value);
    std::stable_sort(known.begin(), known.end(),
                     [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  }
}

std::size_t EnvFilter::value_end(std::string_view text, std::size_t equals,
                                 const std::vector<std::string>& known) const {
  std::string_view rest = text.substr(equals + 1);
  // A declared value right after "KEY=" is the whole value, spaces and punctuation included.
  for (const auto& value : known)
    if (rest.starts_with(value)) return equals + 1 + value.size();
  if (rest.starts_with(kHidden)) return equals + 1;  // hidden already (an "Env" array, a rerun)
  std::size_t end = equals + 1;
  while (end < text.size() && !ends_value(text[end])) ++end;
  return end;
}

std::string EnvFilter::apply(std::string_view text) const {
  if (show_all_) return std::string(text);
  std::string arrays_hidden = hide_env_arrays(text);
  std::string_view t = arrays_hidden;
  std::vector<std::pair<std::size_t, std::size_t>> values;  // [begin, end) of each value
  for (const auto& [key, known] : values_) {
    std::string token = key + "=";
    for (auto at = t.find(token); at != std::string_view::npos; at = t.find(token, at + 1)) {
      if (at > 0 && is_name_char(t[at - 1])) continue;  // "XKEY=" is another variable
      std::size_t equals = at + key.size();
      std::size_t end = value_end(t, equals, known);
      if (end > equals + 1) values.emplace_back(equals + 1, end);
    }
  }
  std::sort(values.begin(), values.end());
  std::string out;
  std::size_t copied = 0;
  for (auto [begin, end] : values) {
    if (begin < copied) {  // overlaps a value hidden already: hide both, whichever is longer
      copied = std::max(copied, end);
      continue;
    }
    out.append(t.substr(copied, begin - copied));
    out.append(kHidden);
    copied = end;
  }
  out.append(t.substr(copied));
  return out;
}

Error EnvFilter::apply(Error error) const {
  if (show_all_) return error;
  if (is_env_location(error.where)) {
    error.where = hide_values_in_names(error.where);
    error.message = hide_quoted(error.message);
  }
  error.message = apply(error.message);
  return error;
}

std::string EnvFilter::apply_line(std::string_view line) const {
  if (show_all_) return std::string(line);
  return apply(is_env_location(line) ? hide_quoted(line) : std::string(line));
}

EnvFilter env_filter(const std::vector<ContainerSpec>& specs, bool show_secrets) {
  if (show_secrets) return EnvFilter::showing_all();
  EnvFilter filter;
  for (const auto& spec : specs) filter.add(spec);
  return filter;
}

bool is_env_location(std::string_view where) {
  // "web.json: $.env", "user-data containers[0]: $.env.API_KEY", "$.environment[\"A B\"]"
  for (std::string_view field : {"$.env", "$.environment"}) {
    for (auto at = where.find(field); at != std::string_view::npos; at = where.find(field, at + 1)) {
      std::string_view rest = where.substr(at + field.size());
      if (rest.empty() || rest.front() == '.' || rest.front() == '[' || rest.front() == ':')
        return true;
    }
  }
  return false;
}

std::string hide_quoted(std::string_view message) {
  std::string out;
  for (std::size_t at = 0; at < message.size();) {
    std::size_t open = message.find('"', at);
    if (open == std::string_view::npos) {
      out.append(message.substr(at));
      break;
    }
    std::size_t close = closing_quote(message, open);
    out.append(message.substr(at, open - at));
    out.append(kHidden);
    if (close == std::string_view::npos) break;  // an unterminated quote hides the rest
    at = close + 1;
  }
  return out;
}

std::string hide_env_arrays(std::string_view text) {
  static constexpr std::string_view kEnv = "\"Env\"";
  std::string out;
  std::size_t at = 0;
  for (auto found = text.find(kEnv); found != std::string_view::npos;
       found = text.find(kEnv, at)) {
    std::size_t colon = skip_spaces(text, found + kEnv.size());
    std::size_t open = colon < text.size() && text[colon] == ':' ? skip_spaces(text, colon + 1)
                                                                 : text.size();
    if (open >= text.size() || text[open] != '[') {  // "Env" not followed by an array
      out.append(text.substr(at, found + kEnv.size() - at));
      at = found + kEnv.size();
      continue;
    }
    out.append(text.substr(at, open - at));
    at = copy_env_array(text, open, out);
  }
  if (at < text.size()) out.append(text.substr(at));
  return out;
}

void redact_run_result(RunResult& result, const Settings& settings) {
  if (settings.show_secrets) return;
  EnvFilter filter = env_filter(result.desired.specs, false);
  for (Errors* errors : {&result.errors, &result.plan.errors, &result.desired.errors})
    for (auto& error : *errors) error = filter.apply(std::move(error));
  for (auto& outcome : result.report.outcomes)
    if (outcome.error) outcome.error = filter.apply(std::move(*outcome.error));
}

}  // namespace dockerup
