#include "dockerup/config_file.hpp"

#include <doctest/doctest.h>

using namespace dockerup;

namespace {

/// Applies one key to default settings; returns the result and the reason.
std::pair<SettingResult, std::string> apply(Settings& settings, std::string_view key,
                                            std::string_view value) {
  std::string reason;
  SettingResult result = apply_setting(settings, key, value, reason);
  return {result, reason};
}

/// One row of a key table: what dockerup.conf says and what the field then holds.
template <typename Field>
struct KeyRow {
  const char* key;
  const char* value;
  Field Settings::*field;
  Field expected;
};

/// Applies each row to `settings` in order, checking that the key is accepted and its field set.
template <typename Field>
void check_keys(Settings& settings, std::initializer_list<KeyRow<Field>> rows) {
  for (const auto& row : rows) {
    CAPTURE(row.key);
    CAPTURE(row.value);
    CHECK(apply(settings, row.key, row.value).first == SettingResult::Applied);
    CHECK(settings.*row.field == row.expected);
  }
}

}  // namespace

TEST_CASE("parse_bool: the usual words, any case") {
  for (const char* yes : {"true", "TRUE", "Yes", "1", "on", "ON"}) CHECK(parse_bool(yes) == true);
  for (const char* no : {"false", "False", "no", "0", "off", "OFF"}) CHECK(parse_bool(no) == false);
  for (const char* bad : {"", "2", "y", "n", "enable", "true ", "truee"})
    CHECK_FALSE(parse_bool(bad).has_value());
}

TEST_CASE("apply_setting: every key sets its field") {
  // One Settings for all rows, in order: a key applied twice (gc) shows each value lands.
  Settings s;
  check_keys<std::string>(s, {
      {"confdir", "/srv/containers.d", &Settings::confdir, "/srv/containers.d"},
      {"remote", "tcp://127.0.0.1:2375", &Settings::remote, "tcp://127.0.0.1:2375"},
      {"cache", "/tmp/cache", &Settings::cache_dir, "/tmp/cache"},
      {"aws_endpoint", "http://127.0.0.1:1338", &Settings::aws_endpoint, "http://127.0.0.1:1338"},
      {"log_format", "JSON", &Settings::log_format, "json"},
      {"tls_ca", "/etc/dockerup/tls/ca.pem", &Settings::tls_ca, "/etc/dockerup/tls/ca.pem"},
      {"tls_cert", "/etc/dockerup/tls/cert.pem", &Settings::tls_cert, "/etc/dockerup/tls/cert.pem"},
      {"tls_key", "/etc/dockerup/tls/key.pem", &Settings::tls_key, "/etc/dockerup/tls/key.pem"},
      {"metrics_listen", "127.0.0.1:9100", &Settings::metrics_listen, "127.0.0.1:9100"},
      {"username", "deploy", &Settings::registry_username, "deploy"},
      {"password", "s3cr;t", &Settings::registry_password, "s3cr;t"},
      {"email", "ops@example.com", &Settings::registry_email, "ops@example.com"},
      {"registry", "localhost:5000", &Settings::registry, "localhost:5000"},
  });
  check_keys<int>(s, {
      {"interval", "30", &Settings::interval, 30},
      {"stop_timeout", "0", &Settings::stop_timeout, 0},
      {"start_wait", "5", &Settings::start_wait, 5},
      {"rolling_wait", "20", &Settings::rolling_wait, 20},
      {"crashloop_restarts", "5", &Settings::crashloop_restarts, 5},
      {"parallel", "1", &Settings::parallel, 1},
      {"health_timeout", "30", &Settings::health_timeout, 30},
  });
  check_keys<bool>(s, {
      {"aws", "true", &Settings::aws, true},
      {"pull", "no", &Settings::pull, false},
      {"exclusive", "on", &Settings::exclusive, true},
      {"gc_keep_volumes", "yes", &Settings::gc_keep_volumes, true},
      {"aws_imdsv1", "false", &Settings::aws_imdsv1, false},
      {"strict_modes", "0", &Settings::strict_modes, false},
  });
  check_keys<GcMode>(s, {
      {"gc", "aggressive", &Settings::gc, GcMode::Aggressive},
      {"gc", "off", &Settings::gc, GcMode::Off},
      {"gc", "ON", &Settings::gc, GcMode::On},
  });
}

TEST_CASE("apply_setting: numbers out of range and relative TLS paths are refused") {
  Settings s;
  CHECK(apply(s, "crashloop_restarts", "0").first == SettingResult::OutOfRange);
  CHECK(apply(s, "parallel", "0").first == SettingResult::OutOfRange);
  CHECK(apply(s, "parallel", "65").first == SettingResult::OutOfRange);
  CHECK(s.parallel == 32);
  CHECK(apply(s, "tls_key", "key.pem") ==
        std::pair{SettingResult::BadValue, std::string("expected an absolute path to a PEM file")});
}

TEST_CASE("apply_setting: keys in any case") {
  Settings s;
  CHECK(apply(s, "Interval", "5").first == SettingResult::Applied);
  CHECK(s.interval == 5);
}

TEST_CASE("apply_setting: unknown keys") {
  Settings s;
  CHECK(apply(s, "intervall", "5").first == SettingResult::UnknownKey);
  CHECK(apply(s, "", "5").first == SettingResult::UnknownKey);
  CHECK(s.interval == Settings{}.interval);
}

