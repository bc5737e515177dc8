// One short request to a small HTTP service (the EC2 metadata service, a fleet document server),
// set up the same way for every such client so that none forgets a limit.
#pragma once

#include "dockerup/http_curl.hpp"

#include <chrono>
#include <cstddef>
#include <string>

namespace dockerup {

struct CurlFetch {
  std::string method = "GET";  ///< GET, or a method without a body (the IMDSv2 token's PUT)
  std::string url;
  const CurlSlist* headers = nullptr;  ///< owned by the caller; null: none
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{20000};
  std::size_t max_body = 0;  ///< a longer answer fails the request, naming the limit
  bool no_proxy = false;     ///< true for loopback and link-local peers (http_proxy never applies)
};

/// Sets `fetch` on `easy` (the caller adds what only it needs first: a header callback, SigV4),
/// runs the transfer and returns the HTTP status, the body in `body`. Never signals (the daemon
/// is threaded), never follows a redirect (it could leave the trusted host or drop a signature),
/// speaks http and https only. Throws "METHOD URL: reason" when no complete answer came back.
long perform_fetch(CurlEasy& easy, const CurlFetch& fetch, std::string& body);

}  // namespace dockerup
