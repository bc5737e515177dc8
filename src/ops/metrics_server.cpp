// /metrics and /healthz over libmicrohttpd (see metrics.hpp for why that library).
#include "dockerup/metrics.hpp"

#include "dockerup/error.hpp"

#include <microhttpd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <string_view>

namespace dockerup {
namespace {

constexpr unsigned kConnectionLimit = 64;       ///< in total
constexpr unsigned kConnectionsPerAddress = 4;  ///< per client IP address
constexpr unsigned kIdleTimeoutSeconds = 3;     ///< a connection that sends nothing is closed

/// A parsed listen address, in the form MHD_OPTION_SOCK_ADDR wants.
struct ListenAddress {
  sockaddr_storage storage{};
  bool ipv6 = false;
  std::uint16_t port = 0;  ///< only for libmicrohttpd's own messages
};

ListenAddress parse_listen(const std::string& listen) {
  std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos) fail("metrics_listen \"{}\": expected ADDRESS:PORT", listen);
  std::string host = listen.substr(0, colon);
  std::string port_text = listen.substr(colon + 1);
  char* end = nullptr;
  long port = std::strtol(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end != '\0' || port < 0 || port > 65535)
    fail("metrics_listen \"{}\": bad port \"{}\"", listen, port_text);

  ListenAddress address;
  address.port = static_cast<std::uint16_t>(port);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&address.storage);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<std::uint16_t>(port));
    if (inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &v6->sin6_addr) != 1)
      fail("metrics_listen \"{}\": bad IPv6 address", listen);
    address.ipv6 = true;
    return address;
  }
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address.storage);
  v4->sin_family = AF_INET;
  v4->sin_port = htons(static_cast<std::uint16_t>(port));
  if (host.empty() || host == "*")
    v4->sin_addr.s_addr = htonl(INADDR_ANY);
  else if (host == "localhost")
    v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  else if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) != 1)
    fail("metrics_listen \"{}\": bad IPv4 address \"{}\" (use a numeric address)", listen, host);
  return address;
}

MHD_Result reply(MHD_Connection* connection, unsigned status, const std::string& body,
                 const char* content_type) {
  MHD_Response* response =
      MHD_create_response_from_buffer(body.size(), const_cast<char*>(body.data()),
                                      MHD_RESPMEM_MUST_COPY);
  if (!response) return MHD_NO;
  MHD_add_response_header(response, "Content-Type", content_type);
  MHD_Result queued = MHD_queue_response(connection, status, response);
  MHD_destroy_response(response);
  return queued;
}

/// The access handler: GET or HEAD of /metrics or /healthz; anything else 404 or 405.
MHD_Result handle(void* context, MHD_Connection* connection, const char* url, const char* method,
                  const char*, const char*, size_t*, void**) {
  const auto& metrics = *static_cast<const Metrics*>(context);
  std::string_view verb(method);
  std::string_view path(url);
  if (path != "/metrics" && path != "/healthz")
    return reply(connection, MHD_HTTP_NOT_FOUND, "not found: try /metrics or /healthz\n",
                 "text/plain; charset=utf-8");
  if (verb != "GET" && verb != "HEAD")
    return reply(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET\n", "text/plain; charset=utf-8");
  if (path == "/metrics")
    return reply(connection, MHD_HTTP_OK, metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
  // /healthz: the process answers, and the Docker engine did at the last run. A failed run
  // (a bad image, say) is not "unhealthy": restarting dockerup would not fix it.
  if (!metrics.engine_reachable())
    return reply(connection, MHD_HTTP_SERVICE_UNAVAILABLE, "docker engine unreachable\n",
                 "text/plain; charset=utf-8");
  return reply(connection, MHD_HTTP_OK, metrics.any_run() ? "ok\n" : "ok (no run yet)\n",
               "text/plain; charset=utf-8");
}

}  // namespace

struct MetricsServer::Daemon {
  MHD_Daemon* handle = nullptr;
  ~Daemon() {
    if (handle) MHD_stop_daemon(handle);
  }
};

MetricsServer::MetricsServer(const std::string& listen, const Metrics& metrics)
    : daemon_(std::make_unique<Daemon>()) {
  ListenAddress address = parse_listen(listen);
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
  if (address.ipv6) flags |= MHD_USE_IPv6;
  // One client must not lock out the others: a few connections per address, dropped after a
  // short idle time, so half-sent requests cannot hold /healthz hostage for long.
  daemon_->handle = MHD_start_daemon(
      flags, address.port, nullptr, nullptr, &handle, const_cast<Metrics*>(&metrics), MHD_OPTION_SOCK_ADDR,
      reinterpret_cast<sockaddr*>(&address.storage), MHD_OPTION_CONNECTION_TIMEOUT,
      kIdleTimeoutSeconds, MHD_OPTION_CONNECTION_LIMIT, kConnectionLimit,
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, kConnectionsPerAddress, MHD_OPTION_END);
  if (!daemon_->handle)
    fail("metrics_listen \"{}\": cannot listen there (address in use or not on this host?)", listen);
  const MHD_DaemonInfo* info = MHD_get_daemon_info(daemon_->handle, MHD_DAEMON_INFO_BIND_PORT);
  port_ = info ? info->port : 0;
}

MetricsServer::~MetricsServer() = default;

}  // namespace dockerup
