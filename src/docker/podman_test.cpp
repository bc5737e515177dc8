// Podman's Docker-compatible service: image names in Podman's spelling are read in Docker's,
// against answers recorded from Podman 4.3.1 (Debian 12, `podman system service`).
#include "podman_names.hpp"

#include "dockerup/docker_engine.hpp"
#include "dockerup/image_ref.hpp"
#include "fake_http_server.hpp"

#include <doctest/doctest.h>

using namespace dockerup;
using dockerup::testing::FakeHttpServer;
using dockerup::testing::http_response;

namespace {

constexpr const char* podman_version =
    R"json({"Platform":{"Name":"linux/amd64/debian-12"},"Components":[{"Name":"Podman Engine","Vers)json"
    R"json(ion":"4.3.1","Details":{"APIVersion":"4.3.1","Arch":"amd64","BuildTime":"1970-01-01T00:0)json"
    R"json(0:00Z","Experimental":"false","GitCommit":"","GoVersion":"go1.19.8","KernelVersion":"6.1)json"
    R"json(8.44-fc-v1045","MinAPIVersion":"4.0.0","Os":"linux"}},{"Name":"Conmon","Version":"conmon)json"
    R"json( version 2.1.6, commit: unknown","Details":{"Package":"conmon_2.1.6+ds1-1_amd64"}},{"Nam)json"
    R"json(e":"OCI Runtime (runc)","Version":"runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\n)json"
    R"json(spec: 1.0.2-dev\ngo: go1.19.8\nlibseccomp: 2.5.4","Details":{"Package":"runc_1.1.5+ds1-1)json"
    R"json(+deb12u1_amd64"}}],"Version":"4.3.1","ApiVersion":"1.41","MinAPIVersion":"1.24","GitComm)json"
    R"json(it":"","GoVersion":"go1.19.8","Os":"linux","Arch":"amd64","KernelVersion":"6.18.44-fc-v1)json"
    R"json(045","BuildTime":"1970-01-01T00:00:00Z"})json";

constexpr const char* docker_version =
    R"json({"Version":"20.10.24+dfsg1","ApiVersion":"1.41","MinAPIVersion":"1.12",)json"
    R"json("Components":[{"Name":"Engine","Version":"20.10.24+dfsg1"}]})json";

// GET /v1.41/images/json from Podman: an image loaded from `docker save` (recorded), then
// a Hub image and a registry image in the same shape.
constexpr const char* podman_images =
    R"json([{"Id":"sha256:47f5f4456cfff82a09231bbb257026540215364120b0e7d13d287bc9bb1ee510","Parent)json"
    R"json(Id":"","RepoTags":["localhost/dockerup-test/app:v1"],"RepoDigests":["localhost/dockerup-)json"
    R"json(test/app@sha256:9b837ddcff725be5e442e392dbbd93da5e93ca8842cd97be049ee2ec4c6ffd11"],"Crea)json"
    R"json(ted":1796118339,"Size":2135663,"SharedSize":0,"VirtualSize":2135663,"Labels":{"dockerup-)json"
    R"json(test.app":"v1","dockerup-test.recipe":"6952242ca2246ace"},"Containers":1,"Names":["local)json"
    R"json(host/dockerup-test/app:v1"],"Digest":"sha256:9b837ddcff725be5e442e392dbbd93da5e93ca8842c)json"
    R"json(d97be049ee2ec4c6ffd11","History":["localhost/dockerup-test/app:v1"]},{"Id":"sha256:bbbbb)json"
    R"json(bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","ParentId":"","RepoTags":[")json"
    R"json(docker.io/library/busybox:latest"],"RepoDigests":["docker.io/library/busybox@sha256:2222)json"
    R"json(222222222222222222222222222222222222222222222222222222222222"],"Created":1796118339,"Siz)json"
    R"json(e":2135663,"SharedSize":0,"VirtualSize":2135663,"Labels":null,"Containers":0,"Names":["d)json"
    R"json(ocker.io/library/busybox:latest"],"Digest":"sha256:9b837ddcff725be5e442e392dbbd93da5e93c)json"
    R"json(a8842cd97be049ee2ec4c6ffd11","History":["docker.io/library/busybox:latest"]},{"Id":"sha2)json"
    R"json(56:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","ParentId":"","Repo)json"
    R"json(Tags":["localhost:5000/team/api:2"],"RepoDigests":[],"Created":1796118339,"Size":2135663)json"
    R"json(,"SharedSize":0,"VirtualSize":2135663,"Labels":{"dockerup-test.app":"v1","dockerup-test.)json"
    R"json(recipe":"6952242ca2246ace"},"Containers":0,"Names":["localhost:5000/team/api:2"],"Digest)json"
    R"json(":"sha256:9b837ddcff725be5e442e392dbbd93da5e93ca8842cd97be049ee2ec4c6ffd11","History":[])json"
    R"json(}])json";

