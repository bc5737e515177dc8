// Move-only RAII owners of libcurl handles (after MPD's lib/curl): an easy handle whose option
// setters throw with the option's context, and a header list.
#pragma once

#include "dockerup/error.hpp"

#include <curl/curl.h>

#include <string>
#include <utility>

namespace dockerup {

/// Initialises libcurl once per process, before the first handle (curl_global_init is not
/// thread-safe on every libcurl build, so it must not race with another thread's first request).
void ensure_curl_initialised();

class CurlSlist {
 public:
  CurlSlist() noexcept = default;
  CurlSlist(CurlSlist&& other) noexcept : head_(std::exchange(other.head_, nullptr)) {}
  CurlSlist& operator=(CurlSlist&& other) noexcept {
    std::swap(head_, other.head_);
    return *this;
  }
  CurlSlist(const CurlSlist&) = delete;
  CurlSlist& operator=(const CurlSlist&) = delete;
  ~CurlSlist() { curl_slist_free_all(head_); }

  void append(const std::string& line) {
    curl_slist* appended = curl_slist_append(head_, line.c_str());
    if (appended == nullptr) fail("out of memory adding HTTP header {}", line);
    head_ = appended;
  }
  curl_slist* get() const noexcept { return head_; }

 private:
  curl_slist* head_ = nullptr;
};

class CurlEasy {
 public:
  CurlEasy() : handle_(curl_easy_init()) {
    if (handle_ == nullptr) fail("curl_easy_init failed");
  }
  CurlEasy(CurlEasy&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  CurlEasy& operator=(CurlEasy&& other) noexcept {
    std::swap(handle_, other.handle_);
    return *this;
  }
  CurlEasy(const CurlEasy&) = delete;
  CurlEasy& operator=(const CurlEasy&) = delete;
  ~CurlEasy() {
    if (handle_ != nullptr) curl_easy_cleanup(handle_);
  }

  template <typename Value>
  void set(CURLoption option, Value value) {
    CURLcode code = curl_easy_setopt(handle_, option, value);
    if (code != CURLE_OK)
      fail("curl_easy_setopt({}) failed: {}", static_cast<int>(option), curl_easy_strerror(code));
  }

  /// Runs the transfer; returns the libcurl result for the caller to put in context.
  CURLcode perform() noexcept { return curl_easy_perform(handle_); }

  long response_code() const noexcept {
    long code = 0;
    curl_easy_getinfo(handle_, CURLINFO_RESPONSE_CODE, &code);
    return code;
  }

  CURL* get() const noexcept { return handle_; }

 private:
  CURL* handle_;
};

}  // namespace dockerup
