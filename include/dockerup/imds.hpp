// Client of the EC2 instance metadata service (IMDSv2, IMDSv1 only as a fallback), reduced to
// the one thing dockerup reads: user-data.
#pragma once

#include "dockerup/settings.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace dockerup {

/// EC2 limits user-data to 16 KiB; an answer far bigger than that is not a metadata service,
/// and is refused instead of being kept in memory.
inline constexpr std::size_t kMaxUserDataBody = 4 * 1024 * 1024;

struct ImdsOptions {
  std::string endpoint = "http://169.254.169.254";  ///< scheme://host[:port], no trailing slash
  bool allow_imdsv1 = true;  ///< GET without a token when the token endpoint is absent (404/405)
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds total_timeout{3000};  ///< per request
  int attempts = 3;
  std::chrono::milliseconds first_backoff{200};  ///< doubled after each failed attempt
  std::size_t max_body = kMaxUserDataBody;  ///< a longer answer fails the request, naming the limit
};

/// Endpoint: `env_endpoint` (AWS_EC2_METADATA_SERVICE_ENDPOINT) when set and not empty, else
/// settings.aws_endpoint, else http://169.254.169.254; a trailing '/' is dropped.
std::string imds_endpoint(const Settings& settings, const char* env_endpoint);

/// Options for this process: imds_endpoint() with the real environment, settings.aws_imdsv1.
ImdsOptions imds_options(const Settings& settings);

/// What the metadata service said about user-data.
struct UserDataFetch {
  enum class Outcome {
    Ok,          ///< `body` is the user-data
    None,        ///< the instance has no user-data (404): zero containers, a real answer
    Unavailable  ///< no answer we can trust; `reason` says why
  };
  Outcome outcome = Outcome::Unavailable;
  std::string body;
  std::string reason;
};

struct HttpReply {
  long status = 0;
  std::string body;
};

/// One HTTP exchange; abstract so the protocol can be tested against a fake.
class ImdsHttp {
 public:
  virtual ~ImdsHttp() = default;
  /// Throws Failure when no HTTP answer came back (refused, timed out, reset).
  virtual HttpReply send(const std::string& method, const std::string& url,
                         const std::map<std::string, std::string>& headers) = 0;
};

/// The libcurl implementation: no proxy, no redirects, the options' timeouts.
std::unique_ptr<ImdsHttp> make_curl_imds_http(const ImdsOptions& options);

/// Keeps its session token between fetches and asks for a new one when it is refused (401).
class ImdsClient {
 public:
  explicit ImdsClient(ImdsOptions options);  ///< HTTP through libcurl
  ImdsClient(ImdsOptions options, std::unique_ptr<ImdsHttp> http);

  /// Up to `attempts` tries with backoff; never throws.
  UserDataFetch fetch_user_data();
  /// Any other document of the service, by path ("/latest/meta-data/instance-id"), the same way.
  UserDataFetch fetch(const std::string& path);

 private:
  UserDataFetch try_fetch(const std::string& path);
  /// A fresh token; nullopt when the service has no token endpoint and IMDSv1 is allowed.
  std::optional<std::string> request_token();
  HttpReply get(const std::string& path);

  ImdsOptions options_;
  std::unique_ptr<ImdsHttp> http_;
  std::optional<std::string> token_;
  bool imdsv1_ = false;  ///< the token endpoint was found absent
};

}  // namespace dockerup
