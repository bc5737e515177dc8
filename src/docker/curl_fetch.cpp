#include "dockerup/curl_fetch.hpp"

namespace dockerup {
namespace {

/// The body being received, bounded by CurlFetch::max_body.
struct BoundedBody {
  std::string& body;
  std::size_t max;
  bool too_big = false;
};

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* bounded = static_cast<BoundedBody*>(user);
  std::size_t bytes = size * count;
  if (bounded->body.size() + bytes > bounded->max) {
    bounded->too_big = true;
    return 0;  // makes curl fail with CURLE_WRITE_ERROR
  }
  bounded->body.append(data, bytes);
  return bytes;
}

}  // namespace

long perform_fetch(CurlEasy& easy, const CurlFetch& fetch, std::string& body) {
  easy.set(CURLOPT_URL, fetch.url.c_str());
  if (fetch.method == "GET")
    easy.set(CURLOPT_HTTPGET, 1L);
  else
    easy.set(CURLOPT_CUSTOMREQUEST, fetch.method.c_str());
  if (fetch.headers != nullptr) easy.set(CURLOPT_HTTPHEADER, fetch.headers->get());
  if (fetch.no_proxy) easy.set(CURLOPT_NOPROXY, "*");
  easy.set(CURLOPT_NOSIGNAL, 1L);
  easy.set(CURLOPT_FOLLOWLOCATION, 0L);
  easy.set(CURLOPT_PROTOCOLS_STR, "http,https");
  easy.set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(fetch.connect_timeout.count()));
  easy.set(CURLOPT_TIMEOUT_MS, static_cast<long>(fetch.total_timeout.count()));
  BoundedBody bounded{body, fetch.max_body};
  easy.set(CURLOPT_WRITEFUNCTION, append_body);
  easy.set(CURLOPT_WRITEDATA, &bounded);

  CURLcode code = easy.perform();
  if (bounded.too_big)
    fail("{} {}: the answer is longer than the limit of {} bytes", fetch.method, fetch.url,
         fetch.max_body);
  if (code != CURLE_OK) fail("{} {}: {}", fetch.method, fetch.url, curl_easy_strerror(code));
  return easy.response_code();
}

}  // namespace dockerup
