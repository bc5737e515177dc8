#include "dockerup/image_ref.hpp"

#include <doctest/doctest.h>

using dockerup::find_image_id;
using dockerup::ImageRef;
using dockerup::ImageSummary;
using dockerup::parse_image_ref;

namespace {

const std::string digest_a = "sha256:" + std::string(64, 'a');
const std::string digest_b = "sha256:" + std::string(64, 'b');

ImageSummary image(std::string id, std::vector<std::string> tags,
                   std::vector<std::string> digests = {}) {
  ImageSummary summary;
  summary.id = std::move(id);
  summary.tags = std::move(tags);
  summary.digests = std::move(digests);
  return summary;
}

ImageRef parsed(std::string_view text) {
  auto ref = parse_image_ref(text);
  REQUIRE_MESSAGE(ref.has_value(), text);
  return *ref;
}

}  // namespace

TEST_CASE("a bare name is a Docker Hub image with tag latest") {
  ImageRef ref = parsed("busybox");
  CHECK(ref.registry == "");
  CHECK(ref.repository == "busybox");
  CHECK(ref.tag == "latest");
  CHECK(ref.digest == "");
  CHECK(ref.name() == "busybox");
  CHECK(ref.str() == "busybox:latest");
}

TEST_CASE("Docker Hub spellings fold to the short form") {
  for (const char* text : {"busybox:1.36", "library/busybox:1.36", "docker.io/library/busybox:1.36",
                           "docker.io/busybox:1.36", "index.docker.io/library/busybox:1.36"}) {
    CAPTURE(text);
    ImageRef ref = parsed(text);
    CHECK(ref.registry == "");
    CHECK(ref.repository == "busybox");
    CHECK(ref.tag == "1.36");
    CHECK(ref.str() == "busybox:1.36");
  }
}

TEST_CASE("a user repository on Docker Hub keeps its namespace") {
  ImageRef ref = parsed("barchart/java");
  CHECK(ref.registry == "");
  CHECK(ref.repository == "barchart/java");
  CHECK(ref.str() == "barchart/java:latest");
  CHECK(parsed("docker.io/barchart/java:8").str() == "barchart/java:8");
}

TEST_CASE("library/ is only dropped on Docker Hub and only for one-level names") {
  CHECK(parsed("localhost:5000/library/app").repository == "library/app");
  CHECK(parsed("library/team/app").repository == "library/team/app");
}

TEST_CASE("a registry with a port is not mistaken for a tag") {
  ImageRef ref = parsed("localhost:5000/app:v1");
  CHECK(ref.registry == "localhost:5000");
  CHECK(ref.repository == "app");
  CHECK(ref.tag == "v1");
  CHECK(ref.name() == "localhost:5000/app");
  CHECK(ref.str() == "localhost:5000/app:v1");

  ImageRef untagged = parsed("host:5000/a/b");
  CHECK(untagged.registry == "host:5000");
  CHECK(untagged.repository == "a/b");
  CHECK(untagged.tag == "latest");
  CHECK(untagged.str() == "host:5000/a/b:latest");
}

TEST_CASE("the first component is a registry only when it looks like a host") {
  CHECK(parsed("localhost/app").registry == "localhost");
  CHECK(parsed("registry.example.com/team/app:2").registry == "registry.example.com");
  CHECK(parsed("registry.example.com/team/app:2").repository == "team/app");
  CHECK(parsed("myhost/app").registry == "");
  CHECK(parsed("myhost/app").repository == "myhost/app");
  CHECK(parsed("localhost").repository == "localhost");
}

TEST_CASE("a digest reference pulls by digest, not by tag") {
  ImageRef ref = parsed("app@" + digest_a);
  CHECK(ref.repository == "app");
  CHECK(ref.tag == "");
  CHECK(ref.digest == digest_a);
  CHECK(ref.str() == "app@" + digest_a);

  ImageRef both = parsed("localhost:5000/app:v1@" + digest_a);
  CHECK(both.registry == "localhost:5000");
  CHECK(both.tag == "v1");
  CHECK(both.str() == "localhost:5000/app@" + digest_a);
}

TEST_CASE("path separators that Docker accepts") {
  for (const char* text :
       {"my-app", "my_app", "my__app", "my.app", "my---app", "a/b/c/d", "a1:V_1.2-x"}) {
    CAPTURE(text);
    CHECK(parse_image_ref(text).has_value());
  }
}

