// IMDSv2 session protocol: PUT a token request, GET user-data with the token, a new token when
// the old one is refused. IMDSv1 (no token) only when the token endpoint does not exist.
#include "dockerup/error.hpp"
#include "dockerup/imds.hpp"

#include <cstdlib>
#include <thread>

namespace dockerup {

namespace {

constexpr const char* kDefaultEndpoint = "http://169.254.169.254";
constexpr const char* kTokenPath = "/latest/api/token";
constexpr const char* kUserDataPath = "/latest/user-data";
constexpr const char* kTokenTtlHeader = "X-aws-ec2-metadata-token-ttl-seconds";
constexpr const char* kTokenHeader = "X-aws-ec2-metadata-token";
constexpr const char* kTokenTtlSeconds = "21600";  // six hours, the maximum

/// An answer that retrying cannot change (the settings forbid what the service offers).
class ImdsRefusal : public Failure {
 public:
  using Failure::Failure;
};

}  // namespace

std::string imds_endpoint(const Settings& settings, const char* env_endpoint) {
  std::string endpoint = kDefaultEndpoint;
  if (env_endpoint != nullptr && *env_endpoint != '\0')
    endpoint = env_endpoint;
  else if (!settings.aws_endpoint.empty())
    endpoint = settings.aws_endpoint;
  while (endpoint.ends_with('/')) endpoint.pop_back();
  return endpoint;
}

ImdsOptions imds_options(const Settings& settings) {
  ImdsOptions options;
  options.endpoint = imds_endpoint(settings, std::getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT"));
  options.allow_imdsv1 = settings.aws_imdsv1;
  return options;
}

ImdsClient::ImdsClient(ImdsOptions options)
    : ImdsClient(options, make_curl_imds_http(options)) {}

ImdsClient::ImdsClient(ImdsOptions options, std::unique_ptr<ImdsHttp> http)
    : options_(std::move(options)), http_(std::move(http)) {}

UserDataFetch ImdsClient::fetch_user_data() { return fetch(kUserDataPath); }

UserDataFetch ImdsClient::fetch(const std::string& path) {
  std::string reason;
  auto backoff = options_.first_backoff;
  for (int attempt = 1; attempt <= options_.attempts; ++attempt) {
    try {
      return try_fetch(path);
    } catch (const ImdsRefusal& refusal) {
      return {UserDataFetch::Outcome::Unavailable, "", refusal.what()};
    } catch (const Failure& failure) {
      reason = failure.what();
    }
    if (attempt < options_.attempts) {
      std::this_thread::sleep_for(backoff);
      backoff *= 2;
    }
  }
  return {UserDataFetch::Outcome::Unavailable, "",
          fmt::format("{} ({} attempts)", reason, options_.attempts)};
}

UserDataFetch ImdsClient::try_fetch(const std::string& path) {
  if (!token_ && !imdsv1_) token_ = request_token();
  HttpReply reply = get(path);
  if (reply.status == 401 && token_) {
    // Expired, or the service restarted and forgot it: one new token, one more try.
    token_ = request_token();
    reply = get(path);
  }
  if (reply.status == 401) {
    token_.reset();
    imdsv1_ = false;
    fail("GET {}{}: HTTP 401 (token refused)", options_.endpoint, path);
  }
  if (reply.status == 200) return {UserDataFetch::Outcome::Ok, std::move(reply.body), ""};
  if (reply.status == 404) return {UserDataFetch::Outcome::None, "", ""};
  fail("GET {}{}: HTTP {}", options_.endpoint, path, reply.status);
}

std::optional<std::string> ImdsClient::request_token() {
  std::string url = options_.endpoint + kTokenPath;
  HttpReply reply = http_->send("PUT", url, {{kTokenTtlHeader, kTokenTtlSeconds}});
  if (reply.status == 200 && !reply.body.empty()) return reply.body;
  if (reply.status == 404 || reply.status == 405) {
    if (!options_.allow_imdsv1)
      throw ImdsRefusal(fmt::format(
          "PUT {}: HTTP {}: the metadata service offers only IMDSv1, which aws_imdsv1=false "
          "forbids", url, reply.status));
    imdsv1_ = true;
    return std::nullopt;
  }
  if (reply.status == 200) fail("PUT {}: empty token", url);
  fail("PUT {}: HTTP {}", url, reply.status);
}

HttpReply ImdsClient::get(const std::string& path) {
  std::map<std::string, std::string> headers;
  if (token_) headers[kTokenHeader] = *token_;
  return http_->send("GET", options_.endpoint + path, headers);
}

}  // namespace dockerup
