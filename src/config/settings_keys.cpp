// The keys of dockerup.conf, shared with the settings keys of EC2 user-data: one table, one
// validation rule per key, so a value means the same wherever it is written.
#include "dockerup/config_file.hpp"

#include <algorithm>
#include <charconv>
#include <cctype>
#include <cstdint>
#include <functional>

#include <fmt/format.h>

namespace dockerup {
namespace {

std::string lower(std::string_view text) {
  std::string out;
  for (char c : text) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<int> whole_number(std::string_view text, int minimum) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < minimum)
    return std::nullopt;
  return value;
}

/// A setter fills `reason` when the value is not acceptable.
using Setter = std::function<SettingResult(Settings&, std::string_view value, std::string& reason)>;
using BoolSetter = bool (*)(Settings&, std::string_view, std::string&);

Setter checked(BoolSetter setter) {
  return [setter](Settings& settings, std::string_view value, std::string& reason) {
    return setter(settings, value, reason) ? SettingResult::Applied : SettingResult::BadValue;
  };
}

/// A whole number from `minimum` to `maximum`. A number outside the range (even one too large
/// for 64 bits) is OutOfRange, so user-data can refuse just that key; anything else is BadValue.
Setter bounded(int Settings::*field, int minimum, int maximum, std::string_view unit) {
  return [=](Settings& settings, std::string_view value, std::string& reason) {
    reason = fmt::format("expected a whole number of {} from {} to {}", unit, minimum, maximum);
    std::string_view digits = value.starts_with('-') ? value.substr(1) : value;
    if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) {
          return c >= '0' && c <= '9';
        }))
      return SettingResult::BadValue;
    std::int64_t number = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (ec != std::errc() || end != value.data() + value.size() || number < minimum ||
        number > maximum)
      return SettingResult::OutOfRange;
    settings.*field = static_cast<int>(number);
    return SettingResult::Applied;
  };
}

Setter seconds(int Settings::*field, int minimum, int maximum = kMaxSeconds) {
  return bounded(field, minimum, maximum, "seconds");
}

Setter flag(bool Settings::*field) {
  return [field](Settings& settings, std::string_view value, std::string& reason) -> SettingResult {
    auto parsed = parse_bool(value);
    if (!parsed) {
      reason = "expected true or false (also yes/no, on/off, 1/0)";
      return SettingResult::BadValue;
    }
    settings.*field = *parsed;
    return SettingResult::Applied;
  };
}

/// Any text; `required` refuses the empty string.
Setter text(std::string Settings::*field, bool required = false) {
  return [field, required](Settings& settings, std::string_view value,
                           std::string& reason) -> SettingResult {
    if (required && value.empty()) {
      reason = "must not be empty";
      return SettingResult::BadValue;
    }
    settings.*field = std::string(value);
    return SettingResult::Applied;
  };
}

bool set_gc(Settings& settings, std::string_view value, std::string& reason) {
  std::string mode = lower(value);
  auto as_bool = parse_bool(value);
  if (mode == "aggressive")
    settings.gc = GcMode::Aggressive;
  else if (as_bool)
    settings.gc = *as_bool ? GcMode::On : GcMode::Off;
  else {
    reason = "expected on, off or aggressive";
    return false;
  }
  return true;
}

bool set_log_format(Settings& settings, std::string_view value, std::string& reason) {
  std::string format = lower(value);
  if (format != "text" && format != "json") {
    reason = "expected text or json";
    return false;
  }
  settings.log_format = format;
  return true;
}

/// "127.0.0.1:9100", "[::1]:9100", ":9100" (every interface) or "" (off).
bool set_metrics_listen(Settings& settings, std::string_view value, std::string& reason) {
  std::size_t colon = value.rfind(':');
  if (!value.empty()) {
    auto port = colon == std::string_view::npos ? std::nullopt
                                                : whole_number(value.substr(colon + 1), 1);
    if (!port || *port > 65535) {
      reason = "expected ADDRESS:PORT, e.g. 127.0.0.1:9100";
      return false;
    }
  }
  settings.metrics_listen = std::string(value);
  return true;
}

bool has_scheme(std::string_view value, std::initializer_list<std::string_view> schemes) {
  return std::any_of(schemes.begin(), schemes.end(), [value](std::string_view scheme) {
    return value.starts_with(scheme) && value.size() > scheme.size();
  });
}

bool set_remote(Settings& settings, std::string_view value, std::string& reason) {
  if (!value.empty() && !has_scheme(value, {"unix://", "tcp://", "http://", "https://"})) {
    reason = "expected unix:///path/to/docker.sock, tcp://HOST:PORT or https://HOST:PORT";
    return false;
  }
  settings.remote = std::string(value);
  return true;
}

/// tls_ca, tls_cert, tls_key: an absolute path to a PEM file, or "" (the docker CLI's files).
Setter tls_file(std::string Settings::*field) {
  return [field](Settings& settings, std::string_view value, std::string& reason) {
    if (!value.empty() && !value.starts_with('/')) {
      reason = "expected an absolute path to a PEM file";
      return SettingResult::BadValue;
    }
    settings.*field = std::string(value);
    return SettingResult::Applied;
  };
}

