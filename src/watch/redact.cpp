#include "dockerup/redact.hpp"

#include "dockerup/plan.hpp"
#include "dockerup/reconciler.hpp"
#include "dockerup/settings.hpp"

#include <algorithm>

namespace dockerup {

void SecretRedactor::add(std::string_view secret) {
  if (secret.size() < kShortestSecret) return;
  if (std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end()) return;
  secrets_.emplace_back(secret);
  std::stable_sort(secrets_.begin(), secrets_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string SecretRedactor::redact(std::string_view text) const {
  std::string out(text);
  for (const auto& secret : secrets_) {
    for (auto at = out.find(secret); at != std::string::npos;
         at = out.find(secret, at + kHidden.size()))
      out.replace(at, secret.size(), kHidden);
  }
  return out;
}

Error SecretRedactor::redact(Error error) const {
  if (is_env_location(error.where)) error.message = hide_quoted(error.message);
  error.where = redact(error.where);
  error.message = redact(error.message);
  return error;
}

bool is_env_location(std::string_view where) {
  // "web.json: $.env", "user-data containers[0]: $.env.API_KEY", "$.environment[\"A B\"]"
  for (std::string_view field : {"$.env", "$.environment"}) {
    for (auto at = where.find(field); at != std::string_view::npos; at = where.find(field, at + 1)) {
      std::string_view rest = where.substr(at + field.size());
      if (rest.empty() || rest.front() == '.' || rest.front() == '[') return true;
    }
  }
  return false;
}

std::string hide_quoted(std::string_view message) {
  std::string out;
  for (std::size_t at = 0; at < message.size();) {
    std::size_t open = message.find('"', at);
    if (open == std::string_view::npos) {
      out.append(message.substr(at));
      break;
    }
    std::size_t close = open + 1;
    while (close < message.size() && message[close] != '"')
      close += message[close] == '\\' ? 2 : 1;  // skip escaped characters, \" included
    out.append(message.substr(at, open - at));
    out.append(kHidden);
    at = close + 1;  // an unterminated quote hides the rest of the message
  }
  return out;
}

SecretRedactor secret_redactor(const DesiredState& desired, const Settings& settings) {
  SecretRedactor redactor;
  for (const auto& spec : desired.specs)
    for (const auto& [name, value] : spec.env) redactor.add(value);
  redactor.add(settings.registry_password);
  return redactor;
}

namespace {

void redact_errors(const SecretRedactor& redactor, Errors& errors) {
  for (auto& error : errors) error = redactor.redact(std::move(error));
}

}  // namespace

void redact_run_result(RunResult& result, const Settings& settings) {
  if (settings.show_secrets) return;
  SecretRedactor redactor = secret_redactor(result.desired, settings);
  redact_errors(redactor, result.errors);
  redact_errors(redactor, result.plan.errors);
  redact_errors(redactor, result.desired.errors);
  for (auto& action : result.plan.actions) action.reason = redactor.redact(action.reason);
  for (auto& outcome : result.report.outcomes) {
    outcome.action.reason = redactor.redact(outcome.action.reason);
    if (outcome.error) outcome.error = redactor.redact(std::move(*outcome.error));
  }
}

}  // namespace dockerup
