#include "credential_helper.hpp"

#include "dockerup/error.hpp"
#include "dockerup/json_parse.hpp"

namespace dockerup {
namespace {

/// What the helpers print when they have nothing for the address (credentials.ErrCredentialsNotFound).
constexpr std::string_view not_found_message = "credentials not found in native keychain";

std::string first_line(std::string text) {
  auto end = text.find_first_of("\r\n");
  if (end != std::string::npos) text.resize(end);
  if (text.size() > 200) text = text.substr(0, 200) + "...";
  return text;
}

std::string member(const rapidjson::Value& object, const char* key) {
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsString()) return "";
  return {it->value.GetString(), it->value.GetStringLength()};
}

}  // namespace

std::string credential_helper_program(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos)
    fail("credential helper name \"{}\" is not usable (empty or with a slash)", name);
  return "docker-credential-" + name;
}

std::optional<RegistryAuth> ask_credential_helper(ProcessRunner& runner, const std::string& name,
                                                  const std::string& server_address,
                                                  std::chrono::milliseconds limit) {
  std::string program = credential_helper_program(name);
  ProcessResult result = runner.run({program, "get"}, server_address, limit);
  auto failed = [&](const std::string& why) -> Failure {
    return Failure(fmt::format("credential helper {} for {}: {}", program, server_address, why));
  };
  if (!result.started) throw failed("cannot be run: " + result.start_error);
  if (result.timed_out)
    throw failed(fmt::format("no answer within {} s (killed)", limit.count() / 1000.0));
  if (result.signal != 0) throw failed(fmt::format("killed by signal {}", result.signal));
  if (result.exit_code != 0) {
    // The protocol reports "not found" on stdout with a non-zero exit; it names no secret.
    if (result.out.find(not_found_message) != std::string::npos) return std::nullopt;
    std::string said = first_line(result.err.empty() ? "" : result.err);
    throw failed(fmt::format("exited with code {}{}", result.exit_code,
                             said.empty() ? "" : ": " + said));
  }
  rapidjson::Document answer;
  if (parse_json(result.out, answer) || !answer.IsObject())
    throw failed(fmt::format("printed {} bytes that are not its JSON answer", result.out.size()));
  std::string username = member(answer, "Username");
  std::string secret = member(answer, "Secret");
  if (secret.empty()) throw failed("answered without a Secret");
  RegistryAuth auth;
  auth.server_address = server_address;
  auth.origin = "credential helper " + program;
  if (username == "<token>") {
    auth.identity_token = secret;  // the protocol's marker for an OAuth identity token
  } else {
    auth.username = username;
    auth.password = secret;
  }
  return auth;
}

}  // namespace dockerup
