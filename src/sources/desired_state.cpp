// The whole desired state: containers.d plus EC2 user-data, with last-known-good copies.
//
// When dockerup removes a container, as far as the sources are concerned: only when the source
// that declared it was read completely this run and no longer declares it (its containers.d file
// was deleted from a readable confdir, or user-data was fetched and parsed and no longer lists
// it). A source that fails, or is stood in for by its last-known-good copy, removes nothing.
#include "dockerup/lkg.hpp"
#include "dockerup/sources.hpp"
#include "dockerup/user_data.hpp"
#include "merge.hpp"

namespace dockerup {

namespace {

const std::string kSource(kUserDataSource);

/// Adds parsed specs and messages; returns whether the body was complete.
bool add_parsed(UserDataParse parsed, SourceLoad& load) {
  for (auto& spec : parsed.specs) add_spec(load.state, std::move(spec));
  load.state.errors.insert(load.state.errors.end(), parsed.errors.begin(), parsed.errors.end());
  load.warnings.insert(load.warnings.end(), parsed.warnings.begin(), parsed.warnings.end());
  return parsed.complete;
}

void add_fetched(const std::string& body, LastKnownGood& store, Settings& settings,
                 SourceLoad& load) {
  if (!add_parsed(parse_user_data(body, settings), load)) {
    load.state.failed_sources.insert(kSource);
    return;
  }
  load.state.complete_sources.insert(kSource);
  store.save_user_data(body);  // a copy that cannot be written is reported by the store
}

void add_last_known_good(const std::string& reason, LastKnownGood& store, Settings& settings,
                         SourceLoad& load) {
  auto copy = store.user_data();
  if (!copy) {
    load.state.failed_sources.insert(kSource);
    load.state.errors.push_back(
        {kSource, fmt::format("metadata service unavailable: {}; no last-known-good copy, so "
                              "user-data containers are kept as they are", reason)});
    return;
  }
  load.warnings.push_back(fmt::format(
      "user-data: metadata service unavailable ({}); using the last fetched user-data", reason));
  // Neither complete nor failed: its containers are kept up to date, nothing is removed.
  if (add_parsed(parse_user_data(*copy, settings), load)) return;
  // Only complete bodies are saved: this copy is corrupt. What still parses is used this run;
  // the copy is moved aside so that no later run trusts it.
  load.state.failed_sources.insert(kSource);
  store.set_aside_user_data("the last-known-good copy of user-data is invalid");
}

}  // namespace

void add_user_data(const UserDataFetch& fetch, LastKnownGood& store, Settings& settings,
                   SourceLoad& load) {
  switch (fetch.outcome) {
    case UserDataFetch::Outcome::Ok:
      add_fetched(fetch.body, store, settings, load);
      return;
    case UserDataFetch::Outcome::None:
      load.state.complete_sources.insert(kSource);
      store.drop_user_data();
      return;
    case UserDataFetch::Outcome::Unavailable:
      add_last_known_good(fetch.reason, store, settings, load);
      return;
  }
}

SourceLoad load_desired_state(Settings& settings) { return load_desired_state(settings, {}); }

SourceLoad load_desired_state(Settings& settings, const MoreSources& more,
                              SpecFileCache* parsed) {
  // Dry runs read the copies but never write them: they must leave no trace.
  LastKnownGood store(settings.cache_dir, settings.dry_run);
  // User-data first: its settings keys (interval, pull, ...) apply to this run.
  SourceLoad user_data;
  if (settings.aws) {
    ImdsClient client(imds_options(settings));
    add_user_data(client.fetch_user_data(), store, settings, user_data);
  }
  SourceLoad more_load;
  if (more) more(settings, store, more_load);
  SourceLoad load = load_confdir(
      settings.confdir, {.strict_modes = settings.strict_modes, .last_known_good = &store, .parsed = parsed});
  // Confdir specs first, so conflict messages name the file before "user-data".
  merge_states(load.state, std::move(user_data.state));
  load.warnings.insert(load.warnings.end(), user_data.warnings.begin(), user_data.warnings.end());
  merge_states(load.state, std::move(more_load.state));
  load.warnings.insert(load.warnings.end(), more_load.warnings.begin(), more_load.warnings.end());
  // Copies that could not be written, read or removed, and corrupt ones moved aside.
  Errors problems = store.take_problems();
  load.state.errors.insert(load.state.errors.end(), problems.begin(), problems.end());
  return load;
}

}  // namespace dockerup
