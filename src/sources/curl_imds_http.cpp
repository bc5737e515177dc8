// ImdsHttp over libcurl: one easy handle per request, short timeouts, never a proxy.
#include "dockerup/curl_fetch.hpp"
#include "dockerup/imds.hpp"

namespace dockerup {

namespace {

class CurlImdsHttp : public ImdsHttp {
 public:
  explicit CurlImdsHttp(const ImdsOptions& options) : options_(options) {}

  HttpReply send(const std::string& method, const std::string& url,
                 const std::map<std::string, std::string>& headers) override {
    CurlSlist header_list;
    for (const auto& [key, value] : headers) header_list.append(key + ": " + value);
    if (method == "PUT") header_list.append("Content-Length: 0");

    CurlEasy easy;
    HttpReply reply;
    reply.status = perform_fetch(easy,
                                 {.method = method,
                                  .url = url,
                                  .headers = &header_list,
                                  .connect_timeout = options_.connect_timeout,
                                  .total_timeout = options_.total_timeout,
                                  .max_body = options_.max_body,
                                  .no_proxy = true},
                                 reply.body);
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
