#include "fake_bybit.hpp"

#include "signer.hpp"
#include "test_support.hpp"
#include "test_tls.hpp"

#include <mmhost/sdk/fixed_point.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

namespace mmh::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

std::string bybit_fixture(const std::string& name) {
  const std::string path = std::string(MMHOST_TEST_SHARED_DATA_DIR) + "/../bybit/fixtures/" + name;
  if (!std::filesystem::exists(path)) throw std::runtime_error(path + ": fixture missing");
  return read_file(path);
}

namespace {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::map<std::string, std::string> parse_query(const std::string& query) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos <= query.size() && !query.empty()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    const std::string pair = query.substr(pos, amp - pos);
    const size_t eq = pair.find('=');
    out[pair.substr(0, eq)] = eq == std::string::npos ? "" : pair.substr(eq + 1);
    pos = amp + 1;
  }
  return out;
}

struct Reply {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  int64_t delay_ms = 0;
  bool disconnect = false;
};

std::string envelope(int64_t code, const std::string& msg, const std::string& result,
                     int64_t time_ms) {
  return "{\"retCode\":" + std::to_string(code) + ",\"retMsg\":\"" + msg +
         "\",\"result\":" + result + ",\"retExtInfo\":{},\"time\":" + std::to_string(time_ms) + "}";
}

}  // namespace

struct FakeBybit::Impl {
  Options options;
  TestCertificate cert;
  std::unique_ptr<ssl::context> tls;  // outlives the sessions the io_context destroys
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  uint16_t port = 0;

  mutable std::mutex mutex;
  std::vector<mmh_candle> candles;  // 1m, ascending
  int64_t clock_offset_ms = 0;
  int64_t fixed_now_ms = 0;
  std::vector<Fault> faults;
  std::vector<FakeRequest> log;
  size_t connections = 0;

  int64_t now_locked() const {
    return fixed_now_ms != 0 ? fixed_now_ms : wall_ms() + clock_offset_ms;
  }

  // Under the lock.
  std::optional<Reply> fault_for(const std::string& path, int64_t now) {
    for (Fault& f : faults) {
      if (f.path != path || f.times == 0) continue;
      if (f.skip > 0) {
        --f.skip;
        continue;
      }
      if (f.times > 0) --f.times;
      Reply r;
      switch (f.kind) {
        case FaultKind::http_status:
          r.status = static_cast<int>(f.value);
          r.body = "injected HTTP " + std::to_string(f.value);
          return r;
        case FaultKind::ret_code:
          r.body = envelope(f.value, f.value == 10006 ? "Too many visits!" : "injected", "{}", now);
          if (f.value == 10006)
            r.headers = {{"X-Bapi-Limit", "20"},
                         {"X-Bapi-Limit-Status", "0"},
                         {"X-Bapi-Limit-Reset-Timestamp", std::to_string(wall_ms() + 200)}};
          return r;
        case FaultKind::delay:
          r.delay_ms = f.value;
          r.status = 0;  // answer normally, late
          return r;
        case FaultKind::disconnect:
          r.disconnect = true;
          return r;
      }
    }
    return std::nullopt;
  }

  // Bybit's private-request checks (PROTOCOL.md §3.1), in its order: key, timestamp, sign.
  std::optional<std::string> check_auth(const FakeRequest& req, int64_t now) {
    auto header = [&](const char* name) {
      auto it = req.headers.find(name);
      return it == req.headers.end() ? std::string() : it->second;
    };
    const std::string key = header("x-bapi-api-key");
    if (key != options.api_key) return envelope(10003, "API key is invalid.", "{}", now);
    const std::string ts_text = header("x-bapi-timestamp");
    const std::string rw_text = header("x-bapi-recv-window");
    int64_t ts = 0, rw = 5000;
    try {
      ts = std::stoll(ts_text);
      if (!rw_text.empty()) rw = std::stoll(rw_text);
    } catch (const std::exception&) {
      return envelope(10001, "bad timestamp", "{}", now);
    }
    if (!(now - rw <= ts && ts < now + 1000))
      return envelope(10002,
                      "invalid request, please check your server timestamp or recv_window param. "
                      "req_timestamp[" +
                          ts_text + "],server_timestamp[" + std::to_string(now) + "],recv_window[" +
                          std::to_string(rw) + "]",
                      "{}", now);
    const std::string payload = req.method == "POST" ? req.body : req.query;
    bybit::Credentials creds{options.api_key, options.api_secret};
    if (bybit::rest_signature(creds, ts, rw, payload) != header("x-bapi-sign"))
      return envelope(10004, "error sign! origin_string[" + ts_text + key + rw_text + payload + "]",
                      "{}", now);
    return std::nullopt;
  }

