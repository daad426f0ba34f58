#include "api/api_server.hpp"

#include "api/job_runner.hpp"
#include "api/sessions.hpp"
#include "api/web_ui.hpp"
#include "app/control_socket.hpp"
#include "app/endpoint_text.hpp"
#include "app/format.hpp"
#include "engine/clock.hpp"
#include "report/web_assets.hpp"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <charconv>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

namespace mmh::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using store::RunRow;
using store::RunStatus;

namespace {

std::string iso_ms(int64_t ms) {
  return ms <= 0 ? std::string() : iso_time(ms * 1'000'000);
}

struct Reply {
  http::status status = http::status::ok;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // by name: Beast lacks some (CSP)
};

Reply json_reply(http::status status, const json& j) {
  return Reply{status, j.dump() + "\n", "application/json", {}};
}

Reply error_reply(http::status status, const std::string& message, const std::string& field = "") {
  json e = {{"message", message}};
  if (!field.empty()) e["field"] = field;
  return json_reply(status, {{"error", e}});
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size()) {
      int v = 0;
      const auto r = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (r.ec != std::errc() || r.ptr != s.data() + i + 3) return out + std::string(s.substr(i));
      out += static_cast<char>(v);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view q) {
  std::map<std::string, std::string> out;
  while (!q.empty()) {
    const size_t amp = q.find('&');
    const std::string_view pair = q.substr(0, amp);
    const size_t eq = pair.find('=');
    out[percent_decode(pair.substr(0, eq))] =
        eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}

// A query parameter as an integer in [lo, hi]; throws SpecError naming it.
int64_t int_param(const std::map<std::string, std::string>& q, const std::string& name,
                  int64_t fallback, int64_t lo, int64_t hi) {
  auto it = q.find(name);
  if (it == q.end() || it->second.empty()) return fallback;
  int64_t v = 0;
  const auto r = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (r.ec != std::errc() || r.ptr != it->second.data() + it->second.size() || v < lo || v > hi)
    throw SpecError(name, name + " must be an integer from " + std::to_string(lo) + " to " +
                              std::to_string(hi));
  return v;
}

json parse_or_null(const std::string& text) {
  if (text.empty()) return nullptr;
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? json(nullptr) : j;
}

json run_json(const RunRow& r, bool full) {
  json j = {{"id", r.id},
            {"name", r.name},
            {"kind", r.kind},
            {"status", store::status_name(r.status)},
            {"progress", r.progress},
            {"attempts", r.attempts},
            {"created", iso_ms(r.created_ms)},
            {"started", iso_ms(r.started_ms)},
            {"finished", iso_ms(r.finished_ms)}};
  if (!r.parent_id.empty()) j["parent_id"] = r.parent_id;
  if (!r.error.empty()) j["error"] = r.error;
  if (r.cancel_requested && r.status == RunStatus::running) j["cancel_requested"] = true;
  const json summary = parse_or_null(r.summary_json);
  if (r.kind == "sweep" && summary.is_object()) {
    j["children"] = summary;
  } else if (summary.is_object()) {
    json figures;
    for (const char* k : {"net_pnl", "return_pct", "max_drawdown_pct", "sharpe_daily", "fees_total",
                          "event_hash", "period"})
      if (summary.contains(k)) figures[k] = summary[k];
    if (summary.contains("fills")) figures["fills"] = summary["fills"];
    j["figures"] = figures;
  }
  // The strategy a backtest ran (its file's name; a pasted one is named by its hash).
  const json argv = parse_or_null(r.argv_json);
  if (argv.is_array() && argv.size() > 1 && argv[0] == "backtest" && argv[1].is_string())
    j["strategy"] = fs::path(argv[1].get<std::string>()).filename().string();
  if (!r.parent_id.empty()) {  // a sweep's child: its parameter set, for the sweep's table
    const json spec = parse_or_null(r.spec_json);
    if (spec.is_object() && spec.contains("params")) j["params"] = spec["params"];
  }
  if (full) {
    j["spec"] = parse_or_null(r.spec_json);
    j["argv"] = argv;
    j["worker"] = r.worker;
  }
  return j;
}

bool safe_name(const std::string& name) {
  static const std::regex ok("^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$");
  return std::regex_match(name, ok) && name.find("..") == std::string::npos;
}

std::string content_type_of(const fs::path& p) {
  const std::string ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".jsonl") return "application/x-ndjson";
  if (ext == ".csv") return "text/csv; charset=utf-8";
  if (ext == ".txt" || ext == ".log") return "text/plain; charset=utf-8";
  if (ext == ".sqlite") return "application/vnd.sqlite3";
  return "application/octet-stream";
}

bool same_token(const std::string& given, const std::string& token) {
  if (given.size() != token.size()) return false;
  unsigned char diff = 0;  // constant time: no early exit on the first different byte
  for (size_t i = 0; i < token.size(); ++i) diff |= static_cast<unsigned char>(given[i] ^ token[i]);
  return diff == 0;
}

tcp::endpoint parse_listen(const std::string& listen) {
  const std::optional<tcp::endpoint> endpoint = parse_endpoint(listen);
  if (!endpoint)
    throw ServeError("--listen " + listen +
                     ": expected HOST:PORT with a numeric address, e.g. 127.0.0.1:8080");
  return *endpoint;
}

int64_t now_ms() {
  return WallClock().now_ns() / 1'000'000;
}

}  // namespace

