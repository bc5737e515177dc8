// One fleet source per run:
//   1. a change waiting for this host's stagger slot whose time has come is applied;
//   2. a conditional GET (If-None-Match/If-Modified-Since of the version held): 304 costs
//      nothing, 200 is parsed and must be complete, 404 means the document is gone;
//   3. a new version is applied at once when nothing was applied before or there is no
//      stagger; else it waits until first-seen + hash(host) mod stagger;
//   4. the version in effect declares the containers. Any failure (no answer, 5xx, 403, a bad
//      signature, a document that is not valid) leaves the version in effect standing in:
//      neither complete nor failed, so nothing is removed because the source hiccuped.
#include "dockerup/config_file.hpp"
#include "dockerup/error.hpp"
#include "dockerup/fleet.hpp"
#include "dockerup/log.hpp"
#include "dockerup/user_data.hpp"
#include "fleet_dependencies.hpp"
#include "fleet_state.hpp"
#include "fleet_url.hpp"
#include "stagger.hpp"

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>
#include <deque>

namespace dockerup {

using namespace fleet;

namespace {

/// What the server said, reduced to what the rules need.
struct Fetched {
  std::optional<Version> latest;  ///< a usable answer: the current version (or gone)
  std::string failure;            ///< else why not (a warning when a copy stands in)
  Errors errors;                  ///< a 200 whose document is not valid
};

struct CachedParse {
  std::string url;
  std::string body;
  UserDataParse parse;
};

/// Parsed documents of this process: a server re-parses nothing while the ETag holds.
constexpr std::size_t kParseCacheSize = 8;

std::string short_reason(const FleetReply& reply) {
  std::string reason = fmt::format("HTTP {}", reply.status);
  auto code = reply.body.find("<Code>");  // S3 says why in an XML error document
  auto end = reply.body.find("</Code>");
  if (code != std::string::npos && end != std::string::npos && end > code)
    reason += " " + reply.body.substr(code + 6, end - code - 6);
  return reason;
}

}  // namespace

struct FleetSources::Impl {
  Dependencies deps;
  std::unique_ptr<AwsIdentity> aws;
  std::optional<std::string> host_id;
  std::deque<CachedParse> cache;
  std::size_t parses = 0;

  AwsIdentity& identity(const Settings& settings) {
    if (!aws) aws = std::make_unique<AwsIdentity>(deps.make_imds(settings), deps.clock, deps.getenv);
    return *aws;
  }

  /// The instance ID with settings.aws (EC2), else the host name; asked once per process.
  const std::string& host_identity(const Settings& settings) {
    if (!host_id) {
      if (settings.aws) host_id = identity(settings).instance_id();
      if (!host_id || host_id->empty()) host_id = deps.hostname();
    }
    return *host_id;
  }

  const UserDataParse& parsed(const std::string& url, const std::string& body) {
    for (const auto& entry : cache)
      if (entry.url == url && entry.body == body) return entry.parse;
    Settings scratch;  // the keys are applied to each run's settings by apply_keys
    ++parses;
    cache.push_back({url, body, parse_user_data(body, scratch, {url, "fleet"})});
    if (cache.size() > kParseCacheSize) cache.pop_front();
    return cache.back().parse;
  }

