// A loopback webhook receiver for alert tests: a real HTTP server on 127.0.0.1 (Boost.Beast,
// one connection at a time) that the test starts and stops.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mmh::test {

// A loopback webhook: answers each POST with the next status of `answers` (then 200) and keeps
// the bodies it answered 200 to.
class HookReceiver {
 public:
  explicit HookReceiver(std::vector<int> answers = {}) : answers_(std::move(answers)) {
    acceptor_.open(boost::asio::ip::tcp::v4());
    acceptor_.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
  }
  ~HookReceiver() {
    stop_ = true;
    boost::system::error_code ignored;
    boost::asio::ip::tcp::socket poke(io_);
    poke.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ignored);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  std::vector<nlohmann::json> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }
  int attempts() {
    std::lock_guard lock(mutex_);
    return attempts_;
  }

 private:
  void serve() {
    namespace http = boost::beast::http;
    while (!stop_) {
      boost::asio::ip::tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stop_) continue;
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(socket, buffer, req, ec);
      if (ec) continue;
      int status = 200;
      {
        std::lock_guard lock(mutex_);
        ++attempts_;
        if (!answers_.empty()) {
          status = answers_.front();
          answers_.erase(answers_.begin());
        }
        if (status == 200 && req.method() == http::verb::post)
          received_.push_back(nlohmann::json::parse(req.body()));
      }
      http::response<http::string_body> res(static_cast<http::status>(status), 11);
      res.body() = "ok";
      res.prepare_payload();
      http::write(socket, res, ec);
    }
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_{io_};
  unsigned short port_ = 0;
  std::vector<int> answers_;
  std::mutex mutex_;
  std::vector<nlohmann::json> received_;
  int attempts_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace mmh::test
