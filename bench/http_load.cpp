// mmhost_http_load: a closed-loop HTTP/1.1 load generator for bench/serve_bench.sh. CLIENTS
// threads, each with one keep-alive connection, send REQUESTS GETs of URL one after another and
// time each; prints the latency percentiles. Usage: mmhost_http_load URL CLIENTS REQUESTS
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: mmhost_http_load http://127.0.0.1:PORT/path CLIENTS REQUESTS\n");
    return 2;
  }
  const std::string url = argv[1];
  const int clients = std::atoi(argv[2]), requests = std::atoi(argv[3]);
  const std::string rest = url.substr(url.find("//") + 2);
  const std::string host_port = rest.substr(0, rest.find('/'));
  const std::string target = rest.substr(rest.find('/'));
  const std::string host = host_port.substr(0, host_port.rfind(':'));
  const std::string port = host_port.substr(host_port.rfind(':') + 1);
  std::mutex mutex;
  std::vector<double> all;
  int failures = 0;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&] {
      std::vector<double> mine;
      int failed = 0;
      try {
        boost::asio::io_context io;
        tcp::resolver resolver(io);
        beast::tcp_stream stream(io);
        stream.connect(resolver.resolve(host, port));
        beast::flat_buffer buffer;
        http::request<http::empty_body> req(http::verb::get, target, 11);
        req.set(http::field::host, host_port);
        for (int i = 0; i < requests; ++i) {
          const auto t = std::chrono::steady_clock::now();
          http::write(stream, req);
          http::response<http::string_body> res;
          http::read(stream, buffer, res);
          mine.push_back(
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count());
          failed += res.result_int() != 200;
        }
      } catch (const std::exception&) {
        ++failed;
      }
      std::lock_guard lock(mutex);
      all.insert(all.end(), mine.begin(), mine.end());
      failures += failed;
    });
  for (std::thread& t : threads) t.join();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::sort(all.begin(), all.end());
  if (all.empty()) return 1;
  auto at = [&](double q) {
    return all[std::min(all.size() - 1, static_cast<size_t>(q * static_cast<double>(all.size())))] *
           1000;
  };
  std::printf(
      "%zu requests (%d failed) in %.2f s = %.0f/s: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
      all.size(), failures, wall, static_cast<double>(all.size()) / wall, at(0.5), at(0.99),
      all.back() * 1000);
  return failures == 0 ? 0 : 1;
}
