// The command line. Options are applied in the order given, so of two contradicting flags
// (--aws --no-aws) the last one wins, as with most Unix tools; Boost's variables_map would
// refuse the repeat instead, so the parsed options are walked directly.
#include "dockerup/cli.hpp"

#include "dockerup/config_file.hpp"

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <sstream>

namespace dockerup {
namespace {

namespace po = boost::program_options;

po::options_description visible_options() {
  po::options_description options("Options", /*line_length=*/100);
  auto text = [](const char* name) { return po::value<std::string>()->value_name(name); };
  options.add_options()
      ("config", text("FILE"), "configuration file (default /etc/dockerup/dockerup.conf)")
      ("cache", text("DIR"), "state directory (default /var/cache/dockerup)")
      ("confdir", text("DIR"), "directory of container *.json files")
      ("remote", text("URL"), "Docker Engine: unix:///var/run/docker.sock or tcp://HOST:PORT")
      ("interval", text("SECONDS"), "seconds between runs with --server")
      ("parallel", text("N"), "actions doing engine work at once (default 32; 1: one by one)")
      ("aws", "also read containers from EC2 user-data")
      ("no-aws", "do not read EC2 user-data")
      ("pull", "check registries for new images under the same tag")
      ("no-pull", "only pull images that are missing")
      ("server", "keep running: one run every --interval seconds")
      ("verbose,v", "log debug messages")
      ("dry-run", "print what would be done, change nothing")
      ("show-secrets", "show env values and passwords in output")
      ("json", "print status as JSON")
      ("log-format", text("FORMAT"), "log lines as text or json")
      ("metrics-listen", text("ADDR"), "serve metrics on ADDRESS:PORT, e.g. 127.0.0.1:9100")
      ("source-url", text("URL"), "also read a fleet document (https:// or s3://); repeatable")
      ("format", text("FORMAT"), "export: compose, ecs or kubernetes")
      ("docker-config", text("PATH"), "Docker client config dir (or config.json) for registry credentials")
      ("help,h", "show this help and exit")
      ("version", "show the version and exit");
  return options;
}

std::string make_help_text(const po::options_description& options) {
  std::ostringstream out;
  out << "Usage: dockerup [OPTIONS] [run | status | rollback NAME | export --format FORMAT]\n\n"
         "Keeps this host's Docker containers equal to the declared list (containers.d/*.json\n"
         "and, with --aws, EC2 user-data).\n\n"
         "Commands:\n"
         "  run            bring the containers to the declared state (default)\n"
         "  status         show declared and running containers\n"
         "  rollback NAME  go back to the previous image of container NAME\n"
         "  export         print the merged desired state as a Compose file, an ECS task\n"
         "                 definition or a Kubernetes Pod (--format compose|ecs|kubernetes)\n\n"
      << options
      << "\nOf two contradicting options (--aws --no-aws), the last one wins.\n";
  return out.str();
}

/// Checks a value with the config file's rule for the same setting, so that --interval 0 is
/// refused for the same reason as interval=0.
std::optional<std::string> check_setting(std::string_view option, std::string_view key,
                                         const std::string& value) {
  Settings scratch;
  std::string reason;
  if (apply_setting(scratch, key, value, reason) == SettingResult::Applied) return std::nullopt;
  return fmt::format("--{}: bad value \"{}\": {}", option, value, reason);
}

/// Sets the field for one option; returns an error for a bad value.
std::optional<std::string> take_option(CommandLine& line, const po::option& option) {
  const std::string& key = option.string_key;
  const std::string value = option.value.empty() ? std::string() : option.value.front();
  if (key == "config") {
    if (value.empty()) return std::string("--config: expected a file name, got \"\"");
    line.config_file = value;
  }
  else if (key == "cache" || key == "confdir") {
    if (auto error = check_setting(key, key, value)) return error;  // "" is refused
    (key == "cache" ? line.cache_dir : line.confdir) = value;
  }
  else if (key == "aws") line.aws = true;
  else if (key == "no-aws") line.aws = false;
  else if (key == "pull") line.pull = true;
  else if (key == "no-pull") line.pull = false;
  else if (key == "server") line.server = true;
  else if (key == "verbose") line.verbose = true;
  else if (key == "dry-run") line.dry_run = true;
  else if (key == "show-secrets") line.show_secrets = true;
  else if (key == "json") line.json = true;
  else if (key == "help") line.help = true;
  else if (key == "version") line.version = true;
  else if (key == "remote") {
    if (auto error = check_setting(key, "remote", value)) return error;
    line.remote = value;
  } else if (key == "interval") {
    if (auto error = check_setting(key, "interval", value)) return error;
    Settings checked;
    std::string ignored;
    apply_setting(checked, "interval", value, ignored);  // accepted just above
    line.interval = checked.interval;
  } else if (key == "parallel") {
    if (auto error = check_setting(key, "parallel", value)) return error;
    line.parallel = std::stoi(value);  // checked just above
  } else if (key == "log-format") {
    if (auto error = check_setting(key, "log_format", value)) return error;
    line.log_format = value;
  } else if (key == "docker-config") {
    if (value.empty()) return std::string("--docker-config: expected a directory or file, got \"\"");
    line.docker_config = value;
  } else if (key == "metrics-listen") {
    if (auto error = check_setting(key, "metrics_listen", value)) return error;
    line.metrics_listen = value;
  } else if (key == "format") {
    if (value != "compose" && value != "ecs" && value != "kubernetes")
      return fmt::format("--format: bad value \"{}\": expected compose, ecs or kubernetes", value);
    line.format = value;
  } else if (key == "source-url") {
    if (auto error = check_setting(key, "source_url", value)) return error;
    line.source_urls.push_back(value);
  }
  return std::nullopt;
}

/// Boost's own what() fills "%canonical_option%"-style placeholders by searching and replacing
/// in a loop that never ends when the user's word contains a placeholder itself
/// (`dockerup '--x%canonical_option%'` hung in Boost 1.74). So the message is built here from
/// the error's type and the option word, which Boost returns without substitution.
std::string describe(const po::error& error) {
  auto named = dynamic_cast<const po::error_with_option_name*>(&error);
  if (!named) return "invalid command line";
  std::string option = named->get_option_name();
  if (dynamic_cast<const po::unknown_option*>(&error))
    return fmt::format("unrecognised option '{}'", option);
  if (dynamic_cast<const po::ambiguous_option*>(&error))
    return fmt::format("option '{}' is ambiguous", option);
  if (auto syntax = dynamic_cast<const po::invalid_syntax*>(&error)) {
    switch (syntax->kind()) {
      case po::invalid_syntax::missing_parameter:
        return fmt::format("option '{}' requires a value", option);
      case po::invalid_syntax::extra_parameter:
        return fmt::format("option '{}' takes no value", option);
      default:
        return fmt::format("invalid option syntax: '{}'", option);
    }
  }
  return fmt::format("bad option '{}'", option);
}

std::optional<std::string> check_command(const CommandLine& line) {
  if (line.command == "run" || line.command == "status") {
    if (line.arguments.empty()) return std::nullopt;
    return fmt::format("\"{}\" takes no arguments (got \"{}\")", line.command,
                       line.arguments.front());
  }
  if (line.command == "export") {
    if (!line.arguments.empty())
      return fmt::format("\"export\" takes no arguments (got \"{}\")", line.arguments.front());
    if (!line.format) return std::string("usage: dockerup export --format compose|ecs|kubernetes");
    return std::nullopt;
  }
  if (line.command == "rollback") {
    if (line.arguments.size() == 1 && !line.arguments.front().empty()) return std::nullopt;
    return std::string("usage: dockerup rollback NAME (one container name)");
  }
  return fmt::format("unknown command \"{}\" (run, status, rollback NAME, export)", line.command);
}

}  // namespace

CommandLineParse parse_command_line(int argc, const char* const argv[]) {
  CommandLineParse result;
  po::options_description visible = visible_options();
  result.line.help_text = make_help_text(visible);
  po::options_description all;
  all.add(visible).add_options()("words", po::value<std::vector<std::string>>());
  po::positional_options_description positional;
  positional.add("words", -1);
  // No guessing: "--conf" must not silently mean --confdir in one version and --config later.
  int style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
  std::vector<std::string> words;
  try {
    po::parsed_options parsed =
        po::command_line_parser(argc, argv).options(all).positional(positional).style(style).run();
    for (const po::option& option : parsed.options) {
      if (option.string_key == "words") {
        words.insert(words.end(), option.value.begin(), option.value.end());
      } else if (auto error = take_option(result.line, option)) {
        result.error = std::move(error);
        return result;
      }
    }
  } catch (const po::error& error) {
    result.error = describe(error);
    return result;
  }
  if (!words.empty()) {
    result.line.command = words.front();
    result.line.arguments.assign(words.begin() + 1, words.end());
  }
  if (!result.line.help && !result.line.version) result.error = check_command(result.line);
  return result;
}

void apply_command_line(const CommandLine& line, Settings& settings) {
  if (line.config_file) settings.config_file = *line.config_file;
  if (line.cache_dir) settings.cache_dir = *line.cache_dir;
  if (line.confdir) settings.confdir = *line.confdir;
  if (line.remote) settings.remote = *line.remote;
  if (line.interval) settings.interval = *line.interval;
  if (line.parallel) settings.parallel = *line.parallel;
  if (line.aws) settings.aws = *line.aws;
  if (line.pull) settings.pull = *line.pull;
  if (line.log_format) settings.log_format = *line.log_format;
  if (line.metrics_listen) settings.metrics_listen = *line.metrics_listen;
  for (const auto& url : line.source_urls) {  // added once, however often this is applied
    std::string unused;
    apply_setting(settings, "source_url", url, unused);
  }
  if (line.docker_config) settings.docker_config = *line.docker_config;
  // Flags can only switch on: their absence says nothing, so it must not undo the config file.
  if (line.server) settings.server = true;
  if (line.verbose) settings.verbose = true;
  if (line.dry_run) settings.dry_run = true;
  if (line.show_secrets) settings.show_secrets = true;
}

}  // namespace dockerup
