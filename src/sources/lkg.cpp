#include "dockerup/lkg.hpp"

#include "dockerup/error.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace dockerup {

namespace {

const std::string kUserData = "last-known-good/user-data";
const std::string kConfdir = "last-known-good/containers.d";
const std::string kStore = "last-known-good/";

}  // namespace

LastKnownGood::LastKnownGood(std::string cache_dir, bool read_only)
    : files_(std::move(cache_dir), cache_phase::sources), root_(files_.path("last-known-good")),
      read_only_(read_only) {}

std::optional<std::string> LastKnownGood::read(const std::string& relative) const {
  try {
    return files_.read(relative);  // a copy that is not trusted is moved aside: none
  } catch (const Failure& e) {
    files_.report(fmt::format("last-known-good copy not used: {}", e.what()));
    return std::nullopt;
  }
}

std::optional<std::string> LastKnownGood::user_data() const { return read(kUserData); }

bool LastKnownGood::save_user_data(const std::string& body) { return save(kUserData, body); }

void LastKnownGood::drop_user_data() { drop(kUserData); }

void LastKnownGood::set_aside_user_data(const std::string& why) { set_aside(kUserData, why); }

std::optional<std::string> LastKnownGood::confdir_file(const std::string& file_name) const {
  return read(kConfdir + "/" + file_name);
}

bool LastKnownGood::save_confdir_file(const std::string& file_name, const std::string& text) {
  return save(kConfdir + "/" + file_name, text);
}

void LastKnownGood::set_aside_confdir_file(const std::string& file_name, const std::string& why) {
  set_aside(kConfdir + "/" + file_name, why);
}

std::vector<std::string> LastKnownGood::confdir_file_names() const {
  try {
    return files_.file_names(kConfdir);
  } catch (const Failure& e) {
    files_.report(fmt::format("last-known-good copies not used: {}", e.what()));
    return {};
  }
}

void LastKnownGood::drop_confdir_files_except(const std::vector<std::string>& present_file_names) {
  if (read_only_) return;
  for (const auto& name : confdir_file_names()) {
    bool present = std::find(present_file_names.begin(), present_file_names.end(), name) !=
                   present_file_names.end();
    // Copies set aside as corrupt stay for a human; they are never read again.
    if (!present && name.find(".corrupt-") == std::string::npos) drop(kConfdir + "/" + name);
  }
}

std::optional<std::string> LastKnownGood::named_copy(const std::string& relative) const {
  return read(kStore + relative);
}

bool LastKnownGood::save_named_copy(const std::string& relative, const std::string& content) {
  return save(kStore + relative, content);
}

void LastKnownGood::drop_named_copy(const std::string& relative) { drop(kStore + relative); }

void LastKnownGood::set_aside_named_copy(const std::string& relative, const std::string& why) {
  set_aside(kStore + relative, why);
}

bool LastKnownGood::save(const std::string& relative, const std::string& content) {
  if (read_only_) return true;
  // Most runs find the source unchanged: skip the write (and the fsync) then.
  if (read(relative) == content) return true;
  return files_.try_write(relative, content);
}

void LastKnownGood::drop(const std::string& relative) {
  if (read_only_) return;
  try {
    files_.remove(relative);
  } catch (const Failure& e) {
    files_.report(fmt::format("last-known-good copy not removed: {}", e.what()));
  }
}

void LastKnownGood::set_aside(const std::string& relative, const std::string& why) {
  if (!read_only_) files_.set_aside(relative, why);
}

}  // namespace dockerup