TEST_CASE("invalid references are rejected") {
  for (std::string text : {std::string(""),
                           std::string(" "),
                           std::string("busy box"),
                           std::string("Busybox"),
                           std::string("team/App"),
                           std::string("busybox:"),
                           std::string("busybox:-x"),
                           std::string(":latest"),
                           std::string("/busybox"),
                           std::string("busybox/"),
                           std::string("a//b"),
                           std::string("-app"),
                           std::string("app-"),
                           std::string("a___b"),
                           std::string("a..b"),
                           std::string("host:port/app"),
                           std::string("host:5000/"),
                           std::string("app@sha256:abc"),
                           std::string("app@"),
                           std::string("app@sha256:" + std::string(64, 'A')),
                           std::string("app@" + digest_a + "x"),
                           std::string("busybox:" + std::string(129, 't')),
                           std::string(256, 'a'),
                           std::string("busybox\n"),
                           std::string("-registry.com/app")}) {
    CAPTURE(text);
    CHECK_FALSE(parse_image_ref(text).has_value());
  }
}

TEST_CASE("an upper-case registry is allowed, as in Docker") {
  CHECK(parsed("Registry.Example.com/app").registry == "Registry.Example.com");
}

TEST_CASE("find_image_id matches tags with Docker Hub normalisation") {
  std::vector<ImageSummary> images = {
      image("sha256:dangling", {"<none>:<none>"}, {"<none>@<none>"}),
      image("sha256:busybox", {"busybox:latest", "busybox:1.36"}),
      image("sha256:app1", {"localhost:5000/app:v1"}, {"localhost:5000/app@" + digest_a}),
      image("sha256:podman", {"docker.io/team/tool:3"}),
  };
  CHECK(find_image_id("busybox", images) == "sha256:busybox");
  CHECK(find_image_id("library/busybox", images) == "sha256:busybox");
  CHECK(find_image_id("docker.io/library/busybox:latest", images) == "sha256:busybox");
  CHECK(find_image_id("busybox:1.36", images) == "sha256:busybox");
  CHECK(find_image_id("localhost:5000/app:v1", images) == "sha256:app1");
  CHECK(find_image_id("team/tool:3", images) == "sha256:podman");

  CHECK_FALSE(find_image_id("busybox:1.35", images));
  CHECK_FALSE(find_image_id("localhost:5000/app:v2", images));
  CHECK_FALSE(find_image_id("localhost:5001/app:v1", images));
  CHECK_FALSE(find_image_id("app:v1", images));
  CHECK_FALSE(find_image_id("NOT VALID", images));
  CHECK_FALSE(find_image_id("busybox", {}));
}

TEST_CASE("find_image_id matches digests by repository and digest") {
  std::vector<ImageSummary> images = {
      image("sha256:app1", {"localhost:5000/app:v1"}, {"localhost:5000/app@" + digest_a}),
  };
  CHECK(find_image_id("localhost:5000/app@" + digest_a, images) == "sha256:app1");
  // A tag beside the digest does not matter: the digest names the content.
  CHECK(find_image_id("localhost:5000/app:other@" + digest_a, images) == "sha256:app1");
  CHECK_FALSE(find_image_id("localhost:5000/app@" + digest_b, images));
  CHECK_FALSE(find_image_id("localhost:5000/other@" + digest_a, images));
}

TEST_CASE("find_image_id: an image ID names the image itself") {
  std::vector<dockerup::ImageSummary> images{{"sha256:" + std::string(64, 'a'), {}, {}, 1, 1, {}}};
  CHECK(dockerup::find_image_id("sha256:" + std::string(64, 'a'), images) ==
        "sha256:" + std::string(64, 'a'));
  CHECK_FALSE(dockerup::find_image_id("sha256:" + std::string(64, 'b'), images));
}

TEST_CASE("Docker Hub is kept when the path's first component looks like a host") {
  // Dropping it made docker.io/t.am/l:6 the image l of the registry t.am (issue 12), and
  // docker.io/localhost/x an image of a local registry.
  auto hub = parse_image_ref("docker.io/t.am/l:6");
  REQUIRE(hub);
  CHECK(hub->registry == "docker.io");
  CHECK(hub->repository == "t.am/l");
  CHECK(hub->str() == "docker.io/t.am/l:6");
  CHECK(parse_image_ref("index.docker.io/localhost/x")->str() == "docker.io/localhost/x:latest");
  CHECK(parse_image_ref("docker.io/docker.io/box:d")->str() == "docker.io/docker.io/box:d");
  CHECK(parse_image_ref("docker.io/a.b")->str() == "a.b:latest");  // one component: a name
  CHECK(parse_image_ref("docker.io/team/app")->str() == "team/app:latest");
}

