// The IMDS protocol against a scripted fake: which requests, in which order, with which headers.
#include "dockerup/error.hpp"
#include "dockerup/imds.hpp"

#include <doctest/doctest.h>

#include <deque>

using namespace dockerup;

namespace {

struct Request {
  std::string method;
  std::string url;
  std::map<std::string, std::string> headers;
};

/// Answers from a script (a status, or status 0 for "connection refused") and records requests.
class ScriptedHttp : public ImdsHttp {
 public:
  ScriptedHttp(std::deque<HttpReply> script, std::vector<Request>& record)
      : script_(std::move(script)), record_(record) {}

  HttpReply send(const std::string& method, const std::string& url,
                 const std::map<std::string, std::string>& headers) override {
    record_.push_back({method, url, headers});
    if (script_.empty()) throw Failure("script exhausted");
    HttpReply reply = script_.front();
    script_.pop_front();
    if (reply.status == 0) throw Failure("connection refused");
    return reply;
  }

 private:
  std::deque<HttpReply> script_;
  std::vector<Request>& record_;
};

ImdsOptions fast_options() {
  ImdsOptions options;
  options.endpoint = "http://imds";
  options.first_backoff = std::chrono::milliseconds(1);
  return options;
}

ImdsClient scripted_client(std::deque<HttpReply> script, std::vector<Request>& record,
                           ImdsOptions options = fast_options()) {
  return ImdsClient(options, std::make_unique<ScriptedHttp>(std::move(script), record));
}

std::vector<std::string> lines(const std::vector<Request>& record) {
  std::vector<std::string> out;
  for (const auto& request : record) out.push_back(request.method + " " + request.url);
  return out;
}

const std::string kPut = "PUT http://imds/latest/api/token";
const std::string kGet = "GET http://imds/latest/user-data";

}  // namespace

TEST_CASE("IMDSv2: a token, then user-data with the token") {
  std::vector<Request> record;
  auto client = scripted_client({{200, "tok-1"}, {200, "{\"containers\": []}"}}, record);

  UserDataFetch fetch = client.fetch_user_data();

  CHECK(fetch.outcome == UserDataFetch::Outcome::Ok);
  CHECK(fetch.body == "{\"containers\": []}");
  REQUIRE(lines(record) == std::vector<std::string>{kPut, kGet});
  CHECK(record[0].headers.at("X-aws-ec2-metadata-token-ttl-seconds") == "21600");
  CHECK(record[1].headers.at("X-aws-ec2-metadata-token") == "tok-1");
}

TEST_CASE("IMDSv2: the token is kept, and a refused one (401) is replaced once") {
  std::vector<Request> record;
  auto client = scripted_client(
      {{200, "tok-1"}, {200, "a"}, {200, "b"}, {401, ""}, {200, "tok-2"}, {200, "c"}}, record);

  CHECK(client.fetch_user_data().body == "a");
  CHECK(client.fetch_user_data().body == "b");
  UserDataFetch third = client.fetch_user_data();

  CHECK(third.outcome == UserDataFetch::Outcome::Ok);
  CHECK(third.body == "c");
  CHECK(lines(record) == std::vector<std::string>{kPut, kGet, kGet, kGet, kPut, kGet});
  CHECK(record[3].headers.at("X-aws-ec2-metadata-token") == "tok-1");
  CHECK(record[5].headers.at("X-aws-ec2-metadata-token") == "tok-2");
}

TEST_CASE("404 on user-data means the instance has none") {
  std::vector<Request> record;
  auto client = scripted_client({{200, "tok"}, {404, "Not Found"}}, record);
  UserDataFetch fetch = client.fetch_user_data();
  CHECK(fetch.outcome == UserDataFetch::Outcome::None);
  CHECK(record.size() == 2);
}

TEST_CASE("no token endpoint: IMDSv1 when allowed, refused when not") {
  SUBCASE("allowed") {
    std::vector<Request> record;
    auto client = scripted_client({{405, ""}, {200, "v1 body"}}, record);
    UserDataFetch fetch = client.fetch_user_data();
    CHECK(fetch.outcome == UserDataFetch::Outcome::Ok);
    CHECK(fetch.body == "v1 body");
    REQUIRE(record.size() == 2);
    CHECK(record[1].headers.count("X-aws-ec2-metadata-token") == 0);
  }
  SUBCASE("forbidden: no retries, a reason naming the setting") {
    std::vector<Request> record;
    ImdsOptions options = fast_options();
    options.allow_imdsv1 = false;
    auto client = scripted_client({{404, ""}, {404, ""}, {404, ""}}, record, options);
    UserDataFetch fetch = client.fetch_user_data();
    CHECK(fetch.outcome == UserDataFetch::Outcome::Unavailable);
    CHECK(fetch.reason.find("aws_imdsv1=false") != std::string::npos);
    CHECK(lines(record) == std::vector<std::string>{kPut});
  }
}

TEST_CASE("transport failures are retried a bounded number of times") {
  SUBCASE("recovers on the third try") {
    std::vector<Request> record;
    auto client = scripted_client({{0, ""}, {500, ""}, {200, "tok"}, {200, "ok"}}, record);
    UserDataFetch fetch = client.fetch_user_data();
    CHECK(fetch.outcome == UserDataFetch::Outcome::Ok);
    CHECK(lines(record) == std::vector<std::string>{kPut, kPut, kPut, kGet});
  }
  SUBCASE("gives up after three") {
    std::vector<Request> record;
    auto client = scripted_client({{0, ""}, {0, ""}, {0, ""}, {200, "never"}}, record);
    UserDataFetch fetch = client.fetch_user_data();
    CHECK(fetch.outcome == UserDataFetch::Outcome::Unavailable);
    CHECK(fetch.reason.find("connection refused") != std::string::npos);
    CHECK(record.size() == 3);
  }
  SUBCASE("a user-data server error is not 'no user-data'") {
    std::vector<Request> record;
    auto client = scripted_client({{200, "tok"}, {503, ""}, {503, ""}, {503, ""}}, record);
    UserDataFetch fetch = client.fetch_user_data();
    CHECK(fetch.outcome == UserDataFetch::Outcome::Unavailable);
    CHECK(fetch.reason.find("HTTP 503") != std::string::npos);
  }
}

TEST_CASE("endpoint: environment, then setting, then the EC2 address") {
  Settings settings;
  CHECK(imds_endpoint(settings, nullptr) == "http://169.254.169.254");
  settings.aws_endpoint = "http://127.0.0.1:8111/";
  CHECK(imds_endpoint(settings, nullptr) == "http://127.0.0.1:8111");
  CHECK(imds_endpoint(settings, "") == "http://127.0.0.1:8111");
  CHECK(imds_endpoint(settings, "http://[fd00:ec2::254]") == "http://[fd00:ec2::254]");
}
