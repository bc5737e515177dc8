// A fleet source's URL: which scheme, where the request goes, whether it must be signed.
#pragma once

#include <optional>
#include <string>

namespace dockerup::fleet {

struct FleetUrl {
  enum class Scheme { Https, Http, S3 };
  Scheme scheme = Scheme::Https;
  std::string text;    ///< as configured; the source name in labels, errors and status
  std::string bucket;  ///< S3 only
  std::string key;     ///< S3 only, without the leading '/'
};

/// https://HOST/PATH, http://LOOPBACK[:PORT]/PATH (127.0.0.0/8, localhost or [::1]: plain HTTP
/// would let anyone on the path decide what runs as root, so it is for tests only) or
/// s3://BUCKET/KEY. nullopt with `error` saying why for anything else.
std::optional<FleetUrl> parse_fleet_url(const std::string& text, std::string& error);

/// Why `s3_endpoint` cannot be used, or nullopt: https://HOST[:PORT], or http:// to a loopback
/// address only (a signed request proves nothing about the answer: over plain HTTP anyone on the
/// path could still decide what runs as root).
std::optional<std::string> s3_endpoint_problem(const std::string& endpoint);

/// The URL to GET: the URL itself for http(s); for S3 virtual-hosted style
/// https://BUCKET.s3.REGION.amazonaws.com/KEY, or path-style ENDPOINT/BUCKET/KEY when an
/// `s3_endpoint` (an S3-compatible store) is set. The key is percent-encoded as S3 signs it.
std::string request_url(const FleetUrl& url, const std::string& region,
                        const std::string& s3_endpoint);

/// RFC 3986 percent-encoding of everything but unreserved characters and '/'.
std::string encode_key(const std::string& key);

}  // namespace dockerup::fleet
