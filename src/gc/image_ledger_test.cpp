#include "dockerup/error.hpp"
#include "dockerup/gc_ledger.hpp"
#include "dockerup/lkg.hpp"

#include <doctest/doctest.h>

#include "temp_dir.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>

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
  ledger.add("sha256:b");
  ledger.add("sha256:a");
  ledger.add("");  // a container without an image ID adds nothing
  CHECK(ledger.changed());
  ledger.save();
  CHECK_FALSE(ledger.changed());

  ImageLedger again = ImageLedger::load(dir.path());
  CHECK(again.images() == Ids{"sha256:a", "sha256:b"});
  CHECK(again.contains("sha256:a"));
  CHECK_FALSE(again.contains("sha256:c"));
}

TEST_CASE("the ledger forgets images that are gone") {
  TempDir dir;
  ImageLedger ledger = ImageLedger::load(dir.path());
  ledger.add("sha256:a");
  ledger.add("sha256:b");
  ledger.add("sha256:c");
  ledger.forget("sha256:c");
  ledger.forget_missing({image("sha256:b"), image("sha256:other")});
  CHECK(ledger.images() == Ids{"sha256:b"});
}

TEST_CASE("a corrupt ledger is ignored and replaced by the next save") {
  TempDir dir;
  const std::string path = dir.path() + "/images.json";
  for (std::string text : {"{not json", "[]", R"({"version": 2, "images": []})",
                           R"({"version": 1, "images": [1]})", R"({"version": 1})"}) {
    CAPTURE(text);
    write_text(path, text);
    ImageLedger ledger = ImageLedger::load(dir.path());
    CHECK(ledger.images().empty());
    CHECK_THROWS_AS(parse_image_ledger(text), Failure);
  }
  ImageLedger ledger = ImageLedger::load(dir.path());
  ledger.add("sha256:a");
  ledger.save();
  auto saved = read_whole_file(path);
  REQUIRE(saved);
  CHECK(parse_image_ledger(*saved) == Ids{"sha256:a"});
}

TEST_CASE("the ledger format round-trips") {
  Ids ids{"sha256:1", "sha256:2"};
  CHECK(parse_image_ledger(format_image_ledger(ids)) == ids);
  CHECK(parse_image_ledger(format_image_ledger({})).empty());
}

TEST_CASE("saving where the cache dir is a file throws") {
  TempDir dir;
  write_text(dir.path() + "/file", "x");
  ImageLedger ledger = ImageLedger::load(dir.path() + "/file");
  ledger.add("sha256:a");
  CHECK_THROWS_AS(ledger.save(), Failure);
}

}  // namespace dockerup
