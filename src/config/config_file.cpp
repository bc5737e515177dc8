// dockerup.conf through inih. inih's handler does not receive line numbers in Debian's build, so
// the text is fed to ini_parse_stream one line per read: the reader then knows which line the
// handler is looking at, and every message can say "dockerup.conf:12".
#include "dockerup/config_file.hpp"

#include "dockerup/atomic_file.hpp"

#include <fmt/format.h>
#include <ini.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <map>

namespace dockerup {
namespace {

// inih's line buffer (INI_MAX_LINE, 200) must hold the line, "\r\n" and the final NUL.
constexpr std::size_t longest_line = 196;

struct LineFeeder {
  std::string_view text;
  std::size_t position = 0;
  int line = 0;  ///< number of the line handed to inih last
  std::vector<int> too_long;
};

char* feed_line(char* buffer, int size, void* stream) {
  auto& feeder = *static_cast<LineFeeder*>(stream);
  if (feeder.position >= feeder.text.size()) return nullptr;
  std::size_t end = feeder.text.find('\n', feeder.position);
  std::size_t next = end == std::string_view::npos ? feeder.text.size() : end + 1;
  std::string_view line = feeder.text.substr(feeder.position, next - feeder.position);
  feeder.position = next;
  ++feeder.line;
  // inih would split a longer line and read its tail as a line of its own: blank it instead.
  if (line.size() > longest_line || line.size() + 1 > static_cast<std::size_t>(size)) {
    feeder.too_long.push_back(feeder.line);
    line = "\n";
  }
  std::memcpy(buffer, line.data(), line.size());
  buffer[line.size()] = '\0';
  return buffer;
}

struct ConfigReader {
  Settings& settings;
  ConfigLoad& load;
  const std::string& source;
  const LineFeeder& feeder;
  std::map<std::string, int> first_line;  ///< key -> line that set it

  std::string at() const { return fmt::format("{}:{}", source, feeder.line); }

  void read(std::string_view section, std::string_view key, std::string_view value) {
    if (!section.empty()) {
      load.warnings.push_back(fmt::format("{}: key \"{}\" in section [{}] ignored (dockerup.conf "
                                          "has no sections)",
                                          at(), key, section));
      return;
    }
    std::string reason;
    switch (apply_setting(settings, key, value, reason)) {
      case SettingResult::UnknownKey:
        load.warnings.push_back(fmt::format("{}: unknown key \"{}\", ignored", at(), key));
        return;
      case SettingResult::BadValue:
      case SettingResult::OutOfRange: {
        std::string shown = is_secret_setting(key) ? "(hidden)" : fmt::format("\"{}\"", value);
        load.errors.push_back({fmt::format("{}: {}", at(), key),
                               fmt::format("bad value {}: {}", shown, reason)});
        return;
      }
      case SettingResult::Applied:
        note_repeat(std::string(key));
        return;
    }
  }

  void note_repeat(const std::string& key) {
    auto [first, inserted] = first_line.emplace(key, feeder.line);
    if (!inserted && first->second != feeder.line)
      load.warnings.push_back(fmt::format("{}: \"{}\" was already set on line {}; this value wins",
                                          at(), key, first->second));
  }
};

int on_key(void* user, const char* section, const char* name, const char* value) {
  static_cast<ConfigReader*>(user)->read(section, name, value);
  return 1;  // keep going: every problem of the file is reported at once
}


}  // namespace

ConfigLoad parse_config_text(const std::string& text, const std::string& source,
                             Settings& settings) {
  ConfigLoad load;
  load.found = true;
  LineFeeder feeder;
  feeder.text = text;
  ConfigReader reader{settings, load, source, feeder, {}};
  int first_bad_line = ini_parse_stream(feed_line, &feeder, on_key, &reader);
  for (int line : feeder.too_long)
    load.errors.push_back({fmt::format("{}:{}", source, line),
                           fmt::format("line longer than {} characters, ignored", longest_line)});
  if (first_bad_line > 0)
    load.errors.push_back({fmt::format("{}:{}", source, first_bad_line),
                           "expected key=value, a comment or a blank line"});
  return load;
}

ConfigLoad load_config_file(const std::string& path, Settings& settings) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) {
    int error = errno;
    ConfigLoad load;
    load.found = error != ENOENT && error != ENOTDIR;  // missing: the defaults apply
    if (load.found)
      load.errors.push_back({path, fmt::format("cannot read: {}", std::strerror(error))});
    return load;
  }
  ConfigLoad failed;
  failed.found = true;
  if (S_ISDIR(info.st_mode)) {
    failed.errors.push_back({path, "cannot read: is a directory"});
    return failed;
  }
  std::string problem;
  auto text = read_whole_file(path, problem);
  if (!text) {
    failed.errors.push_back({path, fmt::format("cannot read: {}", problem)});
    return failed;
  }
  return parse_config_text(*text, path, settings);
}

}  // namespace dockerup
