// Engine over the Docker Engine API. Each method is one API call (pull reads a stream); errors
// carry the method, the path and Docker's own message.
#include "dockerup/docker_engine.hpp"

#include "api_version.hpp"
#include "create_body.hpp"
#include "podman_names.hpp"
#include "docker_json.hpp"
#include "pull_progress.hpp"
#include "registry_refusal.hpp"
#include "dockerup/http_client.hpp"
#include "dockerup/image_ref.hpp"
#include "dockerup/log.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <set>

namespace dockerup {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr milliseconds default_timeout = seconds(30);
/// A pull downloads layers; a big image over a slow link takes minutes.
constexpr milliseconds pull_timeout = seconds(600);
/// stop waits up to its own timeout before killing; the kill and cleanup need some more.
constexpr seconds stop_grace = seconds(30);

/// Container IDs and names, and image IDs and references, go into URL paths as they are: they
/// only use characters that need no escaping. Anything else is refused before it can reach
/// another endpoint ("../", "?").
std::string path_part(const std::string& text, bool allow_slash, std::string_view what) {
  bool usable = !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-' || c == ':' || c == '@' || (allow_slash && c == '/');
  });
  if (!usable || text.find("..") != std::string::npos) fail("invalid {} \"{}\"", what, text);
  return text;
}

std::string container_path(const std::string& id, std::string_view rest = {}) {
  return "/containers/" + path_part(id, false, "container id") + std::string(rest);
}

struct Call {
  std::string method;
  std::string path;  ///< without the /v<version> prefix
  std::string body;
  milliseconds timeout = default_timeout;
  std::set<long> also_fine = {};  ///< statuses besides 2xx that mean success (304)
  std::function<void(std::string_view)> body_sink = {};
  const RegistryAuth* auth = nullptr;  ///< sent as X-Registry-Auth when set
};

/// " (credentials for REGISTRY from ORIGIN)" for error messages: which credentials were used
/// tells the operator where to look, and names no secret.
std::string credentials_note(const ImageRef& ref, const RegistryAuth* auth) {
  if (!auth)
    return fmt::format(" (anonymous: no credentials for {})",
                       ref.registry.empty() ? "docker.io" : ref.registry);
  return fmt::format(" (credentials for {} from {})", auth->server_address, auth->origin);
}

class DockerEngine final : public Engine {
 public:
  explicit DockerEngine(const DockerEndpoint& endpoint)
      : http_(endpoint.base_url, endpoint.unix_socket, endpoint.tls) {}

  std::vector<ContainerSummary> list_containers() override {
    auto containers = parse_container_list(call({"GET", "/containers/json?all=1", ""}).body);
    if (daemon().podman) use_docker_spelling(containers);
    return containers;
  }

  ContainerDetails inspect_container(const std::string& id) override {
    return parse_container_inspect(call({"GET", container_path(id, "/json"), ""}).body);
  }

  std::vector<ImageSummary> list_images() override {
    auto images = parse_image_list(call({"GET", "/images/json", ""}).body);
    if (daemon().podman) use_docker_spelling(images);
    return images;
  }

  void pull(const std::string& reference, const RegistryAuth* auth,
            const PullObserver& observer = {}) override {
    ImageRef ref = parsed_reference(reference);
    // fromImage without a tag would pull every tag of the repository (the original's bug).
    std::string path = "/images/create?fromImage=" + url_escape(ref.name()) +
                       "&tag=" + url_escape(ref.digest.empty() ? ref.tag : ref.digest);
    PullStreamChecker checker;
    // A stream line that breaks a limit throws from inside the transfer; like an HTTP error it
    // becomes this pull's error, naming the image and the credentials used.
    // A long pull logs where it is about every 10 s, so a boot-time pull never looks like a hang.
    PullProgress progress(ref.str(), [] { return std::chrono::steady_clock::now(); },
                          [](const std::string& line) { log_info("{}", line); });
    if (observer) progress.observe(observer);
    Call pull_call{"POST", path, "", pull_timeout, {}, [&](std::string_view chunk) {
                     checker.feed(chunk);
                     progress.feed(chunk);
                   }};
    pull_call.auth = auth;
    try {
      call(pull_call);
    } catch (const HttpFailure& e) {  // status 0: the daemon itself did not answer
      fail_pull(ref, auth, e.what(), e.status() != 0 && registry_refused(e.status(), e.what()));
    } catch (const std::exception& e) {
      fail_pull(ref, auth, e.what(), false);
    }
    checker.finish();
    if (checker.error()) fail_pull(ref, auth, *checker.error(), registry_refused(0, *checker.error()));
  }

