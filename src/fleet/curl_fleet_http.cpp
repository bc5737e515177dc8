// FleetHttp over libcurl. SigV4 is libcurl's own (7.75+); S3 also wants the payload hash as a
// header, and a session token as X-Amz-Security-Token, both of which curl then signs.
#include "dockerup/ascii.hpp"
#include "dockerup/curl_fetch.hpp"
#include "fleet_http.hpp"

#include <fmt/format.h>


namespace dockerup::fleet {
namespace {

constexpr std::size_t kMaxBody = 4 * 1024 * 1024;
/// SHA-256 of the empty body of a GET.
constexpr const char* kEmptyPayloadHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Keeps ETag and Last-Modified of the (last) response.
std::size_t take_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* reply = static_cast<FleetReply*>(user);
  std::string line(data, size * count);
  auto colon = line.find(':');
  if (colon == std::string::npos) return size * count;
  std::string name = ascii_lower(line.substr(0, colon));
  std::string value = line.substr(colon + 1);
  auto first = value.find_first_not_of(" \t");
  auto last = value.find_last_not_of(" \t\r\n");
  value = first == std::string::npos ? "" : value.substr(first, last - first + 1);
  if (name == "etag") reply->etag = value;
  if (name == "last-modified") reply->last_modified = value;
  return size * count;
}

CurlSlist request_headers(const FleetRequest& request) {
  CurlSlist headers;
  if (!request.if_none_match.empty())
    headers.append("If-None-Match: " + request.if_none_match);
  if (!request.if_modified_since.empty())
    headers.append("If-Modified-Since: " + request.if_modified_since);
  if (request.credentials) {
    headers.append(std::string("x-amz-content-sha256: ") + kEmptyPayloadHash);
    if (!request.credentials->session_token.empty())
      headers.append("x-amz-security-token: " + request.credentials->session_token);
  }
  return headers;
}

class CurlFleetHttp : public FleetHttp {
 public:
  FleetReply get(const FleetRequest& request) override {
    CurlSlist headers = request_headers(request);
    CurlEasy easy;
    FleetReply reply;
    easy.set(CURLOPT_HEADERFUNCTION, take_header);
    easy.set(CURLOPT_HEADERDATA, &reply);
    std::string sigv4 = fmt::format("aws:amz:{}:s3", request.region);
    if (request.credentials) {
      easy.set(CURLOPT_AWS_SIGV4, sigv4.c_str());
      easy.set(CURLOPT_USERNAME, request.credentials->access_key_id.c_str());
      easy.set(CURLOPT_PASSWORD, request.credentials->secret_access_key.c_str());
    }
    reply.status = perform_fetch(easy,
                                 {.url = request.url,
                                  .headers = &headers,
                                  .connect_timeout = std::chrono::milliseconds(5000),
                                  .total_timeout = std::chrono::milliseconds(20000),
                                  .max_body = kMaxBody,
                                  .no_proxy = request.loopback},
                                 reply.body);
    return reply;
  }
};

}  // namespace

std::unique_ptr<FleetHttp> make_curl_fleet_http() { return std::make_unique<CurlFleetHttp>(); }

}  // namespace dockerup::fleet
