// Opening files that decide what runs as root, without trusting anyone but root (or the user
// dockerup runs as). As sshd's StrictModes: every directory from / down and the file itself must
// be owned by root or the effective user and not writable by group or others; a root-owned
// sticky parent such as /tmp is fine (nobody can rename or remove what others put in it).
// Every step opens relative to the directory fd checked before (O_NOFOLLOW) and checks with
// fstat on the opened fd, so nothing can be swapped between the check and the use. Symlinks are
// followed by hand and only where they lie in a checked directory.
#pragma once

#include "dockerup/error.hpp"

#include <sys/stat.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dockerup {

/// A file or directory that exists but must not be trusted; the message is "PATH: why".
class Untrusted : public Failure {
 public:
  using Failure::Failure;
};

/// Owns one file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

/// Why an opened file or directory must not be trusted ("owned by uid 65534, not root",
/// "writable by group or others (mode 0775)"), or "" when it may be. `is_parent`: a root-owned
/// sticky directory is fine on the way to something else.
std::string untrusted_reason(int fd, bool is_parent);

/// What the kernel says about an opened file's contents: any write changes mtime, and chmod,
/// chown, link and rename change ctime, so a file with the same stamp was not changed since
/// (unless it was changed within one tick of the file system's clock: see SpecFileCache).
struct FileStamp {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};
FileStamp file_stamp(const struct stat& info);
/// Whether a file with this stamp was last changed long enough before `now` that a later
/// change must show in its stamp: the file system's clock ticks coarsely (a jiffy, or seconds
/// on some), so a second write in the same tick with the same size would leave it as it was.
bool stamp_settled(const FileStamp& stamp, std::chrono::system_clock::time_point now);

/// A file's text with the stamp of the opened file; no text when the stamp was the one given.
struct StampedText {
  FileStamp stamp;
  std::optional<std::string> text = {};  ///< nullopt: unchanged, not read
};

/// A directory opened through checked directories; the cache dir and its subdirectories.
class TrustedDir {
 public:
  /// Opens `path`, checking it and every directory above it. `create`: missing directories are
  /// made 0700. nullopt when `path` does not exist (without `create`). Throws Untrusted
  /// "PATH: why" when a directory is not trusted, Failure when one cannot be opened.
  static std::optional<TrustedDir> open(const std::string& path, bool create);
  /// The same for a subdirectory, which must not be a symlink (Untrusted).
  std::optional<TrustedDir> subdir(const std::string& name, bool create) const;

  /// The file's contents; nullopt when it does not exist. Throws Untrusted when it is a symlink,
  /// not a regular file or not trusted; Failure when it cannot be read.
  std::optional<std::string> read(const std::string& name) const;
  /// The same, without reading a file whose opened stamp is `unless_stamp` (checked as ever).
  std::optional<StampedText> read_stamped(const std::string& name,
                                          const std::optional<FileStamp>& unless_stamp) const;
  /// Replaces `name` atomically: a fresh temp file (O_EXCL, mode 0600) beside it, fsync, rename,
  /// fsync of the folder. Throws Failure naming the path.
  void write(const std::string& name, const std::string& content) const;
  /// Removes `name` if it exists (a symlink is removed, never followed).
  void remove(const std::string& name) const;
  /// Renames `name` to `name.corrupt-YYYYMMDDTHHMMSSZ` so it is kept for a human but never read
  /// again; returns the new path.
  std::string move_aside(const std::string& name) const;
  /// Names of the entries that are regular files (not symlinks), sorted.
  std::vector<std::string> file_names() const;

  const std::string& path() const { return path_; }
  int fd() const { return fd_.get(); }

 private:
  TrustedDir(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  std::string child(const std::string& name) const { return path_ + "/" + name; }

  UniqueFd fd_;
  std::string path_;
};


/// A file read through its directories, for sources (dockerup.conf, containers.d files) where
/// strict_modes decides whether an untrusted one is refused: the caller gets both the text and,
/// separately, why it is not trusted.
struct CheckedRead {
  bool found = false;      ///< false: the file does not exist
  std::string text;        ///< the contents, when found and readable
  std::string read_error;  ///< non-empty: it exists but cannot be read (the reason)
  std::string untrusted;   ///< non-empty: "PATH: why" for the file or a directory above it
  FileStamp stamp;         ///< of the opened file, when found and opened
  bool unchanged = false;  ///< the stamp equals `unless_stamp`: `text` was not read
};
/// `unless_stamp`: when the opened file has this stamp its text is not read (`unchanged`); every
/// folder and the file are still opened and checked, so `untrusted` is as without it.
CheckedRead read_checked_file(const std::string& path,
                              const std::optional<FileStamp>& unless_stamp = std::nullopt);
/// The same without any trust checks (strict_modes=false): open (following symlinks), fstat,
/// read. `untrusted` stays empty.
CheckedRead read_plain_file(const std::string& path,
                            const std::optional<FileStamp>& unless_stamp = std::nullopt);

/// "PATH: why" when the directory `path` (or one above it) is not trusted; "" when it is or when
/// only its last components do not exist yet (they will be created 0700).
std::string check_trusted_dir(const std::string& path);

}  // namespace dockerup
