// Test helper: an HTTP server on a Unix socket that answers a fixed list of raw responses, one
// per connection, and records the raw requests. Lets the HTTP client and the Docker engine be
// tested without a daemon.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace dockerup::testing {

struct FakeExchange {
  std::string response;                ///< raw bytes to send back
  std::chrono::milliseconds delay{0};  ///< wait this long before answering
};

inline std::string http_response(int status, const std::string& body,
                                 const std::string& extra_headers = "") {
  return "HTTP/1.1 " + std::to_string(status) + " Whatever\r\nContent-Type: application/json\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n" +
         extra_headers + "\r\n" + body;
}

class FakeHttpServer {
 public:
  explicit FakeHttpServer(std::vector<FakeExchange> exchanges) : exchanges_(std::move(exchanges)) {
    static std::atomic<int> counter{0};
    path_ = "/tmp/dockerup-fake-" + std::to_string(getpid()) + "-" + std::to_string(counter++) +
            ".sock";
    unlink(path_.c_str());
    listener_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path_.c_str(), sizeof(address.sun_path) - 1);
    if (listener_ < 0 ||
        bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        listen(listener_, 8) != 0)
      throw std::runtime_error("fake server: cannot listen on " + path_);
    thread_ = std::thread([this] { serve(); });
  }
  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;
  ~FakeHttpServer() {
    stop_ = true;
    thread_.join();
    close(listener_);
    unlink(path_.c_str());
  }

  const std::string& socket_path() const { return path_; }

  /// Raw requests received so far: request line, headers and body.
  std::vector<std::string> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void serve() {
    for (const FakeExchange& exchange : exchanges_) {
      int client = accept_client();
      if (client < 0) return;
      std::string request = read_request(client);
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
      }
      std::this_thread::sleep_for(exchange.delay);
      send(client, exchange.response.data(), exchange.response.size(), MSG_NOSIGNAL);
      close(client);
    }
  }

  /// Waits for a client, checking now and then whether the test is over.
  int accept_client() {
    while (!stop_) {
      pollfd poll_fd{listener_, POLLIN, 0};
      if (poll(&poll_fd, 1, 50) > 0) return accept(listener_, nullptr, nullptr);
    }
    return -1;
  }

  static std::string read_request(int client) {
    std::string data;
    char buffer[4096];
    while (true) {
      auto header_end = data.find("\r\n\r\n");
      if (header_end != std::string::npos && data.size() >= header_end + 4 + content_length(data))
        break;
      pollfd poll_fd{client, POLLIN, 0};
      if (poll(&poll_fd, 1, 2000) <= 0) break;
      ssize_t count = recv(client, buffer, sizeof(buffer), 0);
      if (count <= 0) break;
      data.append(buffer, static_cast<std::size_t>(count));
    }
    return data;
  }

  static std::size_t content_length(const std::string& data) {
    auto position = data.find("Content-Length: ");
    return position == std::string::npos ? 0 : std::stoul(data.substr(position + 16));
  }

  std::vector<FakeExchange> exchanges_;
  std::string path_;
  int listener_ = -1;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

}  // namespace dockerup::testing
