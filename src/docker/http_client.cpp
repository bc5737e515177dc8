#include "dockerup/http_client.hpp"

#include "dockerup/ascii.hpp"
#include "dockerup/http_curl.hpp"
#include "dockerup/json_parse.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <exception>
#include <mutex>

namespace dockerup {

void ensure_curl_initialised() {
  static std::once_flag once;
  std::call_once(once, [] {
    CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (code != CURLE_OK) fail("curl_global_init failed: {}", curl_easy_strerror(code));
  });
}

namespace {

constexpr std::size_t max_message_length = 500;
/// Connecting never needs long, even to a busy daemon; a late answer is the request timeout's job.
constexpr std::chrono::milliseconds max_connect_timeout{std::chrono::seconds(10)};

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

/// "HTTP/1.1 404 Not Found" -> 404; 0 when unreadable.
long status_from_line(std::string_view line) {
  auto space = line.find(' ');
  if (space == std::string_view::npos) return 0;
  long status = 0;
  std::string_view rest = line.substr(space + 1);
  std::from_chars(rest.data(), rest.data() + rest.size(), status);
  return status;
}

/// What the libcurl callbacks write into while a transfer runs.
struct Transfer {
  const HttpRequest* request;
  HttpResponse response;
  std::exception_ptr sink_failure;  ///< what the body sink threw, rethrown after the transfer
  bool too_big = false;             ///< the kept body would have exceeded request->max_body
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::string_view chunk(data, size * count);
  try {
    if (transfer->request->body_sink && transfer->response.ok()) {
      transfer->request->body_sink(chunk);
    } else if (transfer->response.body.size() + chunk.size() > transfer->request->max_body) {
      transfer->too_big = true;
      return 0;  // makes libcurl abort the transfer
    } else {
      transfer->response.body.append(chunk);
    }
  } catch (...) {
    transfer->sink_failure = std::current_exception();
    return 0;  // makes libcurl abort the transfer with CURLE_WRITE_ERROR
  }
  return chunk.size();
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    transfer->response.headers.clear();  // an interim response (100 Continue) came first
    transfer->response.status = status_from_line(line);
  } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
    transfer->response.headers.emplace_back(ascii_lower(trim(line.substr(0, colon))),
                                            std::string(trim(line.substr(colon + 1))));
  }
  return line.size();
}

void set_method_and_body(CurlEasy& easy, const HttpRequest& request) {
  bool sends_body = !request.body.empty() || request.method == "POST" || request.method == "PUT";
  if (sends_body) {
    easy.set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    easy.set(CURLOPT_POSTFIELDS, request.body.c_str());
  } else if (request.method == "HEAD") {
    easy.set(CURLOPT_NOBODY, 1L);
  } else {
    easy.set(CURLOPT_HTTPGET, 1L);
  }
  if (request.method != "GET" && request.method != "HEAD" && request.method != "POST")
    easy.set(CURLOPT_CUSTOMREQUEST, request.method.c_str());
}

CurlSlist make_header_list(const HttpRequest& request) {
  CurlSlist list;
  for (const auto& [name, value] : request.headers) list.append(name + ": " + value);
  if (!request.content_type.empty()) list.append("Content-Type: " + request.content_type);
  list.append("Expect:");  // no "100 Continue" round trip before the body
  return list;
}

/// TLS for https:// URLs. Verification is set explicitly, never relaxed: a daemon whose
/// certificate does not verify is not talked to.
void set_tls(CurlEasy& easy, const TlsFiles& tls) {
  easy.set(CURLOPT_SSL_VERIFYPEER, 1L);
  easy.set(CURLOPT_SSL_VERIFYHOST, 2L);
  if (!tls.ca.empty()) easy.set(CURLOPT_CAINFO, tls.ca.c_str());
  if (!tls.cert.empty()) easy.set(CURLOPT_SSLCERT, tls.cert.c_str());
  if (!tls.key.empty()) easy.set(CURLOPT_SSLKEY, tls.key.c_str());
}

/// What a TLS failure most likely means, in the terms of dockerup's settings.
std::string tls_hint(CURLcode code, std::string_view detail, const TlsFiles& tls) {
  switch (code) {
    case CURLE_PEER_FAILED_VERIFICATION:
      // The CA was fine; the name in the remote is not one the certificate was made for.
      if (detail.find("host name") != std::string_view::npos)
        return " (the daemon's certificate is not for this host name: use a name or address "
               "it lists in subjectAltName)";
      return tls.ca.empty() ? " (the daemon's certificate does not verify against the system's "
                              "CAs: set tls_ca or DOCKER_CERT_PATH)"
                            : " (the daemon's certificate does not verify against the CA in " +
                                  tls.ca + ")";
    case CURLE_SSL_CACERT_BADFILE:
      return " (cannot use the CA file " + tls.ca + ")";
    case CURLE_SSL_CERTPROBLEM:
      return " (cannot use the client certificate " + tls.cert + " with the key " + tls.key + ")";
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      return tls.cert.empty() ? " (TLS failed: the daemon may require a client certificate: set "
                                "tls_cert and tls_key, or DOCKER_CERT_PATH)"
                              : "";
    default:
      return "";
  }
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  std::string wanted = ascii_lower(name);
  for (const auto& [key, value] : headers)
    if (key == wanted) return value;
  return std::nullopt;
}

