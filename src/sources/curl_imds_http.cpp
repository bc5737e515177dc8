// ImdsHttp over libcurl: one easy handle per request, short timeouts, never a proxy.
#include "dockerup/error.hpp"
#include "dockerup/imds.hpp"

#include <curl/curl.h>

namespace dockerup {

namespace {

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

void append_header(HeaderList& list, const std::string& line) {
  // curl_slist_append returns the head of the list (the old one when it was not empty), or
  // null without touching the list when it runs out of memory.
  curl_slist* head = curl_slist_append(list.get(), line.c_str());
  if (head == nullptr) fail("out of memory building HTTP headers");
  if (head != list.get()) list.reset(head);
}

/// The body being received, bounded by ImdsOptions::max_body.
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

class CurlImdsHttp : public ImdsHttp {
 public:
  explicit CurlImdsHttp(const ImdsOptions& options) : options_(options) {}

  HttpReply send(const std::string& method, const std::string& url,
                 const std::map<std::string, std::string>& headers) override {
    std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
    if (!easy) fail("{} {}: cannot create a curl handle", method, url);
    HeaderList header_list;
    for (const auto& [key, value] : headers) append_header(header_list, key + ": " + value);
    if (method == "PUT") append_header(header_list, "Content-Length: 0");

    HttpReply reply;
    CURL* handle = easy.get();
    curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, header_list.get());
    curl_easy_setopt(handle, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, append_body);
    BoundedBody bounded{reply.body, options_.max_body};
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &bounded);

    CURLcode code = curl_easy_perform(handle);
    if (bounded.too_big)
      fail("{} {}: the answer is longer than the limit of {} bytes", method, url,
           options_.max_body);
    if (code != CURLE_OK) fail("{} {}: {}", method, url, curl_easy_strerror(code));
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &reply.status);
    return reply;
  }

 private:
  ImdsOptions options_;
};

}  // namespace

std::unique_ptr<ImdsHttp> make_curl_imds_http(const ImdsOptions& options) {
  return std::make_unique<CurlImdsHttp>(options);
}

}  // namespace dockerup
