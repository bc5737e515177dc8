#include "dockerup/http_client.hpp"

#include "fake_http_server.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

using namespace dockerup;
using dockerup::testing::FakeHttpServer;
using dockerup::testing::http_response;
using std::chrono::milliseconds;

TEST_CASE("url_escape keeps unreserved characters and encodes the rest") {
  CHECK(url_escape("abcXYZ019-._~") == "abcXYZ019-._~");
  CHECK(url_escape("localhost:5000/app") == "localhost%3A5000%2Fapp");
  CHECK(url_escape("a b&c=d?") == "a%20b%26c%3Dd%3F");
  CHECK(url_escape("\xC3\xA9") == "%C3%A9");
  CHECK(url_escape("") == "");
}

TEST_CASE("error_message_from_body prefers Docker's message member") {
  CHECK(error_message_from_body(R"({"message":"No such container: web"})") ==
        "No such container: web");
  CHECK(error_message_from_body("  plain text\n") == "plain text");
  CHECK(error_message_from_body(R"({"other":1})") == R"({"other":1})");
  CHECK(error_message_from_body("") == "");
  CHECK(error_message_from_body(std::string(2000, 'x')).size() == 503);
}

TEST_CASE("throw_http_failure carries the status, method, path and message") {
  HttpRequest request;
  request.method = "DELETE";
  request.path = "/containers/web";
  HttpResponse response;
  response.status = 409;
  response.body = R"({"message":"conflict"})";
  try {
    throw_http_failure(request, response);
    FAIL("did not throw");
  } catch (const HttpFailure& failure) {
    CHECK(failure.status() == 409);
    CHECK(std::string(failure.what()) == "DELETE /containers/web: 409: conflict");
  }
}

TEST_CASE("a request over a Unix socket sends method, path, headers and body") {
  FakeHttpServer server({{http_response(201, R"({"ok":true})", "X-Answer: 42\r\n")}});
  HttpClient client("http://localhost", server.socket_path());
  HttpRequest request;
  request.method = "PUT";
  request.path = "/latest/api/token?x=1";
  request.headers = {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}};
  request.body = "payload";
  request.content_type = "text/plain";
  HttpResponse response = client.perform(request);

  CHECK(response.status == 201);
  CHECK(response.ok());
  CHECK(response.body == R"({"ok":true})");
  CHECK(response.header("x-answer") == "42");
  CHECK(response.header("X-ANSWER") == "42");
  CHECK_FALSE(response.header("missing"));

  auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].starts_with("PUT /latest/api/token?x=1 HTTP/1.1\r\n"));
  CHECK(requests[0].find("X-aws-ec2-metadata-token-ttl-seconds: 21600\r\n") != std::string::npos);
  CHECK(requests[0].find("Content-Type: text/plain\r\n") != std::string::npos);
  CHECK(requests[0].ends_with("\r\n\r\npayload"));
}

TEST_CASE("HTTP error statuses are returned, not thrown") {
  FakeHttpServer server({{http_response(404, R"({"message":"nope"})")}});
  HttpClient client("http://localhost/", server.socket_path());
  HttpRequest request;
  request.path = "/x";
  HttpResponse response = client.perform(request);
  CHECK(response.status == 404);
  CHECK_FALSE(response.ok());
  CHECK(server.requests().at(0).starts_with("GET /x HTTP/1.1\r\n"));
}

TEST_CASE("a POST without a body and a DELETE use the right method") {
  FakeHttpServer server({{http_response(204, "")}, {http_response(204, "")}});
  HttpClient client("http://localhost", server.socket_path());
  HttpRequest post;
  post.method = "POST";
  post.path = "/start";
  CHECK(client.perform(post).status == 204);
  HttpRequest remove;
  remove.method = "DELETE";
  remove.path = "/containers/a";
  CHECK(client.perform(remove).status == 204);
  auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].starts_with("POST /start HTTP/1.1\r\n"));
  CHECK(requests[0].find("Content-Length: 0\r\n") != std::string::npos);
  CHECK(requests[1].starts_with("DELETE /containers/a HTTP/1.1\r\n"));
}

namespace {

/// One request with a body sink to a server answering `status` with `body`: the response and
/// what the sink received.
std::pair<HttpResponse, std::string> perform_with_sink(int status, const std::string& body) {
  FakeHttpServer server({{http_response(status, body)}});
  HttpClient client("http://localhost", server.socket_path());
  HttpRequest request;
  std::string received;
  request.body_sink = [&](std::string_view chunk) { received.append(chunk); };
  HttpResponse response = client.perform(request);
  return {std::move(response), std::move(received)};
}

}  // namespace

TEST_CASE("a body sink receives the body instead of the response") {
  auto [response, received] = perform_with_sink(200, "line one\nline two\n");
  CHECK(response.status == 200);
  CHECK(response.body.empty());
  CHECK(received == "line one\nline two\n");
}

TEST_CASE("a slow peer hits the request timeout as a transport failure") {
  FakeHttpServer server({{http_response(200, "late"), milliseconds(1500)}});
  HttpClient client("http://localhost", server.socket_path());
  HttpRequest request;
  request.path = "/slow";
  request.timeout = milliseconds(200);
  // No wall-clock bound (a loaded machine may take longer than any guess): the server answers
  // 200 after 1.5 s, so a throw that says "timed out" is the 200 ms timeout at work.
  try {
    client.perform(request);
    FAIL("did not throw");
  } catch (const HttpFailure& failure) {
    CHECK(failure.status() == 0);
    std::string message = failure.what();
    CHECK(message.find("GET http://localhost/slow via " + server.socket_path()) == 0);
    CAPTURE(message);
    CHECK(message.find("timed out") != std::string::npos);
  }
}

