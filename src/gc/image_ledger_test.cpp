#include "dockerup/error.hpp"
#include "dockerup/gc_ledger.hpp"
#include "dockerup/atomic_file.hpp"

#include <doctest/doctest.h>

#include "temp_dir.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace dockerup {
namespace {

using testing::TempDir;

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

ImageSummary image(std::string id) {
  ImageSummary summary;
  summary.id = std::move(id);
  return summary;
}

using Ids = std::set<std::string>;

/// An image ID as Docker prints it: sha256 and 64 hex digits, all `digit` here.
std::string id(char digit) { return "sha256:" + std::string(64, digit); }

std::vector<std::string> corrupt_copies(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().filename().string().starts_with("images.json.corrupt-"))
      names.push_back(entry.path().string());
  return names;
}

}  // namespace

TEST_CASE("a missing ledger is empty") {
  TempDir dir;
  ImageLedger ledger = ImageLedger::load(dir.path());
  CHECK(ledger.images().empty());
  CHECK(ledger.path() == dir.path() + "/images.json");
  CHECK_FALSE(ledger.changed());
}

TEST_CASE("the ledger survives a save and a load") {
  TempDir dir;
  ImageLedger ledger = ImageLedger::load(dir.path());
  ledger.add(id('b'));
  ledger.add(id('a'));
  ledger.add("");  // a container without an image ID adds nothing
  CHECK(ledger.changed());
  ledger.save();
  CHECK_FALSE(ledger.changed());

  ImageLedger again = ImageLedger::load(dir.path());
  CHECK(again.images() == Ids{id('a'), id('b')});
  CHECK(again.contains(id('a')));
  CHECK_FALSE(again.contains(id('c')));
}

TEST_CASE("the ledger forgets images that are gone") {
  TempDir dir;
  ImageLedger ledger = ImageLedger::load(dir.path());
  ledger.add(id('a'));
  ledger.add(id('b'));
  ledger.add(id('c'));
  ledger.forget(id('c'));
  ledger.forget_missing({image(id('b')), image(id('f'))});
  CHECK(ledger.images() == Ids{id('b')});
}

TEST_CASE("a corrupt ledger is ignored and replaced by the next save") {
  TempDir dir;
  const std::string path = dir.path() + "/images.json";
  int moved = 0;
  for (std::string text : {"{not json", "[]", R"({"version": 2, "images": []})",
                           R"({"version": 1, "images": [1]})", R"({"version": 1})",
                           R"({"version": 1, "images": ["busybox"]})",
                           R"({"version": 1, "images": ["sha256:"]})"}) {
    CAPTURE(text);
    write_text(path, text);
    ImageLedger ledger = ImageLedger::load(dir.path());
    CHECK(ledger.images().empty());
    CHECK_THROWS_AS(parse_image_ledger(text), Failure);
    // Moved aside for a human, never read again.
    CHECK_FALSE(std::filesystem::exists(path));
    CHECK(corrupt_copies(dir.path()).size() == static_cast<std::size_t>(++moved));
  }
  ImageLedger ledger = ImageLedger::load(dir.path());
  ledger.add(id('a'));
  ledger.save();
  auto saved = read_whole_file(path);
  REQUIRE(saved);
  CHECK(parse_image_ledger(*saved) == Ids{id('a')});
}

TEST_CASE("the ledger format round-trips") {
  Ids ids{id('1'), id('2')};
  CHECK(parse_image_ledger(format_image_ledger(ids)) == ids);
  CHECK(parse_image_ledger(format_image_ledger({})).empty());
}

TEST_CASE("a ledger that is a symlink or not written by dockerup is not trusted") {
  TempDir dir;
  write_text(dir.path() + "/elsewhere.json",
             R"({"version": 1, "images": [")" + id('a') + R"("]})");
  std::filesystem::create_symlink(dir.path() + "/elsewhere.json", dir.path() + "/images.json");
  CHECK(ImageLedger::load(dir.path()).images().empty());
  CHECK(corrupt_copies(dir.path()).size() == 1);
  if (::geteuid() != 0) return;  // only root can make a file of another owner
  std::filesystem::copy_file(dir.path() + "/elsewhere.json", dir.path() + "/images.json");
  REQUIRE(::chown((dir.path() + "/images.json").c_str(), 65534, 65534) == 0);
  CHECK(ImageLedger::load(dir.path()).images().empty());
  CHECK(corrupt_copies(dir.path()).size() == 2);
}

TEST_CASE("saving where the cache dir is a file throws") {
  TempDir dir;
  write_text(dir.path() + "/file", "x");
  ImageLedger ledger = ImageLedger::load(dir.path() + "/file");
  ledger.add(id('a'));
  CHECK_THROWS_AS(ledger.save(), Failure);
}

}  // namespace dockerup