  std::string klines(const std::map<std::string, std::string>& q, int64_t now) {
    auto get = [&](const char* k) {
      auto it = q.find(k);
      return it == q.end() ? std::string() : it->second;
    };
    if (get("category") != "spot") return envelope(10001, "category must be spot here", "{}", now);
    const std::string interval = get("interval");
    int64_t minutes = 0;
    for (int m : {1, 3, 5, 15, 30, 60, 120, 240, 360, 720})
      if (interval == std::to_string(m)) minutes = m;
    if (interval == "D") minutes = 1440;
    if (minutes == 0) return envelope(10001, "Invalid period!", "{}", now);
    const int64_t step = minutes * 60000;
    const int64_t start = get("start").empty() ? 0 : std::stoll(get("start"));
    const int64_t end = get("end").empty() ? now : std::stoll(get("end"));
    const int64_t limit = get("limit").empty() ? 200 : std::stoll(get("limit"));
    if (limit < 1 || limit > 1000) return envelope(10001, "limit out of range", "{}", now);
    // Aggregate the 1m candles into the requested bars (open time on the interval grid).
    std::map<int64_t, mmh_candle> bars;
    for (const mmh_candle& c : candles) {
      const int64_t t = c.open_ts_ns / 1000000;
      if (t > now) break;  // the future does not exist yet
      const int64_t bar = t - ((t % step) + step) % step;
      if (bar + step <= start || bar > end) continue;
      auto [it, fresh] = bars.try_emplace(bar, c);
      mmh_candle& b = it->second;
      if (fresh) continue;
      b.high_e8 = std::max(b.high_e8, c.high_e8);
      b.low_e8 = std::min(b.low_e8, c.low_e8);
      b.close_e8 = c.close_e8;
      b.volume_e8 += c.volume_e8;
    }
    std::string list;
    int64_t n = 0;
    for (auto it = bars.rbegin(); it != bars.rend() && n < limit; ++it, ++n) {
      const mmh_candle& b = it->second;
      list += (n ? "," : "");
      list += "[\"" + std::to_string(it->first) + "\"";
      for (int64_t v : {b.open_e8, b.high_e8, b.low_e8, b.close_e8, b.volume_e8})
        list += ",\"" + sdk::format_e8(v) + "\"";
      list += ",\"" + sdk::format_e8(sdk::value_e8(b.close_e8, b.volume_e8)) + "\"]";
    }
    return envelope(
        0, "OK",
        "{\"symbol\":\"" + get("symbol") + "\",\"category\":\"spot\",\"list\":[" + list + "]}",
        now);
  }

  Reply handle(const FakeRequest& req) {
    std::lock_guard lock(mutex);
    log.push_back(req);
    const int64_t now = now_locked();
    Reply r;
    if (auto fault = fault_for(req.path, now)) {
      if (fault->status != 0 || fault->disconnect) return *fault;
      r.delay_ms = fault->delay_ms;
    }
    const auto q = parse_query(req.query);
    if (req.path == "/v5/market/time") {
      r.body = envelope(0, "OK",
                        "{\"timeSecond\":\"" + std::to_string(now / 1000) + "\",\"timeNano\":\"" +
                            std::to_string(now) + "000000\"}",
                        now);
    } else if (req.path == "/v5/market/kline") {
      r.body = klines(q, now);
    } else if (req.path == "/v5/market/instruments-info") {
      r.body = bybit_fixture("rest_instruments_info_spot.json");
    } else if (req.path == "/v5/account/wallet-balance") {
      if (auto denied = check_auth(req, now)) {
        r.body = *denied;
      } else {
        r.body = bybit_fixture("rest_wallet_balance.json");
        r.headers = {{"X-Bapi-Limit", "50"},
                     {"X-Bapi-Limit-Status", "49"},
                     {"X-Bapi-Limit-Reset-Timestamp", std::to_string(wall_ms())}};
      }
    } else {
      r.status = 404;
      r.body = "no route " + req.path;
    }
    return r;
  }