TEST_CASE("a missing socket is a transport failure naming the socket") {
  HttpClient client("http://localhost", "/tmp/dockerup-no-such-socket.sock");
  HttpRequest request;
  request.path = "/version";
  try {
    client.perform(request);
    FAIL("did not throw");
  } catch (const HttpFailure& failure) {
    CHECK(failure.status() == 0);
    CHECK(std::string(failure.what()).find("/tmp/dockerup-no-such-socket.sock") !=
          std::string::npos);
  }
}

TEST_CASE("describe names the socket") {
  CHECK(HttpClient("http://localhost", "/run/d.sock").describe() ==
        "http://localhost (unix socket /run/d.sock)");
  CHECK(HttpClient("http://h:2375").describe() == "http://h:2375");
}

TEST_CASE("an error body is kept even when a body sink is set") {
  auto [response, received] = perform_with_sink(500, R"({"message":"registry down"})");
  CHECK(response.status == 500);
  CHECK(received.empty());
  CHECK(error_message_from_body(response.body) == "registry down");
}

TEST_CASE("what the body sink throws reaches the caller") {
  FakeHttpServer server({{http_response(200, "data")}});
  HttpClient client("http://localhost", server.socket_path());
  HttpRequest request;
  request.body_sink = [](std::string_view) { throw Failure("sink is full"); };
  CHECK_THROWS_WITH_AS(client.perform(request), "sink is full", Failure);
}

TEST_CASE("a response body over the limit fails the request, naming the limit") {
  CHECK(HttpRequest{}.max_body == 64 * 1024 * 1024);
  FakeHttpServer server({{http_response(200, std::string(1001, 'x'))},
                         {http_response(500, std::string(1001, 'x'))},
                         {http_response(200, std::string(1000, 'x'))}});
  HttpClient client("http://localhost", server.socket_path());
  HttpRequest request;
  request.path = "/big";
  request.max_body = 1000;
  for (int i = 0; i < 2; ++i) {  // a success and an error body alike
    try {
      client.perform(request);
      FAIL("did not throw");
    } catch (const HttpFailure& failure) {
      CHECK(failure.status() == 0);
      CHECK(std::string(failure.what()) ==
            "GET http://localhost/big via " + server.socket_path() +
                ": the response body exceeds the limit of 1000 bytes");
    }
  }
  CHECK(client.perform(request).body.size() == 1000);
}

TEST_CASE("describe_size") {
  CHECK(describe_size(64 * 1024 * 1024) == "64 MiB");
  CHECK(describe_size(1024 * 1024 + 1) == "1048577 bytes");
  CHECK(describe_size(0) == "0 bytes");
}

TEST_CASE("error_message_from_body cuts Docker's message like a bare body") {
  std::string long_message = std::string(600, 'm');
  CHECK(error_message_from_body(R"({"message": ")" + long_message + "\"}") ==
        std::string(500, 'm') + "...");
  CHECK(error_message_from_body(long_message) == std::string(500, 'm') + "...");
}

namespace {

/// A listening TCP socket on 127.0.0.1; `answer_once` serves one HTTP response on it.
struct TcpListener {
  int fd = -1;
  int port = 0;
  TcpListener() {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(listen(fd, 4) == 0);
    socklen_t size = sizeof address;
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
    port = ntohs(address.sin_port);
  }
  ~TcpListener() { close(fd); }
  /// Whether a connection is waiting (never blocks).
  bool has_connection() const {
    pollfd entry{fd, POLLIN, 0};
    return poll(&entry, 1, 0) > 0;
  }
  void answer_once(const std::string& response) const {
    pollfd entry{fd, POLLIN, 0};
    if (poll(&entry, 1, 5000) <= 0) return;  // bounded: the test fails on the client side
    int client = accept(fd, nullptr, nullptr);
    char buffer[4096];
    std::string request;
    while (request.find("\r\n\r\n") == std::string::npos) {
      pollfd readable{client, POLLIN, 0};
      if (poll(&readable, 1, 5000) <= 0) break;
      ssize_t got = read(client, buffer, sizeof buffer);
      if (got <= 0) break;
      request.append(buffer, static_cast<std::size_t>(got));
    }
    (void)!write(client, response.data(), response.size());
    close(client);
  }
};

}  // namespace

TEST_CASE("the engine is never reached through http_proxy (tcp:// remotes)") {
  TcpListener proxy;
  TcpListener engine;
  std::string proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port);
  setenv("http_proxy", proxy_url.c_str(), 1);
  setenv("ALL_PROXY", proxy_url.c_str(), 1);
  std::thread server([&] { engine.answer_once(http_response(200, "{\"direct\": true}")); });
  HttpClient client("http://127.0.0.1:" + std::to_string(engine.port));
  HttpRequest request;
  request.method = "POST";
  request.path = "/containers/create";
  request.body = "{\"Env\": [\"PASSWORD=s3cr3t\"]}";
  request.timeout = milliseconds(5000);
  std::string body;
  try {
    body = client.perform(request).body;
  } catch (const std::exception& e) {
    body = e.what();
  }
  server.join();
  unsetenv("http_proxy");
  unsetenv("ALL_PROXY");
  CHECK(body == "{\"direct\": true}");
  CHECK_FALSE(proxy.has_connection());  // the proxy saw no request, so no create body
}
