// A small blocking HTTP/1.1 client over libcurl, for the Docker Engine API (Unix socket or TCP)
// and the EC2 instance metadata service. One libcurl handle per request: no state is shared
// between requests, so one HttpClient may be used from several threads.
#pragma once

#include "dockerup/error.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dockerup {

/// The largest response body kept in memory (HttpResponse::body). Docker's biggest answers
/// (a container or image list on a busy host) are a few MiB; a peer that sends more is broken
/// or hostile, and must not make a root daemon allocate whatever it likes.
inline constexpr std::size_t kMaxResponseBody = 64 * 1024 * 1024;

/// "64 MiB" for whole MiB, else "1000 bytes": how size limits are named in errors.
std::string describe_size(std::size_t bytes);

struct HttpRequest {
  std::string method = "GET";
  std::string path;  ///< appended to the client's base URL: "/v1.41/containers/json?all=1"
  std::vector<std::pair<std::string, std::string>>
      headers;               ///< e.g. {"X-aws-ec2-metadata-token", "..."}
  std::string body;          ///< sent as is when not empty (and always for POST and PUT)
  std::string content_type;  ///< header added when not empty, e.g. "application/json"
  /// Whole-request limit, connection included. Every request has one: a hung peer must never
  /// hang the caller.
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
  /// When set, a successful (2xx) response body is handed over chunk by chunk as it arrives and
  /// not kept in HttpResponse::body (streams such as Docker's pull progress can be long). Error
  /// bodies are still kept in HttpResponse::body, so their message can be read.
  std::function<void(std::string_view chunk)> body_sink;
  /// A body longer than this (error bodies included; not what goes to body_sink) fails the
  /// request with HttpFailure(0) naming the limit.
  std::size_t max_body = kMaxResponseBody;
};

struct HttpResponse {
  long status = 0;
  std::string body;
  /// Headers of the final response, names in lower case, in the order received.
  std::vector<std::pair<std::string, std::string>> headers;

  /// Value of the first header with this name (any case), or nullopt.
  std::optional<std::string> header(std::string_view name) const;
  bool ok() const { return status >= 200 && status < 300; }
};

/// PEM files for https:// URLs. The peer is always verified (certificate chain and host name):
/// against `ca` when set, else against the system's CAs. `cert` and `key` are the client's own
/// certificate and key, for daemons that require one (dockerd --tlsverify).
struct TlsFiles {
  std::string ca = {};
  std::string cert = {};
  std::string key = {};
  bool operator==(const TlsFiles&) const = default;
};

class HttpClient {
 public:
  /// `base_url` is "http://host:port" or "https://host:port" (no trailing slash needed). With
  /// `unix_socket` set, the connection goes to that socket and the host of `base_url` only
  /// fills the Host header.
  explicit HttpClient(std::string base_url, std::string unix_socket = {}, TlsFiles tls = {});

  /// Performs the request and returns any HTTP status as is. Throws HttpFailure with status 0
  /// on transport errors (cannot connect, timeout, reset), naming the method, URL and socket.
  HttpResponse perform(const HttpRequest& request) const;

  /// "http://localhost (unix socket /var/run/docker.sock)" or "http://h:2375": for messages.
  std::string describe() const;

 private:
  std::string base_url_;
  std::string unix_socket_;
  TlsFiles tls_;
};

/// The human part of an error body: the "message" member of a JSON object (Docker's
/// {"message": "..."}), else the trimmed text itself, cut to a readable length.
std::string error_message_from_body(std::string_view body);

/// Throws HttpFailure(status, "<method> <path>: <status>: <message from the body>").
[[noreturn]] void throw_http_failure(const HttpRequest& request, const HttpResponse& response);
/// The same, for callers that show another path than the one sent (without an API prefix).
[[noreturn]] void throw_http_failure(std::string_view method, std::string_view path,
                                     const HttpResponse& response);

/// Percent-encodes everything but RFC 3986 unreserved characters, for query values and
/// path segments.
std::string url_escape(std::string_view text);

}  // namespace dockerup