// GET /v1.41/containers/json?all=1 from Podman, as recorded after dockerup created the container
// (NetworkSettings trimmed): Image in Podman's spelling.
constexpr const char* podman_containers =
    R"json([{"Id":"1a39c6ec6b1cbd67b598cb7c571e15d1df134de08ada163b02be780c8e72770d","Names":["/eng)json"
    R"json(pod-web"],"Image":"localhost/dockerup-test/app:v1","ImageID":"sha256:47f5f4456cfff82a092)json"
    R"json(31bbb257026540215364120b0e7d13d287bc9bb1ee510","Command":"httpd -f -p 8080 -h /www","Cre)json"
    R"json(ated":1796124132,"Ports":[{"IP":"127.0.0.1","PrivatePort":8080,"PublicPort":18090,"Type")json"
    R"json(:"tcp"}],"Labels":{"dockerup-test.app":"v1","dockerup-test.recipe":"6952242ca2246ace","i)json"
    R"json(o.dockerup.image":"dockerup-test/app:v1","io.dockerup.managed":"true","io.dockerup.name")json"
    R"json(:"engpod-web","io.dockerup.source":"/tmp/eng-pod/c.d/web.json","io.dockerup.spec-hash":")json"
    R"json(e3db6e301e14cce5"},"State":"created","Status":"Created","NetworkSettings":{"Networks":{")json"
    R"json(podman":{"NetworkID":"podman","IPAddress":""}}},"Mounts":[],"Name":"","Config":null,"Net)json"
    R"json(workingConfig":null,"Platform":null,"AdjustCPUShares":false}])json";

std::unique_ptr<Engine> engine_answering(FakeHttpServer& server) {
  return make_docker_engine({server.socket_path(), "http://localhost"});
}

}  // namespace

TEST_CASE("Podman's localhost/ names are read in Docker's spelling") {
  CHECK(docker_spelling("localhost/web:1") == "web:1");
  CHECK(docker_spelling("localhost/team/app:2") == "team/app:2");
  CHECK(docker_spelling("localhost/web@sha256:" + std::string(64, '1')) ==
        "web@sha256:" + std::string(64, '1'));
  // A registry named in the rest, or one with a port: left as they are.
  CHECK(docker_spelling("localhost/registry.example.com/app:1") ==
        "localhost/registry.example.com/app:1");
  CHECK(docker_spelling("localhost:5000/app:1") == "localhost:5000/app:1");
  CHECK(docker_spelling("docker.io/library/busybox:latest") == "docker.io/library/busybox:latest");
  CHECK(docker_spelling("") == "");
}

TEST_CASE("images listed by Podman match the references of container files") {
  FakeHttpServer server({{http_response(200, podman_version)}, {http_response(200, podman_images)}});
  auto images = engine_answering(server)->list_images();
  REQUIRE(images.size() == 3);
  CHECK(images[0].tags == std::vector<std::string>{"dockerup-test/app:v1"});
  CHECK(find_image_id("dockerup-test/app:v1", images) == images[0].id);
  CHECK(find_image_id("dockerup-test/app@sha256:9b837ddcff725be5e442e392dbbd93da5e93ca8842cd97be049ee2ec4c6ffd11",
                      images) == images[0].id);
  CHECK(find_image_id("busybox", images) == images[1].id);
  CHECK(find_image_id("library/busybox:latest", images) == images[1].id);
  CHECK(find_image_id("docker.io/library/busybox:latest", images) == images[1].id);
  CHECK(find_image_id("localhost:5000/team/api:2", images) == images[2].id);
  CHECK_FALSE(find_image_id("dockerup-test/app:v2", images));
}

TEST_CASE("containers listed by Podman name their image as Docker would") {
  FakeHttpServer server(
      {{http_response(200, podman_version)}, {http_response(200, podman_containers)}});
  auto containers = engine_answering(server)->list_containers();
  REQUIRE(containers.size() == 1);
  CHECK(containers[0].image == "dockerup-test/app:v1");
  CHECK(containers[0].name == "engpod-web");
  CHECK(containers[0].state == "created");
  CHECK(containers[0].managed());
}

TEST_CASE("Docker's answers are not respelled: localhost/ is a registry there") {
  FakeHttpServer server({{http_response(200, docker_version)}, {http_response(200, podman_images)}});
  auto images = engine_answering(server)->list_images();
  REQUIRE(images.size() == 3);
  CHECK(images[0].tags == std::vector<std::string>{"localhost/dockerup-test/app:v1"});
  CHECK_FALSE(find_image_id("dockerup-test/app:v1", images));
}
