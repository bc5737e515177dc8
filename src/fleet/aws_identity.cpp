#include "aws_identity.hpp"

#include "dockerup/error.hpp"
#include "dockerup/json_parse.hpp"

#include <rapidjson/document.h>

#include <cstdio>
#include <ctime>

namespace dockerup::fleet {
namespace {

constexpr const char* kRolesPath = "/latest/meta-data/iam/security-credentials/";
constexpr const char* kIdentityPath = "/latest/dynamic/instance-identity/document";

std::string env_text(const Getenv& getenv, const char* name) {
  const char* value = getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

/// The body of a metadata document, or Failure naming the path.
std::string fetch_document(ImdsClient& imds, const std::string& path) {
  UserDataFetch fetch = imds.fetch(path);
  if (fetch.outcome == UserDataFetch::Outcome::Ok) return fetch.body;
  if (fetch.outcome == UserDataFetch::Outcome::None)
    fail("instance metadata {}: not found (404)", path);
  fail("instance metadata {}: {}", path, fetch.reason);
}

std::string string_member(const rapidjson::Document& doc, const char* name,
                          const std::string& where) {
  auto member = doc.FindMember(name);
  if (member == doc.MemberEnd() || !member->value.IsString() ||
      member->value.GetStringLength() == 0)
    fail("{}: no \"{}\"", where, name);
  return {member->value.GetString(), member->value.GetStringLength()};
}

rapidjson::Document parse_object(const std::string& body, const std::string& where) {
  rapidjson::Document doc;
  if (parse_json(body, doc, {.max_bytes = kMaxLocalJsonBytes}) || !doc.IsObject())
    fail("{}: not a JSON object", where);
  return doc;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_utc_time(const std::string& text) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
      static_cast<std::size_t>(consumed) != text.size())
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::time_t seconds = timegm(&tm);
  if (seconds == -1) return std::nullopt;
  return std::chrono::system_clock::from_time_t(seconds);
}

AwsIdentity::AwsIdentity(std::unique_ptr<ImdsClient> imds, WallClock clock, Getenv getenv)
    : imds_(std::move(imds)), clock_(std::move(clock)), getenv_(std::move(getenv)) {}

AwsCredentials AwsIdentity::credentials() {
  std::string key = env_text(getenv_, "AWS_ACCESS_KEY_ID");
  std::string secret = env_text(getenv_, "AWS_SECRET_ACCESS_KEY");
  if (!key.empty() && !secret.empty())
    return {key, secret, env_text(getenv_, "AWS_SESSION_TOKEN"), std::nullopt, "environment"};

  auto now = clock_();
  if (role_credentials_ && now < *role_credentials_->expiration - kRefreshBeforeExpiry)
    return *role_credentials_;
  try {
    role_credentials_ = fetch_role_credentials();
  } catch (const Failure& failure) {
    // Still valid for a few minutes: better than failing the source now.
    if (role_credentials_ && now < *role_credentials_->expiration) return *role_credentials_;
    fail("no AWS credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set and the "
         "instance role's could not be read ({})", failure.what());
  }
  return *role_credentials_;
}

AwsCredentials AwsIdentity::fetch_role_credentials() {
  std::string roles = fetch_document(*imds_, kRolesPath);
  std::string role = roles.substr(0, roles.find('\n'));
  if (role.empty()) fail("instance metadata {}: no instance role attached", kRolesPath);
  std::string where = std::string("instance metadata ") + kRolesPath + role;
  std::string body = fetch_document(*imds_, kRolesPath + role);
  rapidjson::Document doc = parse_object(body, where);
  auto code = doc.FindMember("Code");
  if (code != doc.MemberEnd() && code->value.IsString() &&
      std::string(code->value.GetString()) != "Success")
    fail("{}: Code {}", where, code->value.GetString());
  AwsCredentials credentials;
  credentials.access_key_id = string_member(doc, "AccessKeyId", where);
  credentials.secret_access_key = string_member(doc, "SecretAccessKey", where);
  credentials.session_token = string_member(doc, "Token", where);
  std::string expiration = string_member(doc, "Expiration", where);
  credentials.expiration = parse_utc_time(expiration);
  if (!credentials.expiration) fail("{}: Expiration \"{}\" is not a UTC time", where, expiration);
  credentials.origin = "instance role " + role;
  return credentials;
}

const std::string& AwsIdentity::identity_document() {
  if (!identity_document_) identity_document_ = fetch_document(*imds_, kIdentityPath);
  return *identity_document_;
}

std::string AwsIdentity::region() {
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    std::string region = env_text(getenv_, name);
    if (!region.empty()) return region;
  }
  try {
    std::string where = std::string("instance metadata ") + kIdentityPath;
    return string_member(parse_object(identity_document(), where), "region", where);
  } catch (const Failure& failure) {
    fail("no AWS region: AWS_REGION is not set and {}", failure.what());
  }
}

std::optional<std::string> AwsIdentity::instance_id() {
  try {
    std::string where = std::string("instance metadata ") + kIdentityPath;
    return string_member(parse_object(identity_document(), where), "instanceId", where);
  } catch (const Failure&) {
    return std::nullopt;
  }
}

}  // namespace dockerup::fleet
