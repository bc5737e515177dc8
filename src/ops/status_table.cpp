// `dockerup status`: the status file as a table for people.
#include "dockerup/status.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace dockerup {
namespace {

constexpr std::size_t kColumns = 7;
using Row = std::array<std::string, kColumns>;

/// "sha256:0123456789abcdef..." -> "0123456789ab", as `docker ps` shows IDs.
std::string short_id(const std::string& id) {
  std::string hex = id.starts_with("sha256:") ? id.substr(7) : id;
  return hex.substr(0, 12);
}

std::string action_cell(const ContainerStatus& c) {
  if (c.last_action.empty()) return "-";
  std::string cell = c.last_action;
  if (c.last_action_result == "failed") cell += " (failed)";
  if (!c.last_action_time.empty()) cell += " " + c.last_action_time;
  return cell;
}

Row row_of(const ContainerStatus& c) {
  return {c.name,  c.image, c.image_id.empty() ? "-" : short_id(c.image_id),
          c.state, action_cell(c), c.source.empty() ? "-" : c.source,
          c.last_error.empty() ? "-" : c.last_error};
}

std::string render_rows(const std::vector<Row>& rows) {
  std::array<std::size_t, kColumns> width{};
  for (const auto& row : rows)
    for (std::size_t i = 0; i < kColumns; ++i) width[i] = std::max(width[i], row[i].size());
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < kColumns; ++i) {
      if (i + 1 == kColumns)
        line += row[i];  // the last column is not padded: no trailing blanks
      else
        line += fmt::format("{:<{}}  ", row[i], width[i]);
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace

std::string render_status_table(const RunStatus& status) {
  std::string out = fmt::format(
      "last run:     {} ({:.1f} s), result {}, exit code {}\n"
      "actions:      {} ({} failed)\n"
      "last success: {}\n",
      status.time, status.duration_seconds, status.result, status.exit_code, status.actions,
      status.failed_actions, status.last_success.empty() ? "never" : status.last_success);
  if (!status.containers.empty()) {
    std::vector<Row> rows{{"NAME", "IMAGE", "IMAGE ID", "STATE", "LAST ACTION", "SOURCE", "LAST ERROR"}};
    for (const auto& c : status.containers) rows.push_back(row_of(c));
    out += "\n" + render_rows(rows);
  } else {
    out += "\nno containers declared\n";
  }
  if (!status.errors.empty()) {
    out += "\nerrors:\n";
    for (const auto& error : status.errors) out += "  " + error + "\n";
  }
  return out;
}

}  // namespace dockerup
