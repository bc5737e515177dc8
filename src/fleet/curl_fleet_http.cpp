// FleetHttp over libcurl. SigV4 is libcurl's own (7.75+); S3 also wants the payload hash as a
// header, and a session token as X-Amz-Security-Token, both of which curl then signs.
#include "dockerup/error.hpp"
#include "fleet_http.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cctype>

namespace dockerup::fleet {
namespace {

constexpr std::size_t kMaxBody = 4 * 1024 * 1024;
/// SHA-256 of the empty body of a GET.
constexpr const char* kEmptyPayloadHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

void append_header(HeaderList& list, const std::string& line) {
  curl_slist* head = curl_slist_append(list.get(), line.c_str());
  if (head == nullptr) fail("out of memory building HTTP headers");
  if (head != list.get()) list.reset(head);
}

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  std::size_t bytes = size * count;
  if (body->size() + bytes > kMaxBody) return 0;  // CURLE_WRITE_ERROR
  body->append(data, bytes);
  return bytes;
}

/// Keeps ETag and Last-Modified of the (last) response.
std::size_t take_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* reply = static_cast<FleetReply*>(user);
  std::string line(data, size * count);
  auto colon = line.find(':');
  if (colon == std::string::npos) return size * count;
  std::string name = line.substr(0, colon);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string value = line.substr(colon + 1);
  auto first = value.find_first_not_of(" \t");
  auto last = value.find_last_not_of(" \t\r\n");
  value = first == std::string::npos ? "" : value.substr(first, last - first + 1);
  if (name == "etag") reply->etag = value;
  if (name == "last-modified") reply->last_modified = value;
  return size * count;
}

HeaderList request_headers(const FleetRequest& request) {
  HeaderList headers;
  if (!request.if_none_match.empty())
    append_header(headers, "If-None-Match: " + request.if_none_match);
  if (!request.if_modified_since.empty())
    append_header(headers, "If-Modified-Since: " + request.if_modified_since);
  if (request.credentials) {
    append_header(headers, std::string("x-amz-content-sha256: ") + kEmptyPayloadHash);
    if (!request.credentials->session_token.empty())
      append_header(headers, "x-amz-security-token: " + request.credentials->session_token);
  }
  return headers;
}

class CurlFleetHttp : public FleetHttp {
 public:
  FleetReply get(const FleetRequest& request) override {
    std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
    if (!easy) fail("GET {}: cannot create a curl handle", request.url);
    HeaderList headers = request_headers(request);
    FleetReply reply;
    CURL* handle = easy.get();
    curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, 20000L);
    curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    if (request.loopback) curl_easy_setopt(handle, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &reply.body);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, take_header);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &reply);
    std::string sigv4 = fmt::format("aws:amz:{}:s3", request.region);
    if (request.credentials) {
      curl_easy_setopt(handle, CURLOPT_AWS_SIGV4, sigv4.c_str());
      curl_easy_setopt(handle, CURLOPT_USERNAME, request.credentials->access_key_id.c_str());
      curl_easy_setopt(handle, CURLOPT_PASSWORD, request.credentials->secret_access_key.c_str());
    }
    CURLcode code = curl_easy_perform(handle);
    if (code != CURLE_OK) fail("GET {}: {}", request.url, curl_easy_strerror(code));
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &reply.status);
    return reply;
  }
};

}  // namespace

std::unique_ptr<FleetHttp> make_curl_fleet_http() { return std::make_unique<CurlFleetHttp>(); }

}  // namespace dockerup::fleet
