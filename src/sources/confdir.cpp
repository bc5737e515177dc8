// containers.d: one container per `*.json` file, with last-known-good copies standing in for
// files that turned invalid or unreadable.
#include "dockerup/lkg.hpp"
#include "dockerup/sources.hpp"
#include "dockerup/spec_cache.hpp"
#include "dockerup/spec_parser.hpp"
#include "dockerup/trusted_path.hpp"
#include "merge.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace dockerup {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kExtension = ".json";

bool is_container_file_name(const std::string& name) {
  return name.size() > kExtension.size() && name.ends_with(kExtension);
}

/// Names of the `*.json` entries directly in `confdir`, sorted; nullopt (and `error`) when the
/// folder itself cannot be listed. Folders named `x.json` are not files and are skipped.
std::optional<std::vector<std::string>> list_container_files(const std::string& confdir,
                                                             std::string& error) {
  std::error_code ec;
  fs::directory_iterator it(confdir, ec);
  std::vector<std::string> names;
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    std::error_code type_ec;
    if (is_container_file_name(name) && !it->is_directory(type_ec)) names.push_back(name);
  }
  if (ec) {
    error = ec.message();
    return std::nullopt;
  }
  std::sort(names.begin(), names.end());
  return names;
}

/// The file opened (through checked folders under strict_modes), and read unless it still has
/// the stamp of its cached parse.
CheckedRead read_source_file(const std::string& path, const ConfdirOptions& options) {
  std::optional<FileStamp> known;
  if (options.parsed) known = options.parsed->stamp_of(path);
  return options.strict_modes ? read_checked_file(path, known) : read_plain_file(path, known);
}

/// False, with an error naming the file, when it is unreadable or (strict_modes) untrusted:
/// checked every run, whether or not its parse is cached.
bool readable_and_trusted(CheckedRead& read, const std::string& path, bool strict_modes,
                          Errors& errors) {
  if (!read.found) read.read_error = std::strerror(ENOENT);
  if (!read.read_error.empty()) {
    errors.push_back({path, "cannot read the file: " + read.read_error});
    return false;
  }
  if (strict_modes && !read.untrusted.empty()) {
    errors.push_back({path, untrusted_source_message(read.untrusted)});
    return false;
  }
  return true;
}

/// Reads and parses one file; nullopt with `errors` filled when it is unsafe, unreadable or
/// invalid. `fresh_text` gets what was parsed (for the last-known-good copy); it stays empty
/// when the file is unchanged since its cached parse, whose copy was saved then.
std::optional<ContainerSpec> parse_file(const std::string& path, const std::string& default_name,
                                        const ConfdirOptions& options,
                                        std::optional<std::string>& fresh_text, Errors& errors,
                                        std::vector<std::string>& warnings) {
  SpecFileCache* cache = options.parsed;
  CheckedRead read = read_source_file(path, options);
  if (!readable_and_trusted(read, path, options.strict_modes, errors)) {
    if (cache) cache->forget(path);
    return std::nullopt;
  }
  if (read.unchanged) {
    SpecFileParse entry = cache->at(path);
    warnings.insert(warnings.end(), entry.warnings.begin(), entry.warnings.end());
    return entry.spec;
  }
  SpecParse parsed = parse_spec_text(read.text, path, default_name);
  std::vector<std::string> said;
  for (const auto& warning : parsed.warnings) said.push_back(warning.str());
  warnings.insert(warnings.end(), said.begin(), said.end());
  if (!parsed.spec) {
    errors.insert(errors.end(), parsed.errors.begin(), parsed.errors.end());
    if (cache) cache->forget(path);
    return std::nullopt;
  }
  if (cache) cache->remember(path, read.stamp, {*parsed.spec, std::move(said)});
  fresh_text = std::move(read.text);
  return parsed.spec;
}

/// The cached last valid version of a file that failed this run, if there is one that parses.
std::optional<ContainerSpec> last_good_version(LastKnownGood& store, const std::string& file_name,
                                               const std::string& path,
                                               const std::string& default_name) {
  auto cached = store.confdir_file(file_name);
  if (!cached) return std::nullopt;
  auto parsed = parse_spec_text(*cached, path, default_name);
  if (!parsed.spec)
    store.set_aside_confdir_file(file_name, "the last-known-good copy of " + path + " is invalid");
  return parsed.spec;
}

void load_file(const std::string& confdir, const std::string& file_name,
               const ConfdirOptions& options, SourceLoad& load) {
  std::string path = confdir + "/" + file_name;
  std::string default_name = file_name.substr(0, file_name.size() - kExtension.size());
  std::optional<std::string> fresh_text;
  Errors errors;
  auto spec = parse_file(path, default_name, options, fresh_text, errors, load.warnings);
  if (spec) {
    // A copy that cannot be written is reported by the store (an error of the run); the parse
    // is then not kept either, so the next run reads the file and tries to save it again.
    if (options.last_known_good && fresh_text &&
        !options.last_known_good->save_confdir_file(file_name, *fresh_text) && options.parsed)
      options.parsed->forget(path);
    add_spec(load.state, std::move(*spec));
    return;
  }
  load.state.errors.insert(load.state.errors.end(), errors.begin(), errors.end());
  if (options.last_known_good) {
    if (auto good = last_good_version(*options.last_known_good, file_name, path, default_name)) {
      load.warnings.push_back(fmt::format(
          "{}: using its last valid version until the file is fixed", path));
      add_spec(load.state, std::move(*good));
      return;
    }
  }
  load.state.failed_sources.insert(path);
}

/// A confdir that is not trusted (strict_modes) declares nothing new: the last valid version of
/// each of its files stands in, and nothing it declared is removed.
void stand_in_for_confdir(const std::string& confdir, const std::string& why,
                          LastKnownGood* store, SourceLoad& load) {
  load.state.failed_sources.insert(confdir);
  load.state.errors.push_back({confdir, untrusted_source_message(why)});
  if (!store) return;
  for (const auto& file_name : store->confdir_file_names()) {
    if (!is_container_file_name(file_name)) continue;  // copies set aside as corrupt
    std::string path = confdir + "/" + file_name;
    std::string default_name = file_name.substr(0, file_name.size() - kExtension.size());
    if (auto good = last_good_version(*store, file_name, path, default_name)) {
      load.warnings.push_back(fmt::format("{}: using its last valid version", path));
      add_spec(load.state, std::move(*good));
    }
  }
}

}  // namespace

SourceLoad load_confdir(const std::string& confdir) { return load_confdir(confdir, {}); }

SourceLoad load_confdir(const std::string& confdir, const ConfdirOptions& options) {
  SourceLoad load;
  if (options.strict_modes) {
    if (std::string why = check_trusted_dir(confdir); !why.empty()) {
      stand_in_for_confdir(confdir, why, options.last_known_good, load);
      return load;
    }
  }
  std::string error;
  auto files = list_container_files(confdir, error);
  if (!files) {
    load.state.failed_sources.insert(confdir);
    load.state.errors.push_back({confdir, "cannot read the containers folder: " + error});
    return load;
  }
  load.state.complete_sources.insert(confdir);
  for (const auto& file_name : *files) load_file(confdir, file_name, options, load);
  if (options.parsed) options.parsed->keep_only(confdir, *files);
  // A file that is gone was deleted on purpose: its copy must not bring it back later.
  if (options.last_known_good) options.last_known_good->drop_confdir_files_except(*files);
  return load;
}

}  // namespace dockerup