  FleetRequest request_for(const FleetUrl& url, const Settings& settings, const Version* held);
  Fetched fetch(const FleetUrl& url, const Settings& settings, const Version* held);
  void decide(const std::string& url, const Version& latest, int window, const Settings& settings,
              SourceState& state, LastKnownGood& store);
  void add_one(const std::string& url_text, Settings& settings, LastKnownGood& store,
               SourceLoad& load);
};

namespace {

/// The document's settings keys onto this run's settings. source_url is refused: a fleet
/// document naming more fleet documents would make the set of sources depend on itself.
void apply_keys(const UserDataParse& parse, const std::string& url, Settings& settings,
                SourceLoad& load) {
  for (const auto& [key, value] : parse.settings) {
    std::string reason;
    if (key == "source_url")
      load.warnings.push_back(fmt::format("{}: $.source_url: not accepted in a fleet document, "
                                          "ignored", url));
    else
      apply_setting(settings, key, value, reason);  // checked when the document was parsed
  }
}

void add_parse(const UserDataParse& parse, SourceLoad& load) {
  for (auto spec : parse.specs) load.state.specs.push_back(std::move(spec));
  load.state.errors.insert(load.state.errors.end(), parse.errors.begin(), parse.errors.end());
  load.warnings.insert(load.warnings.end(), parse.warnings.begin(), parse.warnings.end());
}

void promote_if_due(const std::string& url, TimePoint now, SourceState& state,
                    LastKnownGood& store) {
  if (!state.pending || now < state.pending->applies_at) return;
  log_info("fleet source {}: applying the change seen at {} (stagger slot reached)", url,
           utc_text(state.pending->seen_at));
  state.applied = std::move(state.pending->version);
  state.pending.reset();
  save_applied(store, url, *state.applied);
  drop_pending(store, url);
}

}  // namespace

FleetRequest FleetSources::Impl::request_for(const FleetUrl& url, const Settings& settings,
                                             const Version* held) {
  FleetRequest request;
  if (url.scheme == FleetUrl::Scheme::S3) {
    AwsIdentity& aws_identity = identity(settings);
    // A region is needed to sign; an S3-compatible store at s3_endpoint takes any.
    try {
      request.region = aws_identity.region();
    } catch (const Failure&) {
      if (settings.s3_endpoint.empty()) throw;
      request.region = "us-east-1";
    }
    request.credentials = aws_identity.credentials();
  }
  request.url = request_url(url, request.region, settings.s3_endpoint);
  request.loopback = url.scheme == FleetUrl::Scheme::Http ||
                     (url.scheme == FleetUrl::Scheme::S3 && request.url.starts_with("http://"));
  if (held && !held->gone) {
    request.if_none_match = held->etag;
    request.if_modified_since = held->last_modified;
  }
  return request;
}

Fetched FleetSources::Impl::fetch(const FleetUrl& url, const Settings& settings,
                                  const Version* held) {
  FleetReply reply;
  try {
    reply = deps.http->get(request_for(url, settings, held));
  } catch (const Failure& failure) {
    return {std::nullopt, failure.what(), {}};
  }
  if (reply.status == 304 && held && !held->gone) return {*held, "", {}};
  if (reply.status == 404) return {Version{.gone = true}, "", {}};
  if (reply.status != 200) return {std::nullopt, short_reason(reply), {}};
  const UserDataParse& parse = parsed(url.text, reply.body);
  if (!parse.complete) {
    Errors errors = parse.errors;
    return {std::nullopt, "the document is not valid", errors};
  }
  return {Version{.etag = reply.etag, .last_modified = reply.last_modified, .body = reply.body}, "",
          {}};
}

void FleetSources::Impl::decide(const std::string& url, const Version& latest, int window,
                                const Settings& settings, SourceState& state,
                                LastKnownGood& store) {
  TimePoint now = deps.clock();
  bool unchanged = state.applied && state.applied->same_as(latest);
  if (!state.applied || unchanged || window <= 0) {
    // Nothing to keep, nothing new, or no stagger: the latest version is the one in effect
    // (saved again when only its ETag moved, so the next request can be answered 304).
    state.applied = latest;
    save_applied(store, url, latest);
    if (state.pending) drop_pending(store, url);
    state.pending.reset();
    return;
  }
  if (state.pending && state.pending->version.same_as(latest)) return;  // still waiting
  // A second change while one waits keeps the slot: the host applies the newest version then.
  TimePoint seen = state.pending ? state.pending->seen_at : now;
  const std::string& host = host_identity(settings);
  int delay = stagger_delay_seconds(host, window);
  state.pending = Pending{.version = latest, .seen_at = seen,
                          .applies_at = seen + std::chrono::seconds(delay)};
  log_info("fleet source {} changed; this host ({}) applies it {} s after first seeing it, at {}",
           url, host, delay, utc_text(state.pending->applies_at));
  save_pending(store, url, *state.pending);
  promote_if_due(url, now, state, store);
}

void FleetSources::Impl::add_one(const std::string& url_text, Settings& settings,
                                 LastKnownGood& store, SourceLoad& load) {
  std::string error, where = "source_url";
  auto url = parse_fleet_url(url_text, error);
  if (url && url->scheme == FleetUrl::Scheme::S3 && !settings.s3_endpoint.empty())
    if (auto problem = s3_endpoint_problem(settings.s3_endpoint)) {
      url.reset();
      error = *problem;
      where = url_text;
    }
  if (!url) {  // its containers are kept as they are
    load.state.failed_sources.insert(url_text);
    load.state.errors.push_back({where, error});
    return;
  }
  SourceState state = load_state(store, url_text);
  promote_if_due(url_text, deps.clock(), state, store);
  const Version* held = state.pending ? &state.pending->version
                                      : (state.applied ? &*state.applied : nullptr);
  Fetched fetched = fetch(*url, settings, held);

  // The window the fleet runs under now: the settings, or the version in effect's "stagger".
  Settings probe = settings;
  SourceLoad probe_warnings;
  if (state.applied && !state.applied->gone)
    apply_keys(parsed(url_text, state.applied->body), url_text, probe, probe_warnings);
  if (fetched.latest) decide(url_text, *fetched.latest, probe.stagger, settings, state, store);

  load.state.errors.insert(load.state.errors.end(), fetched.errors.begin(), fetched.errors.end());
  if (!state.applied) {
    load.state.failed_sources.insert(url_text);
    load.state.errors.push_back(
        {url_text, fmt::format("cannot read the fleet document ({}) and there is no last good "
                               "copy, so its containers are kept as they are", fetched.failure)});
    return;
  }
  if (!fetched.latest)
    load.warnings.push_back(fmt::format("{}: {}; using the last good version", url_text,
                                        fetched.failure));
  else
    load.state.complete_sources.insert(url_text);
  if (state.pending)
    load.warnings.push_back(fmt::format("fleet source {} changed; applies at {}", url_text,
                                        utc_text(state.pending->applies_at)));
  if (state.applied->gone) return;
  const UserDataParse& parse = parsed(url_text, state.applied->body);
  apply_keys(parse, url_text, settings, load);
  add_parse(parse, load);
}

FleetSources::FleetSources() : FleetSources(real_dependencies()) {}

FleetSources::FleetSources(Dependencies dependencies)
    : impl_(std::make_unique<Impl>(Impl{std::move(dependencies), {}, {}, {}, 0})) {}

FleetSources::~FleetSources() = default;

void FleetSources::add(Settings& settings, LastKnownGood& store, SourceLoad& load) {
  const std::vector<std::string> urls = settings.source_urls;  // a document may not add more
  for (const auto& url : urls) {
    try {
      impl_->add_one(url, settings, store, load);
    } catch (const Failure& failure) {  // no identity, no request: keep everything
      load.state.failed_sources.insert(url);
      load.state.errors.push_back({url, failure.what()});
    }
  }
  // A change waiting for a source no longer configured never applies: status stops saying so.
  for (const auto& notice : pending_notices(settings.cache_dir))
    if (std::find(urls.begin(), urls.end(), notice.url) == urls.end())
      drop_pending(store, notice.url);
}

std::size_t FleetSources::documents_parsed() const { return impl_->parses; }

MoreSources FleetSources::as_source() {
  return [this](Settings& settings, LastKnownGood& store, SourceLoad& load) {
    add(settings, store, load);
  };
}

std::string add_fleet_pending_json(const std::string& status_json, const std::string& cache_dir) {
  auto notices = pending_notices(cache_dir);
  rapidjson::Document doc;
  doc.Parse(status_json.data(), status_json.size());
  if (notices.empty() || doc.HasParseError() || !doc.IsObject()) return status_json;
  auto& alloc = doc.GetAllocator();
  rapidjson::Value list(rapidjson::kArrayType);
  for (const auto& notice : notices) {
    rapidjson::Value entry(rapidjson::kObjectType);
    entry.AddMember("url", rapidjson::Value(notice.url.c_str(), alloc), alloc);
    entry.AddMember("applies_at", rapidjson::Value(utc_text(notice.applies_at).c_str(), alloc),
                    alloc);
    list.PushBack(entry, alloc);
  }
  doc.AddMember("fleet_pending", list, alloc);
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

std::vector<std::string> fleet_status_lines(const std::string& cache_dir) {
  std::vector<std::string> lines;
  for (const auto& notice : pending_notices(cache_dir))
    lines.push_back(fmt::format("fleet source {} changed; applies at {}", notice.url,
                                utc_text(notice.applies_at)));
  return lines;
}

}  // namespace dockerup