HttpClient::HttpClient(std::string base_url, std::string unix_socket, TlsFiles tls)
    : base_url_(std::move(base_url)), unix_socket_(std::move(unix_socket)), tls_(std::move(tls)) {
  while (base_url_.ends_with('/')) base_url_.pop_back();
}

std::string HttpClient::describe() const {
  return unix_socket_.empty() ? base_url_ : base_url_ + " (unix socket " + unix_socket_ + ")";
}

HttpResponse HttpClient::perform(const HttpRequest& request) const {
  ensure_curl_initialised();
  CurlEasy easy;
  std::string url = base_url_ + request.path;
  char error_buffer[CURL_ERROR_SIZE] = {};
  Transfer transfer{&request, {}, nullptr};
  CurlSlist header_list = make_header_list(request);

  easy.set(CURLOPT_URL, url.c_str());
  if (!unix_socket_.empty()) easy.set(CURLOPT_UNIX_SOCKET_PATH, unix_socket_.c_str());
  bool https = url.starts_with("https://");
  if (https) set_tls(easy, tls_);
  set_method_and_body(easy, request);
  easy.set(CURLOPT_HTTPHEADER, header_list.get());
  easy.set(CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  easy.set(CURLOPT_CONNECTTIMEOUT_MS,
           static_cast<long>(std::min(request.timeout, max_connect_timeout).count()));
  // The engine is never reached through a proxy: http_proxy in dockerup's environment would
  // otherwise carry every create body (env secrets included) to whoever runs the proxy.
  easy.set(CURLOPT_NOPROXY, "*");
  easy.set(CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: safe in a threaded daemon
  easy.set(CURLOPT_ERRORBUFFER, error_buffer);
  easy.set(CURLOPT_WRITEFUNCTION, on_body);
  easy.set(CURLOPT_WRITEDATA, &transfer);
  easy.set(CURLOPT_HEADERFUNCTION, on_header);
  easy.set(CURLOPT_HEADERDATA, &transfer);

  CURLcode code = easy.perform();
  if (transfer.sink_failure) std::rethrow_exception(transfer.sink_failure);
  if (transfer.too_big)
    throw HttpFailure(0, fmt::format("{} {}{}: the response body exceeds the limit of {}",
                                     request.method, url,
                                     unix_socket_.empty() ? "" : " via " + unix_socket_,
                                     describe_size(request.max_body)));
  if (code != CURLE_OK) {
    std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    if (https) detail += tls_hint(code, detail, tls_);
    throw HttpFailure(0, fmt::format("{} {}{}: {}", request.method, url,
                                     unix_socket_.empty() ? "" : " via " + unix_socket_, detail));
  }
  transfer.response.status = easy.response_code();
  return std::move(transfer.response);
}

std::string describe_size(std::size_t bytes) {
  constexpr std::size_t mib = 1024 * 1024;
  if (bytes >= mib && bytes % mib == 0) return fmt::format("{} MiB", bytes / mib);
  return fmt::format("{} bytes", bytes);
}

std::string error_message_from_body(std::string_view body) {
  std::string_view text = trim(body);
  rapidjson::Document document;
  if (!parse_json(body, document) && document.IsObject()) {
    auto message = document.FindMember("message");
    if (message != document.MemberEnd() && message->value.IsString())
      text = {message->value.GetString(), message->value.GetStringLength()};
  }
  // Docker's message as well as a bare body: an error line must stay readable whatever the
  // peer sent (found by tests/fuzz/fuzz_docker_misc).
  if (text.size() > max_message_length)
    return std::string(text.substr(0, max_message_length)) + "...";
  return std::string(text);
}

void throw_http_failure(std::string_view method, std::string_view path,
                        const HttpResponse& response) {
  std::string message = error_message_from_body(response.body);
  if (message.empty()) message = "(no message)";
  throw HttpFailure(response.status,
                    fmt::format("{} {}: {}: {}", method, path, response.status, message));
}

void throw_http_failure(const HttpRequest& request, const HttpResponse& response) {
  throw_http_failure(request.method, request.path, response);
}

std::string url_escape(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string result;
  for (unsigned char c : text) {
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      result += static_cast<char>(c);
    } else {
      result += '%';
      result += hex[c >> 4];
      result += hex[c & 0x0F];
    }
  }
  return result;
}

}  // namespace dockerup