TEST_CASE("normalise -> print -> normalise is stable and keeps the registry") {
  const std::string digest = "@sha256:" + std::string(64, 'a');
  for (std::string registry : {"", "docker.io/", "index.docker.io/", "localhost/", "localhost:5000/",
                               "registry.example.com/", "127.0.0.1:39067/", "Upper.Case:1/"})
    for (std::string path : {"busybox", "library/busybox", "library/a/b", "team/app", "t.am/l",
                             "localhost/x", "docker.io/box", "a__b/c-d/e.f", "x:5000/y"})
      for (std::string suffix : {std::string(), std::string(":v1"), digest, ":v1" + digest}) {
        std::string text = registry + path + suffix;
        CAPTURE(text);
        auto ref = parse_image_ref(text);
        if (!ref) continue;
        auto again = parse_image_ref(ref->str());
        REQUIRE(again);
        CHECK(again->str() == ref->str());
        CHECK(again->registry == ref->registry);
        CHECK(again->repository == ref->repository);
      }
}

TEST_CASE("docker.io/ stays when the next component looks like a host") {
  ImageRef ref = parsed("docker.io/t.am/l:6");
  CHECK(ref.registry == "docker.io");
  CHECK(ref.repository == "t.am/l");
  CHECK(ref.str() == "docker.io/t.am/l:6");
  CHECK(parsed("docker.io/localhost/x").str() == "docker.io/localhost/x:latest");
  CHECK(parsed("index.docker.io/localhost/x:1").str() == "docker.io/localhost/x:1");
  CHECK_FALSE(parse_image_ref("docker.io/my.org:5000/x:1"));  // a port is no path component
  // Only a host-like *first* component needs it; a single component never does.
  CHECK(parsed("docker.io/team/app:1").str() == "team/app:1");
  CHECK(parsed("docker.io/team/a.b:1").str() == "team/a.b:1");
  CHECK(parsed("docker.io/a.b").str() == "a.b:latest");
  // The short spelling is another registry, and stays one.
  CHECK(parsed("t.am/l:6").registry == "t.am");
  CHECK(parsed("localhost/x").registry == "localhost");
}

TEST_CASE("round trip: normalise, print, normalise again changes nothing") {
  const std::string digest = "sha256:" + std::string(64, 'c');
  const char* registries[] = {"", "docker.io/", "index.docker.io/", "registry-1.docker.io/",
                              "localhost/", "localhost:5000/", "127.0.0.1:5000/",
                              "registry.example.com/", "r.io:443/", "Upper.Example.com/"};
  const char* paths[] = {"busybox", "library/busybox", "library/a/b", "team/app", "t.am/l",
                         "localhost/x", "a.b/c/d", "my-app_x/y__z", "a--b/c.d", "x/localhost",
                         "t.am", "localhost"};
  const std::string suffixes[] = {"", ":1.0", ":latest", ":_x-Y.1", "@" + digest,
                                  ":v1@" + digest};
  int checked = 0;
  for (const char* registry : registries)
    for (const char* path : paths)
      for (const auto& suffix : suffixes) {
        std::string text = std::string(registry) + path + suffix;
        CAPTURE(text);
        auto first = parse_image_ref(text);
        if (!first) continue;  // e.g. ":5000" read as a tag of a one-component name
        auto again = parse_image_ref(first->str());
        REQUIRE(again.has_value());
        CHECK(again->str() == first->str());
        CHECK(again->registry == first->registry);
        CHECK(again->repository == first->repository);
        if (first->digest.empty()) CHECK(again->tag == first->tag);  // str() pins by digest
        CHECK(again->digest == first->digest);
        // The registry is never changed by normalisation: a written non-Hub registry stays.
        std::string written = std::string(registry);
        bool hub = written.empty() || written.find("docker.io") != std::string::npos;
        if (!hub) CHECK(first->registry + "/" == written);
        else if (!written.empty())  // written as Hub, stays Hub
          CHECK((first->registry.empty() || first->registry == "docker.io"));
        ++checked;
      }
  CHECK(checked > 500);
}