bool set_aws_endpoint(Settings& settings, std::string_view value, std::string& reason) {
  if (!value.empty() && !has_scheme(value, {"http://", "https://"})) {
    reason = "expected an http:// or https:// URL";
    return false;
  }
  settings.aws_endpoint = std::string(value);
  return true;
}

/// Repeatable: every occurrence adds a URL (once); an empty value clears the list.
bool add_source_url(Settings& settings, std::string_view value, std::string& reason) {
  if (value.empty()) {
    settings.source_urls.clear();
    return true;
  }
  if (!has_scheme(value, {"https://", "http://", "s3://"})) {
    reason = "expected an https://, s3://BUCKET/KEY or (loopback only) http:// URL";
    return false;
  }
  auto& urls = settings.source_urls;
  if (std::find(urls.begin(), urls.end(), value) == urls.end()) urls.emplace_back(value);
  return true;
}

bool set_s3_endpoint(Settings& settings, std::string_view value, std::string& reason) {
  if (!value.empty() && !has_scheme(value, {"http://", "https://"})) {
    reason = "expected an http:// or https:// URL";
    return false;
  }
  settings.s3_endpoint = std::string(value);
  return true;
}

const std::vector<std::pair<std::string_view, Setter>>& setters() {
  static const std::vector<std::pair<std::string_view, Setter>> table = {
      {"confdir", text(&Settings::confdir, true)},
      {"remote", checked(set_remote)},
      {"tls_ca", tls_file(&Settings::tls_ca)},
      {"tls_cert", tls_file(&Settings::tls_cert)},
      {"tls_key", tls_file(&Settings::tls_key)},
      {"interval", seconds(&Settings::interval, 1)},  // the crash-loop window adds 60 to it
      {"aws", flag(&Settings::aws)},
      {"pull", flag(&Settings::pull)},
      {"cache", text(&Settings::cache_dir, true)},
      {"exclusive", flag(&Settings::exclusive)},
      {"stop_timeout", seconds(&Settings::stop_timeout, 0)},
      {"start_wait", seconds(&Settings::start_wait, 0)},
      {"rolling_wait", seconds(&Settings::rolling_wait, 0)},
      {"health_timeout", seconds(&Settings::health_timeout, 1)},
      {"crashloop_restarts", bounded(&Settings::crashloop_restarts, 1, 1000, "restarts")},
      {"parallel", bounded(&Settings::parallel, 1, 64, "actions")},
      {"gc", checked(set_gc)},
      {"gc_keep_volumes", flag(&Settings::gc_keep_volumes)},
      {"aws_endpoint", checked(set_aws_endpoint)},
      {"aws_imdsv1", flag(&Settings::aws_imdsv1)},
      {"strict_modes", flag(&Settings::strict_modes)},
      {"log_format", checked(set_log_format)},
      {"metrics_listen", checked(set_metrics_listen)},
      {"username", text(&Settings::registry_username)},
      {"password", text(&Settings::registry_password)},
      {"email", text(&Settings::registry_email)},
      {"registry", text(&Settings::registry)},
      {"source_url", checked(add_source_url)},
      {"stagger", seconds(&Settings::stagger, 0)},
      {"s3_endpoint", checked(set_s3_endpoint)},
      {"docker_config", text(&Settings::docker_config)},
  };
  return table;
}

}  // namespace

std::optional<bool> parse_bool(std::string_view text) {
  std::string word = lower(text);
  if (word == "true" || word == "yes" || word == "1" || word == "on") return true;
  if (word == "false" || word == "no" || word == "0" || word == "off") return false;
  return std::nullopt;
}

SettingResult apply_setting(Settings& settings, std::string_view key, std::string_view value,
                            std::string& reason) {
  std::string name = lower(key);  // "Interval=60" is not worth an error
  for (const auto& [known, setter] : setters()) {
    if (known != name) continue;
    return setter(settings, value, reason);
  }
  return SettingResult::UnknownKey;
}

bool is_setting_key(std::string_view key) {
  std::string name = lower(key);
  const auto& table = setters();
  return std::any_of(table.begin(), table.end(), [&](const auto& entry) { return entry.first == name; });
}

bool user_data_may_set(std::string_view key) {
  // Not strict_modes: a remote source must not relax the check of the local files' owner and
  // mode (it would let whoever can write containers.d add a privileged container).
  static constexpr std::string_view allowed[] = {
      "interval",     "pull",           "exclusive",          "stop_timeout", "start_wait",
      "rolling_wait", "health_timeout", "crashloop_restarts", "gc",           "gc_keep_volumes",
      "username",     "password",       "email",              "registry",
      "source_url",   "stagger",        "s3_endpoint",  // fleet sources (src/fleet)
      "parallel"};
  std::string name = lower(key);
  return std::find(std::begin(allowed), std::end(allowed), name) != std::end(allowed);
}

bool is_secret_setting(std::string_view key) { return lower(key) == "password"; }

}  // namespace dockerup
