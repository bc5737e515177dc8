// One conditional GET of a fleet document, optionally signed with AWS Signature V4.
#pragma once

#include "aws_identity.hpp"

#include <memory>
#include <optional>
#include <string>

namespace dockerup::fleet {

struct FleetRequest {
  std::string url;
  std::string if_none_match;      ///< the ETag of the version we hold; empty: none
  std::string if_modified_since;  ///< its Last-Modified; empty: none
  /// Set for S3: sign the request for service s3 in `region` (libcurl's CURLOPT_AWS_SIGV4).
  std::optional<AwsCredentials> credentials;
  std::string region;
  bool loopback = false;  ///< never through a proxy (tests on 127.0.0.1)
};

struct FleetReply {
  long status = 0;
  std::string body;
  std::string etag;
  std::string last_modified;
};

class FleetHttp {
 public:
  virtual ~FleetHttp() = default;
  /// Throws Failure when no HTTP answer came back (refused, timed out, TLS error).
  virtual FleetReply get(const FleetRequest& request) = 0;
};

/// libcurl: 5 s to connect, 20 s in all, no redirects (a redirected S3 request would lose its
/// signature), TLS verified, documents up to 4 MiB.
std::unique_ptr<FleetHttp> make_curl_fleet_http();

}  // namespace dockerup::fleet
