// Whole-file reads and crash-safe writes, for everything dockerup keeps in its cache dir
// (last-known-good copies, rollback history, image ledger, status).
#pragma once

#include <optional>
#include <string>

namespace dockerup {

/// Writes `content` to `path` so that a reader sees either the old file or the new one, never a
/// torn one: write a fresh temporary file beside it (O_EXCL, 0600), fsync it, rename it over
/// `path`, fsync the folder. The folder and every one above it must be trusted (TrustedDir;
/// missing ones are created 0700). Throws Failure naming the path and the reason.
void write_file_atomically(const std::string& path, const std::string& content);

/// Reads a whole file; nullopt when it cannot be opened or read, with the reason (strerror, or
/// "read error") in `problem`. Not for cache files, which go through CacheFiles (nothing there is
/// trusted blindly).
std::optional<std::string> read_whole_file(const std::string& path, std::string& problem);
/// The same when the reason does not matter.
std::optional<std::string> read_whole_file(const std::string& path);

}  // namespace dockerup
