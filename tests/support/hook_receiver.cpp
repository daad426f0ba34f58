#include "hook_receiver.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <mutex>
#include <thread>

namespace mmh::test {

struct HookReceiver::Impl {
  explicit Impl(std::vector<int> answers_in) : answers(std::move(answers_in)) {
    acceptor.open(boost::asio::ip::tcp::v4());
    acceptor.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
    acceptor.listen();
    port = acceptor.local_endpoint().port();
    thread = std::thread([this] { serve(); });
  }
  ~Impl() {
    stop = true;
    boost::system::error_code ignored;
    boost::asio::ip::tcp::socket poke(io);
    poke.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ignored);
    thread.join();
  }

  void serve() {
    namespace http = boost::beast::http;
    while (!stop) {
      boost::asio::ip::tcp::socket socket(io);
      boost::system::error_code ec;
      acceptor.accept(socket, ec);
      if (ec || stop) continue;
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(socket, buffer, req, ec);
      if (ec) continue;
      int status = 200;
      {
        std::lock_guard lock(mutex);
        ++attempts;
        if (!answers.empty()) {
          status = answers.front();
          answers.erase(answers.begin());
        }
        if (status == 200 && req.method() == http::verb::post)
          received.push_back(nlohmann::json::parse(req.body()));
      }
      http::response<http::string_body> res(static_cast<http::status>(status), 11);
      res.body() = "ok";
      res.prepare_payload();
      http::write(socket, res, ec);
    }
  }

  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor{io};
  unsigned short port = 0;
  std::vector<int> answers;
  std::mutex mutex;
  std::vector<nlohmann::json> received;
  int attempts = 0;
  std::atomic<bool> stop{false};
  std::thread thread;
};

HookReceiver::HookReceiver(std::vector<int> answers)
    : impl_(std::make_unique<Impl>(std::move(answers))) {}

HookReceiver::~HookReceiver() = default;

std::string HookReceiver::url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + "/hook";
}

std::vector<nlohmann::json> HookReceiver::received() {
  std::lock_guard lock(impl_->mutex);
  return impl_->received;
}

int HookReceiver::attempts() {
  std::lock_guard lock(impl_->mutex);
  return impl_->attempts;
}

}  // namespace mmh::test