TEST_CASE("apply_setting: bad values leave the setting alone and say why") {
  Settings s;
  CHECK(apply(s, "interval", "0") ==
        std::pair{SettingResult::OutOfRange, std::string("expected a whole number of seconds from 1 to 86400")});
  for (const char* bad : {"", "-", "1.5", "60s", "abc", " 5", "+5", "0x10"})
    CHECK(apply(s, "interval", bad).first == SettingResult::BadValue);
  CHECK(apply(s, "stop_timeout", "-1").second == "expected a whole number of seconds from 0 to 86400");
  CHECK(apply(s, "aws", "maybe").second == "expected true or false (also yes/no, on/off, 1/0)");
  CHECK(apply(s, "gc", "sometimes").second == "expected on, off or aggressive");
  CHECK(apply(s, "log_format", "xml").second == "expected text or json");
  CHECK(apply(s, "confdir", "").second == "must not be empty");
  CHECK(apply(s, "cache", "").second == "must not be empty");
  CHECK(apply(s, "remote", "/var/run/docker.sock").first == SettingResult::BadValue);
  CHECK(apply(s, "remote", "unix://").first == SettingResult::BadValue);
  CHECK(apply(s, "aws_endpoint", "169.254.169.254").first == SettingResult::BadValue);
  for (const char* bad : {"9100", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:70000",
                          "host:port"})
    CHECK(apply(s, "metrics_listen", bad).first == SettingResult::BadValue);
  CHECK(s.interval == Settings{}.interval);
  CHECK(s.aws == Settings{}.aws);
  CHECK(s.gc == Settings{}.gc);
  CHECK(s.confdir == Settings{}.confdir);
}

TEST_CASE("apply_setting: empty values that mean 'the default'") {
  Settings s;
  CHECK(apply(s, "remote", "").first == SettingResult::Applied);
  CHECK(apply(s, "aws_endpoint", "").first == SettingResult::Applied);
  CHECK(apply(s, "metrics_listen", "").first == SettingResult::Applied);
  CHECK(apply(s, "metrics_listen", ":9100").first == SettingResult::Applied);
  CHECK(apply(s, "metrics_listen", "[::1]:9100").first == SettingResult::Applied);
  CHECK(apply(s, "remote", "unix://var/run/docker.sock").first == SettingResult::Applied);
}

TEST_CASE("is_secret_setting") {
  CHECK(is_secret_setting("password"));
  CHECK(is_secret_setting("PASSWORD"));
  CHECK_FALSE(is_secret_setting("username"));
}

TEST_CASE("seconds settings: at most a day, out of range is its own result") {
  Settings s;
  for (const char* key : {"interval", "stop_timeout", "start_wait", "rolling_wait", "health_timeout"}) {
    INFO(key);
    CHECK(apply(s, key, "86400").first == SettingResult::Applied);
    for (const char* big : {"86401", "2147483647", "2147483648", "99999999999",
                            "99999999999999999999999", "-1"})
      CHECK(apply(s, key, big).first == SettingResult::OutOfRange);
  }
  CHECK(s.interval == 86400);
  CHECK(apply(s, "interval", "2147483647").second ==
        "expected a whole number of seconds from 1 to 86400");
  CHECK(apply(s, "crashloop_restarts", "1001").first == SettingResult::OutOfRange);
  CHECK(apply(s, "crashloop_restarts", "1000").first == SettingResult::Applied);
}

TEST_CASE("user-data may set only the listed keys; every listed key is a real key") {
  for (const char* key : {"cache", "remote", "confdir", "aws", "aws_endpoint", "aws_imdsv1",
                          "log_format", "metrics_listen", "tls_ca", "tls_cert", "tls_key",
                          "CACHE", "strict_modes"})
    CHECK_FALSE(user_data_may_set(key));
  for (const char* key : {"interval", "pull", "exclusive", "stop_timeout", "start_wait",
                          "rolling_wait", "health_timeout", "crashloop_restarts", "gc",
                          "gc_keep_volumes", "username", "password", "email",
                          "registry", "parallel", "Interval"}) {
    CHECK(user_data_may_set(key));
    CHECK(is_setting_key(key));
  }
  CHECK_FALSE(is_setting_key("intervall"));
}

TEST_CASE("source_url: repeatable, each URL once, empty clears; stagger and s3_endpoint") {
  Settings s;
  CHECK(apply(s, "source_url", "https://example.com/fleet.json").first == SettingResult::Applied);
  CHECK(apply(s, "source_url", "s3://bucket/fleet.json").first == SettingResult::Applied);
  CHECK(apply(s, "source_url", "https://example.com/fleet.json").first == SettingResult::Applied);
  CHECK(s.source_urls ==
        std::vector<std::string>{"https://example.com/fleet.json", "s3://bucket/fleet.json"});
  auto bad = apply(s, "source_url", "ftp://example.com/x");
  CHECK(bad.first == SettingResult::BadValue);
  CHECK(bad.second.find("s3://") != std::string::npos);
  CHECK(apply(s, "source_url", "").first == SettingResult::Applied);
  CHECK(s.source_urls.empty());

  CHECK(apply(s, "stagger", "600").first == SettingResult::Applied);
  CHECK(s.stagger == 600);
  CHECK(apply(s, "stagger", "-1").first != SettingResult::Applied);
  for (const char* key : {"source_url", "stagger", "s3_endpoint"}) CHECK(user_data_may_set(key));
  CHECK(apply(s, "s3_endpoint", "http://127.0.0.1:9000").first == SettingResult::Applied);
  CHECK(s.s3_endpoint == "http://127.0.0.1:9000");
  CHECK(apply(s, "s3_endpoint", "127.0.0.1:9000").first == SettingResult::BadValue);
}
