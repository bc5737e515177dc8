#include "fleet_url.hpp"

#include "dockerup/ascii.hpp"

#include <fmt/format.h>

#include <cctype>

namespace dockerup::fleet {
namespace {

/// "host[:port]" of "scheme://host[:port]/path", lower-cased, brackets kept for IPv6.
std::string authority_host(const std::string& rest) {
  std::string authority = rest.substr(0, rest.find('/'));
  std::string host;
  if (authority.starts_with('[')) {
    host = authority.substr(0, authority.find(']') + 1);
  } else {
    host = authority.substr(0, authority.find(':'));
  }
  return ascii_lower(host);
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "[::1]" || host.starts_with("127.");
}

}  // namespace

std::optional<FleetUrl> parse_fleet_url(const std::string& text, std::string& error) {
  FleetUrl url;
  url.text = text;
  if (text.starts_with("s3://")) {
    std::string rest = text.substr(5);
    auto slash = rest.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == rest.size()) {
      error = fmt::format("{}: expected s3://BUCKET/KEY", text);
      return std::nullopt;
    }
    url.scheme = FleetUrl::Scheme::S3;
    url.bucket = rest.substr(0, slash);
    url.key = rest.substr(slash + 1);
    return url;
  }
  for (auto [prefix, scheme] : {std::pair{"https://", FleetUrl::Scheme::Https},
                                std::pair{"http://", FleetUrl::Scheme::Http}}) {
    std::string_view p(prefix);
    if (!text.starts_with(p)) continue;
    std::string host = authority_host(text.substr(p.size()));
    if (host.empty()) {
      error = fmt::format("{}: no host", text);
      return std::nullopt;
    }
    if (scheme == FleetUrl::Scheme::Http && !is_loopback(host)) {
      error = fmt::format("{}: plain http:// is only accepted for loopback addresses (tests); "
                          "use https:// or s3://", text);
      return std::nullopt;
    }
    url.scheme = scheme;
    return url;
  }
  error = fmt::format("{}: expected an https://, s3://BUCKET/KEY or loopback http:// URL", text);
  return std::nullopt;
}

std::optional<std::string> s3_endpoint_problem(const std::string& endpoint) {
  const bool plain = endpoint.starts_with("http://");
  if (!plain && !endpoint.starts_with("https://"))
    return fmt::format("s3_endpoint {}: expected https://HOST[:PORT]", endpoint);
  std::string host = authority_host(endpoint.substr(plain ? 7 : 8));
  if (host.empty()) return fmt::format("s3_endpoint {}: no host", endpoint);
  if (plain && !is_loopback(host))
    return fmt::format("s3_endpoint {}: plain http:// is only accepted for loopback addresses "
                       "(tests); use https://", endpoint);
  return std::nullopt;
}

std::string encode_key(const std::string& key) {
  std::string out;
  for (unsigned char c : key) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/')
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string request_url(const FleetUrl& url, const std::string& region,
                        const std::string& s3_endpoint) {
  if (url.scheme != FleetUrl::Scheme::S3) return url.text;
  if (!s3_endpoint.empty()) {
    std::string endpoint = s3_endpoint;
    while (endpoint.ends_with('/')) endpoint.pop_back();
    return fmt::format("{}/{}/{}", endpoint, url.bucket, encode_key(url.key));
  }
  return fmt::format("https://{}.s3.{}.amazonaws.com/{}", url.bucket, region, encode_key(url.key));
}

}  // namespace dockerup::fleet