  template <typename Stream>
  asio::awaitable<void> serve(Stream& stream) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      auto [ec, n] =
          co_await http::async_read(stream, buffer, req, asio::as_tuple(asio::use_awaitable));
      (void)n;
      if (ec) co_return;
      FakeRequest fr;
      fr.method = std::string(req.method_string());
      const std::string target(req.target());
      const size_t qm = target.find('?');
      fr.path = target.substr(0, qm);
      fr.query = qm == std::string::npos ? "" : target.substr(qm + 1);
      fr.body = req.body();
      for (const auto& field : req) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        fr.headers[name] = std::string(field.value());
      }
      Reply reply = handle(fr);
      if (reply.disconnect) co_return;
      if (reply.delay_ms > 0) {
        asio::steady_timer timer(stream.get_executor(), std::chrono::milliseconds(reply.delay_ms));
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      }
      http::response<http::string_body> res{static_cast<http::status>(reply.status), 11};
      res.set(http::field::content_type, reply.status == 200 ? "application/json" : "text/plain");
      for (const auto& [name, value] : reply.headers) res.set(name, value);
      res.keep_alive(req.keep_alive());
      res.body() = std::move(reply.body);
      res.prepare_payload();
      auto [wec, wn] = co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
      (void)wn;
      if (wec || !req.keep_alive()) co_return;
    }
  }

  asio::awaitable<void> session(tcp::socket socket) {
    if (!tls) {
      beast::tcp_stream stream(std::move(socket));
      co_await serve(stream);
      co_return;
    }
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls);
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::server,
                                                asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    co_await serve(stream);
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      {
        std::lock_guard lock(mutex);
        ++connections;
      }
      asio::co_spawn(ioc, session(std::move(socket)), asio::detached);
    }
  }
};

FakeBybit::FakeBybit() : FakeBybit(Options{}) {}

FakeBybit::FakeBybit(Options options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  if (impl_->options.tls) {
    impl_->cert = make_test_certificate();
    impl_->tls = std::make_unique<ssl::context>(ssl::context::tls_server);
    impl_->tls->use_certificate_chain(
        asio::buffer(impl_->cert.certificate_pem.data(), impl_->cert.certificate_pem.size()));
    impl_->tls->use_private_key(
        asio::buffer(impl_->cert.private_key_pem.data(), impl_->cert.private_key_pem.size()),
        ssl::context::pem);
  }
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->ioc, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

FakeBybit::~FakeBybit() {
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

uint16_t FakeBybit::port() const {
  return impl_->port;
}

std::string FakeBybit::rest_url() const {
  return std::string(impl_->options.tls ? "https" : "http") +
         "://127.0.0.1:" + std::to_string(impl_->port);
}

const std::string& FakeBybit::ca_pem() const {
  return impl_->cert.certificate_pem;
}

std::string FakeBybit::write_venue_file(const std::string& dir, const std::string& extra) const {
  const std::string ws = std::string(impl_->options.tls ? "wss" : "ws") +
                         "://127.0.0.1:" + std::to_string(impl_->port);
  std::string text = "name: fake\nrest_url: " + rest_url() + "\nws_public_url: " + ws +
                     "/v5/public/spot\nws_private_url: " + ws + "/v5/private\n";
  if (impl_->options.tls) {
    write_file(dir + "/fake-ca.pem", ca_pem());
    text += "ca_file: fake-ca.pem\n";
  }
  text += extra;
  return write_file(dir + "/fake.yaml", text);
}

void FakeBybit::set_candles(std::vector<mmh_candle> one_minute) {
  std::lock_guard lock(impl_->mutex);
  impl_->candles = std::move(one_minute);
}

void FakeBybit::set_clock(int64_t offset_ms, int64_t fixed_now_ms) {
  std::lock_guard lock(impl_->mutex);
  impl_->clock_offset_ms = offset_ms;
  impl_->fixed_now_ms = fixed_now_ms;
}

int64_t FakeBybit::now_ms() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->now_locked();
}

void FakeBybit::inject(Fault fault) {
  std::lock_guard lock(impl_->mutex);
  impl_->faults.push_back(std::move(fault));
}

void FakeBybit::clear_faults() {
  std::lock_guard lock(impl_->mutex);
  impl_->faults.clear();
}

std::vector<FakeRequest> FakeBybit::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->log;
}

size_t FakeBybit::count(const std::string& path) const {
  std::lock_guard lock(impl_->mutex);
  return static_cast<size_t>(std::count_if(impl_->log.begin(), impl_->log.end(),
                                           [&](const FakeRequest& r) { return r.path == path; }));
}

size_t FakeBybit::connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->connections;
}

}  // namespace mmh::test