  /// nullopt whenever the daemon answers with an HTTP error: the registry is unreachable, does
  /// not know the name, or the daemon is too old for /distribution. The caller then cannot tell
  /// whether the image moved, which is what nullopt means (and the pull that follows reports the
  /// registry's error). A registry that refuses the credentials throws RegistryRefused: that is
  /// the operator's to fix, and no pull would get further. Transport errors (daemon down,
  /// timeout) throw: the daemon itself is in trouble.
  std::optional<std::string> registry_digest(const std::string& reference,
                                             const RegistryAuth* auth) override {
    ImageRef ref = parsed_reference(reference);
    if (!ref.digest.empty()) return ref.digest;  // a digest reference cannot move
    std::string path = "/distribution/" + path_part(ref.str(), true, "image reference") + "/json";
    Call digest_call{"GET", path, ""};
    digest_call.auth = auth;
    HttpResponse response = send(digest_call);
    if (!response.ok()) {
      std::string message = error_message_from_body(response.body);
      if (registry_refused(response.status, message))
        throw RegistryRefused(fmt::format("checking {} for a new image{}: the registry refused: {}",
                                          ref.str(), credentials_note(ref, auth), message));
      log_debug("registry digest of {}{}: GET {}: {}: {}", ref.str(), credentials_note(ref, auth), path,
                response.status, message);
      return std::nullopt;
    }
    return parse_distribution_digest(response.body);
  }

  std::string create(const CreateRequest& request) override {
    if (!request.spec.links.empty() && daemon().podman)
      fail("{}: $.links: the engine at {} is Podman, which does not support links (put the "
           "containers on one user-defined network and use their names instead)",
           request.spec.source.empty() ? request.name : request.spec.source, http_.describe());
    std::string path = "/containers/create?name=" + url_escape(request.name);
    return parse_created_id(call({"POST", path, make_create_body(request)}).body);
  }

  void start(const std::string& id) override {
    call({"POST", container_path(id, "/start"), "", default_timeout, {304}});
  }

  void stop(const std::string& id, int timeout_s) override {
    std::string path = container_path(id, "/stop?t=" + std::to_string(timeout_s));
    call({"POST", path, "", seconds(std::max(timeout_s, 0)) + stop_grace, {304}});
  }

  void remove(const std::string& id, bool remove_anonymous_volumes) override {
    std::string query = remove_anonymous_volumes ? "?force=1&v=1" : "?force=1&v=0";
    call({"DELETE", container_path(id, query), ""});
  }

  void rename(const std::string& id, const std::string& new_name) override {
    call({"POST", container_path(id, "/rename?name=" + url_escape(new_name)), ""});
  }

  void remove_image(const std::string& id) override {
    call({"DELETE", "/images/" + path_part(id, true, "image id"), ""});
  }

 private:
  static ImageRef parsed_reference(const std::string& reference) {
    auto ref = parse_image_ref(reference);
    if (!ref) fail("\"{}\" is not a valid image reference", reference);
    return *ref;
  }

  /// A refusal is thrown as RegistryRefused, so the run can tell it from an unreachable registry.
  [[noreturn]] static void fail_pull(const ImageRef& ref, const RegistryAuth* auth,
                                     std::string_view why, bool refused) {
    std::string message = fmt::format("pulling {}{}: {}", ref.str(), credentials_note(ref, auth), why);
    if (refused) throw RegistryRefused(message);
    throw Failure(message);
  }

  /// Sends the call and throws HttpFailure unless the status means success.
  HttpResponse call(const Call& call) {
    HttpResponse response = send(call);
    if (!response.ok() && !call.also_fine.contains(response.status))
      throw_http_failure(call.method, call.path, response);
    return response;
  }

  HttpResponse send(const Call& call) {
    HttpRequest request;
    request.method = call.method;
    request.path = api_prefix() + call.path;
    request.body = call.body;
    if (!call.body.empty()) request.content_type = "application/json";
    request.timeout = call.timeout;
    request.body_sink = call.body_sink;
    if (call.auth) request.headers.emplace_back("X-Registry-Auth", x_registry_auth(*call.auth));
    return http_.perform(request);
  }

  /// "/v1.41": negotiated once, as the docker CLI does: the daemon's own API version, capped at
  /// the newest one dockerup is tested with; refused when the daemon no longer accepts that
  /// (api_version.hpp). A failed negotiation is not remembered: the next call asks again.
  std::string api_prefix() {
    daemon();
    return prefix_;
  }

  const DaemonVersion& daemon() {
    std::lock_guard lock(version_mutex_);
    if (prefix_.empty()) {
      HttpRequest request;
      request.path = "/version";
      HttpResponse response = http_.perform(request);
      if (!response.ok()) throw_http_failure(request, response);
      DaemonVersion daemon = parse_daemon_version(response.body);
      std::string version = negotiate_api_version(daemon, http_.describe());
      if (std::string warning = untested_api_warning(daemon, version, http_.describe());
          !warning.empty())
        log_warning("{}", warning);
      log_debug("{} {} at {} speaks API {} (oldest {}); using {}",
                daemon.podman ? "Podman" : "Docker", daemon.version, http_.describe(),
                daemon.api_version, daemon.min_api_version, version);
      daemon_ = std::move(daemon);
      prefix_ = "/v" + version;
    }
    return daemon_;
  }

  HttpClient http_;
  std::mutex version_mutex_;
  std::string prefix_;
  DaemonVersion daemon_;
};

}  // namespace

std::unique_ptr<Engine> make_docker_engine(const DockerEndpoint& endpoint) {
  return std::make_unique<DockerEngine>(endpoint);
}

}  // namespace dockerup