bool loopback_address(const std::string& listen) {
  return parse_listen(listen).address().is_loopback();
}

struct ApiServer::Impl {
  store::RunStore& store;
  ApiOptions options;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::string url;
  std::vector<std::thread> threads;

  Impl(store::RunStore& s, ApiOptions o) : store(s), options(std::move(o)) {}

  asio::awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket =
          co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec == asio::error::operation_aborted) co_return;
        continue;
      }
      asio::co_spawn(io, serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(16 * 1024);
      parser.body_limit(options.body_limit);
      stream.expires_after(std::chrono::seconds(30));
      boost::system::error_code ec;
      co_await http::async_read(stream, buffer, parser,
                                asio::redirect_error(asio::use_awaitable, ec));
      if (ec == http::error::body_limit) {
        Reply r =
            error_reply(http::status::payload_too_large,
                        "the body is larger than " + std::to_string(options.body_limit) + " bytes");
        co_await write(stream, r, 11, false);
        // Read what the client still sends (up to 64 MiB, 2 s) before closing: closing on
        // unread bytes resets the connection and the client never sees the 413.
        boost::system::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream.expires_after(std::chrono::seconds(2));
        std::array<char, 65536> sink;
        for (size_t drained = 0; drained < (64u << 20);) {
          const size_t n = co_await stream.async_read_some(
              asio::buffer(sink), asio::redirect_error(asio::use_awaitable, ignored));
          if (ignored || n == 0) break;
          drained += n;
        }
        co_return;
      }
      if (ec) break;
      const http::request<http::string_body>& req = parser.get();
      const std::string_view target(req.target().data(), req.target().size());
      const std::string path(target.substr(0, target.find('?')));
      if (req.method() == http::verb::get && path.size() > 7 && path.ends_with("/stream") &&
          path.rfind("/runs/", 0) == 0) {
        stream.expires_never();
        co_await sse(stream, path.substr(6, path.size() - 6 - 7), req.version());
        break;
      }
      if (req.method() == http::verb::get && path == "/sessions/stream") {
        stream.expires_never();
        co_await sessions_sse(stream, req.version());
        break;
      }
      Reply r;
      try {
        r = handle(req, path,
                   target.find('?') == std::string_view::npos
                       ? std::map<std::string, std::string>()
                       : parse_query(target.substr(target.find('?') + 1)));
      } catch (const SpecError& e) {
        r = error_reply(http::status::bad_request, e.what(), e.field());
      } catch (const std::exception& e) {
        spdlog::error("serve: {} {}: {}", std::string(req.method_string()), path, e.what());
        r = error_reply(http::status::internal_server_error, e.what());
      }
      const bool keep = req.keep_alive();
      co_await write(stream, r, req.version(), keep, req.method() == http::verb::head);
      if (!keep) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  asio::awaitable<void> write(beast::tcp_stream& stream, Reply& r, unsigned version, bool keep,
                              bool head = false) {
    http::response<http::string_body> res{r.status, version};
    res.set(http::field::server, "mmhost");
    res.set(http::field::content_type, r.content_type);
    for (const auto& [name, v] : r.headers) res.set(name, v);
    res.keep_alive(keep);
    res.body() = std::move(r.body);
    res.prepare_payload();
    if (head) res.body().clear();
    boost::system::error_code ec;
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
  }

  // Server-sent events: `next()` gives the state (JSON text) and whether it is final; each
  // change goes out as `event: NAME`, every `period`; a comment every 15 s keeps it alive.
  asio::awaitable<void> event_stream(beast::tcp_stream& stream, unsigned version, const char* name,
                                     std::chrono::milliseconds period,
                                     const std::function<std::pair<std::string, bool>()>& next) {
    boost::system::error_code ec;
    http::response<http::empty_body> res{http::status::ok, version};
    res.set(http::field::server, "mmhost");
    res.set(http::field::content_type, "text/event-stream");
    res.set("Cache-Control", "no-cache");
    res.keep_alive(false);
    http::response_serializer<http::empty_body> header(res);
    co_await http::async_write_header(stream, header,
                                      asio::redirect_error(asio::use_awaitable, ec));
    std::string last;
    asio::steady_timer timer(stream.get_executor());
    const auto keep_alive_every = std::max<int64_t>(1, 15'000 / period.count());
    for (int64_t quiet = 0; !ec;) {
      const auto [now, done] = next();
      std::string out;
      if (now != last) {
        out = std::string("event: ") + name + "\ndata: " + now + "\n\n";
        last = now;
        quiet = 0;
      } else if (++quiet % keep_alive_every == 0) {
        out = ": keep-alive\n\n";  // proxies and clients see the stream is alive
      }
      if (!out.empty())
        co_await asio::async_write(stream.socket(), asio::buffer(out),
                                   asio::redirect_error(asio::use_awaitable, ec));
      if (done) break;
      timer.expires_after(period);
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  // The run's state each time it changes, until it is finished.
  asio::awaitable<void> sse(beast::tcp_stream& stream, const std::string& id, unsigned version) {
    if (!store.get(id)) {
      Reply r = error_reply(http::status::not_found, "no run " + id);
      co_await write(stream, r, version, false);
      co_return;
    }
    co_await event_stream(stream, version, "run", std::chrono::milliseconds(250), [&] {
      std::optional<RunRow> row = store.get(id);
      if (!row) return std::pair<std::string, bool>{"", true};
      refresh_sweep(*row);  // a sweep ends with its last child
      return std::pair<std::string, bool>{run_json(*row, false).dump(),
                                          store::finished(row->status)};
    });
  }

  // The sessions (as GET /sessions) each second they change, until the client goes.
  asio::awaitable<void> sessions_sse(beast::tcp_stream& stream, unsigned version) {
    co_await event_stream(stream, version, "sessions", std::chrono::milliseconds(1000), [&] {
      return std::pair<std::string, bool>{list_sessions(options.session_dirs, 1000).dump(), false};
    });
  }

  bool authorized(const http::request<http::string_body>& req) const {
    const auto it = req.find(http::field::authorization);
    if (it == req.end()) return false;
    const std::string_view v(it->value().data(), it->value().size());
    return v.rfind("Bearer ", 0) == 0 && same_token(std::string(v.substr(7)), options.token);
  }

  Reply submit(const json& body) {
    const JobSpec spec = parse_job(body, options.spec);
    RunRow row;
    row.id = job_key(spec, options.spec);
    row.name = spec.name;
    row.kind = spec.kind;
    row.spec_json = spec.normalized.dump();
    row.argv_json = json(spec.argv).dump();
    row.created_ms = now_ms();
    const auto [stored, added] = store.submit(row);
    json j = run_json(stored, true);
    j["existing"] = !added;
    Reply r = json_reply(added ? http::status::created : http::status::ok, j);
    r.headers.emplace_back("Location", "/runs/" + stored.id);
    return r;
  }

  Reply submit_sweep(const json& body) {
    const SweepSpec sweep = parse_sweep(body, options.spec);
    const int64_t now = now_ms();
    std::vector<std::string> keys;
    for (const JobSpec& child : sweep.children) keys.push_back(job_key(child, options.spec));
    RunRow parent;
    parent.id = sweep_key(keys);
    parent.name = sweep.parent.name;
    parent.kind = "sweep";
    parent.status = RunStatus::running;  // no worker runs it: its children are the jobs
    parent.spec_json = sweep.parent.normalized.dump();
    parent.argv_json = json(sweep.parent.argv).dump();
    parent.created_ms = now;
    const auto [stored, added] = store.submit(parent);
    if (added) {
      std::vector<RunRow> rows;
      for (size_t i = 0; i < sweep.children.size(); ++i) {
        RunRow r;
        r.id = sweep_key({parent.id, keys[i]});  // a sweep's own child, even of a job seen before
        r.parent_id = parent.id;
        r.name = sweep.children[i].name;
        r.kind = "backtest";
        r.spec_json = sweep.children[i].normalized.dump();
        r.argv_json = json(sweep.children[i].argv).dump();
        r.created_ms = now;
        rows.push_back(std::move(r));
      }
      store.submit_many(rows);
    }
    json j = run_json(stored, true);
    j["existing"] = !added;
    j["runs"] = sweep.children.size();
    Reply r = json_reply(added ? http::status::created : http::status::ok, j);
    r.headers.emplace_back("Location", "/runs/" + stored.id);
    return r;
  }

  // A sweep's state from its children's: running until each is finished.
  void refresh_sweep(RunRow& row) {
    if (row.kind != "sweep" || store::finished(row.status)) return;
    store::RunFilter f;
    f.parent_id = row.id;
    const int64_t total = store.count(f);
    std::map<RunStatus, int64_t> n;
    for (RunStatus s : {RunStatus::done, RunStatus::failed, RunStatus::cancelled}) {
      f.status = s;
      n[s] = store.count(f);
    }
    const int64_t ended = n[RunStatus::done] + n[RunStatus::failed] + n[RunStatus::cancelled];
    const RunRow before = row;
    row.progress = total > 0 ? static_cast<double>(ended) / static_cast<double>(total) : 1.0;
    row.summary_json = json{{"runs", total},
                            {"done", n[RunStatus::done]},
                            {"failed", n[RunStatus::failed]},
                            {"cancelled", n[RunStatus::cancelled]}}
                           .dump();
    if (ended == total) {
      row.status = n[RunStatus::cancelled] > 0 && n[RunStatus::done] == 0 ? RunStatus::cancelled
                                                                          : RunStatus::done;
      row.error = n[RunStatus::failed] > 0 ? std::to_string(n[RunStatus::failed]) + " of " +
                                                 std::to_string(total) + " runs failed"
                                           : "";
      // When its last child finished, not when this request noticed.
      f.status.reset();
      f.limit = total;
      row.finished_ms = 0;
      for (const RunRow& child : store.list(f))
        row.finished_ms = std::max(row.finished_ms, child.finished_ms);
      if (row.finished_ms == 0) row.finished_ms = now_ms();
    }
    if (row.status != before.status || row.progress != before.progress ||
        row.summary_json != before.summary_json)
      store.settle(row.id, row.status, row.error, row.progress, row.summary_json,
                   row.finished_ms != 0 ? row.finished_ms : now_ms());
  }

  // GET /catalog: what a new run can name — the shipped strategies, the candle files under the
  // data directories, and the core's parameters (name, type, unit, default, range).
  Reply catalog() {
    json strategies = json::array(), data = json::array();
    std::error_code ec;
    const fs::path dir = options.spec.source_dir / "strategies";
    std::vector<std::string> names;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_regular_file() && it->path().extension() == ".lua")
        names.push_back("strategies/" + it->path().filename().string());
    std::sort(names.begin(), names.end());
    for (const std::string& n : names) strategies.push_back(n);
    for (const fs::path& root : options.spec.data_roots)
      for (fs::recursive_directory_iterator it(root, ec), end;
           !ec && it != end && data.size() < 500; it.increment(ec)) {
        // Candle files: named with their interval (ETHUSDT_1m_..., ..._spot_ETHUSDT_5m_...) or
        // kept in a candles/ directory.
        static const std::regex candle_name("_[0-9]+m_.*\\.csv(\\.gz)?$");
        const std::string name = it->path().filename().string();
        const bool in_candles = it->path().parent_path().filename() == "candles";
        if (it->is_regular_file() &&
            (std::regex_search(name, candle_name) ||
             (in_candles && (name.ends_with(".csv") || name.ends_with(".csv.gz")))))
          data.push_back(
              {{"path", it->path().string()}, {"name", name}, {"size", it->file_size()}});
      }
    const json params = parse_or_null(options.params_catalog_json);
    return json_reply(http::status::ok, {{"strategies", strategies},
                                         {"data", data},
                                         {"core", params.is_object() ? params : json(nullptr)}});
  }

  // GET /sessions: the paper, live and paced runs under the session directories, with their
  // status; POST /sessions/NAME/{halt,reduce,resume}: the control command, its answer.
  Reply session(const std::vector<std::string>& parts, bool post) {
    if (parts.size() == 1 && !post)
      return json_reply(http::status::ok, list_sessions(options.session_dirs, 1000));
    if (parts.size() != 3 || !post)
      return error_reply(http::status::not_found,
                         "sessions: GET /sessions, POST /sessions/NAME/halt|reduce|resume");
    const std::string& command = parts[2];
    if (command != "halt" && command != "reduce" && command != "resume")
      return error_reply(http::status::not_found,
                         "no command " + command + "; commands: halt, reduce, resume", "command");
    const std::optional<fs::path> dir = find_session(options.session_dirs, parts[1]);
    if (!dir) return error_reply(http::status::not_found, "no session " + parts[1], "name");
    try {
      const json answer = json::parse(control_request(dir->string(), command, 5000));
      return json_reply(answer.value("ok", false) ? http::status::ok : http::status::conflict,
                        answer);
    } catch (const std::exception& e) {
      return error_reply(http::status::service_unavailable, e.what());
    }
  }

  // The web UI: its page at / and its bundle under /ui/ (compiled in; same origin as the API).
  Reply web_ui(const std::vector<std::string>& parts) {
    Reply r;
    if (parts.empty()) {
      r.body = std::string(web_ui_index_html());
      r.content_type = "text/html; charset=utf-8";
    } else if (parts.size() == 2 && parts[1] == "app.js") {
      r.body = std::string(web_ui_js());
      r.content_type = "text/javascript; charset=utf-8";
    } else if (parts.size() == 2 && parts[1] == "app.css") {
      r.body = std::string(web_ui_css());
      r.content_type = "text/css; charset=utf-8";
    } else {
      return error_reply(http::status::not_found, "no such file of the UI");
    }
    // Scripts only from here; the token the UI keeps cannot be read by anything injected.
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' "
                           "data:; frame-src 'self'; frame-ancestors 'self'");
    r.headers.emplace_back("Cache-Control", "no-cache");
    return r;
  }

  Reply handle(const http::request<http::string_body>& req, const std::string& path,
               const std::map<std::string, std::string>& q) {
    std::vector<std::string> parts;
    for (size_t at = 1; at <= path.size();) {
      const size_t slash = std::min(path.find('/', at), path.size());
      parts.push_back(percent_decode(std::string_view(path).substr(at, slash - at)));
      at = slash + 1;
    }
    while (!parts.empty() && parts.back().empty()) parts.pop_back();
    const bool get = req.method() == http::verb::get || req.method() == http::verb::head;
    const bool post = req.method() == http::verb::post;
    if (!get && !post) {
      Reply r = error_reply(http::status::method_not_allowed, "only GET and POST");
      r.headers.emplace_back("Allow", "GET, HEAD, POST");
      return r;
    }
    if (post && !authorized(req))
      return error_reply(http::status::unauthorized,
                         "this call changes state: send Authorization: Bearer <token> (the "
                         "token of mmhost serve, see docs/serve.md)");
    if (parts.size() == 1 && parts[0] == "health" && get) return health();
    if (get && (parts.empty() || parts[0] == "ui")) return web_ui(parts);
    if (!parts.empty() && parts[0] == "sessions") return session(parts, post);
    if (parts.size() == 1 && parts[0] == "catalog" && get) return catalog();
    if (parts.empty() || parts[0] != "runs")
      return error_reply(http::status::not_found, "no such endpoint: " + path);
    if (parts.size() == 1 && post) {
      const json body = json::parse(req.body(), nullptr, false);
      if (body.is_discarded()) throw SpecError("", "the body is not valid JSON");
      if (body.is_object() && body.value("kind", "") == "sweep") return submit_sweep(body);
      return submit(body);
    }
    if (parts.size() == 3 && parts[1] == "presets" && post) {
      if (parts[2] != "mm_mtf_sweep")
        return error_reply(http::status::not_found,
                           "no preset " + parts[2] + "; presets: mm_mtf_sweep");
      json body = json::parse(req.body().empty() ? "{}" : req.body(), nullptr, false);
      if (!body.is_object()) throw SpecError("", "the body must be a JSON object (or empty)");
      json spec = {{"kind", "batch"},
                   {"name", body.value("name", std::string("mm_mtf_sweep"))},
                   {"script", "scripts/mtf_sweep.lua"}};
      if (body.contains("jobs")) spec["jobs"] = body["jobs"];
      for (const auto& [k, v] : body.items())
        if (k != "name" && k != "jobs") throw SpecError(k, "unknown field '" + k + "'");
      return submit(spec);
    }
    if (parts.size() == 1 && get) return cached_list(std::string(req.target()), q);
    if (parts.size() < 2) return error_reply(http::status::not_found, "no such endpoint");
    const std::string& id = parts[1];
    std::optional<RunRow> row = store.get(id);
    if (!row) return error_reply(http::status::not_found, "no run " + id);
    refresh_sweep(*row);
    if (parts.size() == 2 && get) return json_reply(http::status::ok, run_json(*row, true));
    if (parts.size() == 3 && parts[2] == "cancel" && post) {
      if (store::finished(row->status))
        return error_reply(http::status::conflict,
                           "run " + id + " is already " + store::status_name(row->status));
      if (row->kind == "sweep") {  // every child not finished, then the sweep itself
        store::RunFilter f;
        f.parent_id = id;
        f.limit = static_cast<int64_t>(kMaxSweepRuns);
        for (const RunRow& child : store.list(f))
          if (!store::finished(child.status)) store.cancel(child.id, now_ms());
        store.settle(id, RunStatus::cancelled, "cancelled", row->progress, row->summary_json,
                     now_ms());
      } else {
        store.cancel(id, now_ms());
      }
      return json_reply(http::status::accepted, run_json(*store.get(id), true));
    }
    if (!get) return error_reply(http::status::method_not_allowed, "use GET here");
    const fs::path dir = run_dir(options.store_dir, id);
    if (parts.size() == 3 && parts[2] == "metrics") {
      const json summary = parse_or_null(row->summary_json);
      if (!summary.is_object())
        return error_reply(http::status::not_found, "run " + id + " has no figures (status " +
                                                        store::status_name(row->status) + ")");
      return json_reply(http::status::ok, summary);
    }
    if (parts.size() == 3 && parts[2] == "events") return events(dir, q);
    if (parts.size() == 3 && parts[2] == "artifacts") return artifacts(dir);
    if (parts.size() == 4 && parts[2] == "artifacts") return artifact(dir, parts[3]);
    return error_reply(http::status::not_found, "no such endpoint: " + path);
  }

  Reply health() {
    store::RunFilter f;
    f.status = RunStatus::queued;
    const int64_t queued = store.count(f);
    f.status = RunStatus::running;
    const int64_t running = store.count(f);
    json j = {{"status", "ok"},
              {"store", store.describe()},
              {"queue", {{"queued", queued}, {"running", running}}}};
    if (options.workers_json) j["workers"] = json::parse(options.workers_json());
    return json_reply(http::status::ok, j);
  }

  // GET /runs answers, kept while nothing changed through this store and for at most 250 ms
  // (other processes' workers change it too): a page polled by many clients is built once.
  struct Cached {
    std::string body;
    uint64_t generation = 0;
    int64_t at_ms = 0;
  };
  std::mutex cache_mutex;
  std::map<std::string, Cached> list_cache;

  Reply cached_list(const std::string& target, const std::map<std::string, std::string>& q) {
    const uint64_t generation = store.generation();
    const int64_t now = now_ms();
    {
      std::lock_guard lock(cache_mutex);
      auto it = list_cache.find(target);
      if (it != list_cache.end() && it->second.generation == generation &&
          now - it->second.at_ms < 250)
        return Reply{http::status::ok, it->second.body, "application/json", {}};
    }
    Reply r = list(q);
    std::lock_guard lock(cache_mutex);
    if (list_cache.size() >= 256) list_cache.clear();
    list_cache[target] = Cached{r.body, generation, now};
    return r;
  }

  Reply list(const std::map<std::string, std::string>& q) {
    store::RunFilter f;
    if (auto it = q.find("status"); it != q.end() && !it->second.empty()) {
      f.status = store::parse_status(it->second);
      if (!f.status)
        throw SpecError("status", "status must be queued, running, done, failed or cancelled");
    }
    if (auto it = q.find("kind"); it != q.end()) f.kind = it->second;
    if (auto it = q.find("name"); it != q.end()) f.name = it->second;
    if (auto it = q.find("parent"); it != q.end()) f.parent_id = it->second;
    f.limit = int_param(q, "limit", 50, 1, 1000);
    f.offset = int_param(q, "offset", 0, 0, INT64_MAX / 2);
    json runs = json::array();
    for (RunRow& r : store.list(f)) {
      refresh_sweep(r);
      runs.push_back(run_json(r, false));
    }
    return json_reply(
        http::status::ok,
        {{"runs", runs}, {"total", store.count(f)}, {"limit", f.limit}, {"offset", f.offset}});
  }

  Reply events(const fs::path& dir, const std::map<std::string, std::string>& q) {
    const int64_t offset = int_param(q, "offset", 0, 0, INT64_MAX / 2);
    const int64_t limit = int_param(q, "limit", 100, 1, 10000);
    const std::string kind = q.count("kind") ? q.at("kind") : "";
    std::ifstream in(dir / "events.jsonl");
    if (!in) return error_reply(http::status::not_found, "this run has no events.jsonl (yet)");
    json out = json::array();
    int64_t matched = 0;
    for (std::string line; std::getline(in, line);) {
      if (!kind.empty() && line.find("\"type\":\"" + kind + "\"") == std::string::npos) continue;
      if (matched++ < offset) continue;
      if (static_cast<int64_t>(out.size()) >= limit) continue;  // counting the total
      out.push_back(json::parse(line, nullptr, false));
    }
    return json_reply(http::status::ok,
                      {{"events", out}, {"offset", offset}, {"limit", limit}, {"total", matched}});
  }

  Reply artifacts(const fs::path& dir) {
    json list = json::array();
    std::error_code ec;
    std::vector<fs::directory_entry> entries;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.is_regular_file() && safe_name(e.path().filename().string())) entries.push_back(e);
    std::sort(entries.begin(), entries.end());
    for (const auto& e : entries)
      list.push_back({{"name", e.path().filename().string()},
                      {"size", e.file_size()},
                      {"content_type", content_type_of(e.path())}});
    return json_reply(http::status::ok, {{"artifacts", list}});
  }

  Reply artifact(const fs::path& dir, const std::string& name) {
    // Only a plain file name of the run's own directory: no separators, no dot-dot, no links.
    std::error_code ec;
    const fs::path file = dir / name;
    if (!safe_name(name) || !fs::is_regular_file(fs::symlink_status(file, ec)))
      return error_reply(http::status::not_found, "no artifact '" + name + "' in this run", "name");
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    Reply r{http::status::ok, ss.str(), content_type_of(file), {}};
    r.headers.emplace_back("Content-Disposition", "inline; filename=\"" + name + "\"");
    return r;
  }
};

ApiServer::ApiServer(store::RunStore& store, ApiOptions options)
    : impl_(std::make_unique<Impl>(store, std::move(options))) {
  const tcp::endpoint endpoint = parse_listen(impl_->options.listen);
  boost::system::error_code ec;
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw ServeError("--listen " + impl_->options.listen + ": cannot listen: " + ec.message());
  impl_->url = http_origin(impl_->acceptor.local_endpoint());
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  for (int i = 0; i < std::max(1, impl_->options.threads); ++i)
    impl_->threads.emplace_back([io = &impl_->io] { io->run(); });
}

ApiServer::~ApiServer() {
  asio::post(impl_->io, [impl = impl_.get()] {
    boost::system::error_code ignored;
    impl->acceptor.close(ignored);
    impl->io.stop();
  });
  for (std::thread& t : impl_->threads)
    if (t.joinable()) t.join();
}

const std::string& ApiServer::url() const {
  return impl_->url;
}

}  // namespace mmh::api
