#include "live_venue.hpp"

#include "market_source.hpp"
#include "run_sync.hpp"

#include <mmhost/sdk/fixed_point.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <future>
#include <optional>
#include <stdexcept>

namespace mmh::bybit {

namespace asio = boost::asio;

namespace {

int64_t step_e8(const mmh_decimal& d) {
  int64_t v = 0;
  return sdk::decimal_to_e8(d, v) ? v : 0;
}

uint32_t status_code(const std::string& s) {
  if (s == "New") return MMH_ORDER_STATUS_NEW;
  if (s == "PartiallyFilled") return MMH_ORDER_STATUS_PARTIALLY_FILLED;
  if (s == "Filled") return MMH_ORDER_STATUS_FILLED;
  if (s == "Cancelled") return MMH_ORDER_STATUS_CANCELLED;
  if (s == "PartiallyFilledCanceled") return MMH_ORDER_STATUS_PARTIALLY_FILLED_CANCELLED;
  if (s == "Rejected") return MMH_ORDER_STATUS_REJECTED;
  return 0;  // Untriggered, Triggered, Deactivated: conditional orders, not ours
}

bool terminal(uint32_t status) {
  return status == MMH_ORDER_STATUS_FILLED || status == MMH_ORDER_STATUS_CANCELLED ||
         status == MMH_ORDER_STATUS_PARTIALLY_FILLED_CANCELLED ||
         status == MMH_ORDER_STATUS_REJECTED;
}

std::string client_id(const mmh_order_command& c) {
  return std::string(c.client_id, strnlen(c.client_id, sizeof(c.client_id)));
}

template <size_t N>
void copy_text(char (&dst)[N], const std::string& text) {
  std::snprintf(dst, N, "%s", text.c_str());
}

// The codes that say "this orderLinkId is taken": the order exists (our earlier attempt).
bool duplicate_id(int64_t code) {
  return code == 170141 || code == 110072;
}

mmh_decimal e8_decimal(int64_t value_e8) {
  mmh_decimal d{};
  d.mantissa = value_e8;
  d.exponent = -8;
  return d;
}

constexpr int kNotFoundStrikes = 3;

int64_t steady_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

asio::awaitable<void> sleep_ms(int64_t ms) {
  asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(ms));
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace

LiveVenue::LiveVenue(VenueConfig venue, Credentials credentials, LiveVenueSettings settings,
                     Emit emit, LogFn log)
    : venue_(std::move(venue)),
      credentials_(std::move(credentials)),
      settings_(std::move(settings)),
      emit_(std::move(emit)),
      log_(std::move(log)) {
  instrument_.symbol = settings_.symbol;
  instrument_.tick_size = settings_.tick_size;
  instrument_.lot_size = settings_.lot_size;
  tick_e8_ = step_e8(settings_.tick_size);
  lot_e8_ = step_e8(settings_.lot_size);
  if (tick_e8_ <= 0 || lot_e8_ <= 0)
    throw std::invalid_argument("tick and lot size must be positive with at most 8 decimals");
  if (settings_.order_prefix.empty() || !valid_order_link_id(settings_.order_prefix))
    throw std::invalid_argument("order_prefix must be a valid orderLinkId prefix");
}

LiveVenue::~LiveVenue() {
  if (!thread_.joinable()) return;
  try {
    stop(false);
  } catch (const std::exception& e) {
    log(MMH_LOG_ERROR, std::string("bybit venue: stopping failed: ") + e.what());
  }
}

void LiveVenue::log(int level, const std::string& message) const {
  if (log_) log_(level, message);
}

bool LiveVenue::ours(const std::string& link_id) const {
  return link_id.size() > settings_.order_prefix.size() &&
         link_id.compare(0, settings_.order_prefix.size(), settings_.order_prefix) == 0;
}

int64_t LiveVenue::ticks(const std::string& text) const {
  int64_t e8 = 0;
  if (sdk::parse_e8(text, e8) != sdk::ParseDecimal::ok || e8 % tick_e8_ != 0)
    throw std::invalid_argument("price '" + text + "' is not a multiple of the tick size");
  return e8 / tick_e8_;
}

int64_t LiveVenue::lots(const std::string& text) const {
  int64_t e8 = 0;
  if (text.empty()) return 0;
  if (sdk::parse_e8(text, e8) != sdk::ParseDecimal::ok || e8 % lot_e8_ != 0)
    throw std::invalid_argument("quantity '" + text + "' is not a multiple of the lot size");
  return e8 / lot_e8_;
}

size_t LiveVenue::count_open() const {
  return static_cast<size_t>(std::count_if(
      orders_.begin(), orders_.end(), [](const auto& o) { return !terminal(o.second.status); }));
}

// The state lives on the I/O thread; a reader from outside asks there (nothing is copied out
// per event).
void LiveVenue::run_on_io(const std::function<void()>& fn) {
  if (!thread_.joinable()) {
    fn();
    return;
  }
  std::promise<void> done;
  asio::post(ioc_, [&] {
    fn();
    done.set_value();
  });
  done.get_future().wait();
}

LiveVenueStats LiveVenue::stats() {
  LiveVenueStats out;
  run_on_io([&] { out = stats_; });
  return out;
}

size_t LiveVenue::open_orders() {
  size_t out = 0;
  run_on_io([&] { out = count_open(); });
  return out;
}

// --- start / stop ---------------------------------------------------------------------------

void LiveVenue::start() {
  if (thread_.joinable()) return;
  rest_ = std::make_unique<RestClient>(ioc_.get_executor(), venue_, credentials_, log_);
  // Fails fast and clearly on wrong keys (10003/10004) before anything else happens.
  run_sync(ioc_, [this]() -> asio::awaitable<void> {
    co_await rest_->sync_time();
    // On the exchange's clock: execution times are the exchange's, and ours may be skewed.
    if (settings_.run_start_ms == 0) settings_.run_start_ms = rest_->server_now_ms();
    co_await fetch_wallet();
    co_await set_up_dcp();
  }());
  PrivateStreamSettings s = settings_.stream;
  s.dcp = stats_.dcp_on;
  s.url = venue_.ws_private_url;
  s.ca_file = venue_.ca_file;
  s.connect_timeout_ms = venue_.timeout_ms;
  PrivateStreamEvents e;
  e.log = log_;
  e.on_ready = [this] {
    stream_up_ = true;
    asio::co_spawn(ioc_, reconcile_loop(), asio::detached);
  };
  e.on_down = [this](const std::string& reason) {
    if (down_since_ms_ == 0 && (stream_up_ || ready_)) down_since_ms_ = steady_now_ms();
    // At the stop the stream goes down on purpose: nothing to warn about.
    if ((stream_up_ || ready_) && !stopping_) {
      ++stats_.private_losses;
      log(MMH_LOG_WARN, "bybit venue: " + reason + "; new orders wait for reconciliation");
    }
    stream_up_ = false;
    ready_ = false;
  };
  e.on_message = [this](const PrivateMessage& m) { on_private(m); };
  e.on_fatal = [this](const std::string& reason) {
    std::lock_guard lock(mutex_);
    fatal_ = reason;
    ready_cv_.notify_all();
  };
  stream_ = std::make_shared<PrivateStream>(ioc_.get_executor(), s, credentials_, std::move(e));
  ioc_.restart();
  work_ = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
      ioc_.get_executor());
  asio::co_spawn(ioc_, stream_->run(), asio::detached);
  thread_ = std::thread([this] { ioc_.run(); });
  std::unique_lock lock(mutex_);
  const bool done = ready_cv_.wait_for(lock, std::chrono::milliseconds(settings_.start_timeout_ms),
                                       [this] { return first_ready_ || !fatal_.empty(); });
  const std::string fatal = fatal_;
  lock.unlock();
  if (!done || !fatal.empty()) {
    const std::string why = !fatal.empty() ? fatal
                                           : "the private stream (" + venue_.ws_private_url +
                                                 ") was not ready within " +
                                                 std::to_string(settings_.start_timeout_ms) + " ms";
    asio::post(ioc_, [this] { stream_->stop(); });
    work_.reset();
    ioc_.stop();
    thread_.join();
    throw BybitError(ErrorKind::transport, why);
  }
}

void LiveVenue::stop(bool cancel_all) {
  if (!thread_.joinable()) return;
  std::future<void> done = asio::co_spawn(ioc_, shutdown(cancel_all), asio::use_future);
  std::optional<std::string> failure;
  if (done.wait_for(std::chrono::milliseconds(4 * venue_.timeout_ms + 5000)) !=
      std::future_status::ready) {
    failure = "the exchange did not answer the shutdown requests in time";
  } else {
    try {
      done.get();
    } catch (const std::exception& e) {
      failure = e.what();
    }
  }
  asio::post(ioc_, [this] { stream_->stop(); });
  work_.reset();
  for (int i = 0; i < 100 && !ioc_.stopped(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ioc_.stop();
  thread_.join();
  if (failure)
    throw BybitError(ErrorKind::transport,
                     "could not confirm that this run's orders are cancelled: " + *failure +
                         " — check the exchange");
}

void LiveVenue::drop_private_stream() {
  asio::post(ioc_, [this] {
    if (stream_) stream_->drop();
  });
}

asio::awaitable<void> LiveVenue::set_up_dcp() {
  // An extra: an account without it, or an answer we cannot use, leaves it off.
  try {
    const RestReply info = co_await rest_->get("/v5/account/query-dcp-info", {}, true);
    const int64_t window_s = parse_dcp_spot_window_s(info.body);
    if (window_s <= 0) {
      log(MMH_LOG_INFO, "bybit venue: Disconnected Cancel All is off for spot on this account");
      co_return;
    }
    int64_t wanted_s = window_s;
    if (settings_.cancel_on_disconnect_ms > 0) {
      wanted_s = std::clamp<int64_t>(settings_.cancel_on_disconnect_ms / 1000, 3, 300);
      if (wanted_s != window_s)
        co_await rest_->post("/v5/order/disconnected-cancel-all",
                             R"({"product":"SPOT","timeWindow":)" + std::to_string(wanted_s) + "}");
    }
    stats_.dcp_on = true;
    stats_.dcp_window_s = wanted_s;
    log(MMH_LOG_INFO,
        "bybit venue: Disconnected Cancel All on for spot: the exchange cancels "
        "every open order " +
            std::to_string(wanted_s) + " s after the private connection is lost");
  } catch (const std::exception& e) {
    log(MMH_LOG_WARN, std::string("bybit venue: Disconnected Cancel All not set up: ") + e.what());
  }
}

asio::awaitable<void> LiveVenue::cancel_open_orders() {
  std::vector<std::string> open;
  for (const auto& [link, t] : orders_)
    if (!terminal(t.status)) open.push_back(link);
  for (const std::string& link : open) {
    std::optional<BybitError> failure;
    try {
      co_await rest_->post("/v5/order/cancel", cancel_body(instrument_, link));
    } catch (const BybitError& e) {
      failure = e;
    }
    if (failure && failure->recovery() != Recovery::reconcile) throw *failure;
  }
}

asio::awaitable<void> LiveVenue::shutdown(bool cancel_all) {
  stopping_ = true;
  while (worker_running_) co_await sleep_ms(5);
  if (cancel_all) {
    log(MMH_LOG_INFO, "bybit venue: cancelling every open " + settings_.symbol + " order");
    co_await rest_->post("/v5/order/cancel-all", cancel_all_body(instrument_));
  } else {
    const size_t open = count_open();
    if (open > 0)
      log(MMH_LOG_INFO,
          "bybit venue: cancelling this run's " + std::to_string(open) + " open order(s)");
    co_await cancel_open_orders();
  }
  // The final word comes from REST, not from pushes that may still be on their way.
  co_await reconcile();
}

// --- commands -------------------------------------------------------------------------------

void LiveVenue::submit(const mmh_order_command& command) {
  asio::post(ioc_, [this, command] {
    queue_.push_back(command);
    if (!worker_running_) {
      worker_running_ = true;
      asio::co_spawn(ioc_, worker(), asio::detached);
    }
  });
}

asio::awaitable<void> LiveVenue::worker() {
  // One request at a time, in submission order: an amend or cancel never overtakes the create
  // of its order, and rate limits are spent in the order the host asked.
  // Consecutive creates go out together in one create-batch (<= 10) where the venue has it.
  while (!queue_.empty()) {
    std::vector<mmh_order_command> places;
    while (venue_.batch_orders && places.size() < 10 && !queue_.empty() &&
           queue_.front().action == MMH_ORDER_ACTION_PLACE) {
      places.push_back(queue_.front());
      queue_.pop_front();
    }
    if (places.empty()) {  // an amend, cancel or cancel-all, or a venue without batches
      places.push_back(queue_.front());
      queue_.pop_front();
    }
    try {
      if (places.size() > 1)
        co_await place_batch(std::move(places));
      else
        co_await execute(places[0]);
    } catch (const std::exception& e) {
      log(MMH_LOG_ERROR, std::string("bybit venue: ") + e.what());
    }
  }
  worker_running_ = false;
}

bool LiveVenue::admit_place(const mmh_order_command& c, std::string& body) {
  const std::string link = client_id(c);
  if (stopping_ || !ready_) {
    reject(c, stopping_ ? "venue stopping" : "private stream down: reconciling first");
    return false;
  }
  if (!ours(link) || orders_.count(link)) {
    reject(c, "orderLinkId is not new or lacks the run prefix " + settings_.order_prefix);
    return false;
  }
  try {
    body = create_body(instrument_, c);
  } catch (const std::invalid_argument& e) {
    reject(c, e.what());
    return false;
  }
  Tracked& t = orders_[link];
  t.side = c.side;
  t.order_type = c.order_type;
  t.price_ticks = c.price_ticks;
  t.qty_lots = c.qty_lots;
  t.quote_unit = c.order_type == MMH_ORDER_TYPE_MARKET && c.market_unit == MMH_MARKET_UNIT_QUOTE;
  return true;
}

asio::awaitable<void> LiveVenue::settle_place(mmh_order_command c,
                                              std::optional<BybitError> failure) {
  const std::string link = client_id(c);
  if (!failure) {
    auto it = orders_.find(link);
    if (it != orders_.end() && it->second.status == 0) {  // the push may have come first
      it->second.status = MMH_ORDER_STATUS_NEW;
      emit_update(link, it->second);
    }
    co_return;
  }
  if (failure->kind() == ErrorKind::exchange && duplicate_id(failure->ret_code())) {
    // Our earlier attempt got through: ask for it; never place again.
    ++stats_.duplicate_resolved;
    log(MMH_LOG_INFO, "bybit venue: " + link + " already exists (retCode " +
                          std::to_string(failure->ret_code()) + "); asking for its state");
    co_await query_order(link, true, "duplicate orderLinkId, yet the order is not found");
    co_return;
  }
  if (failure->kind() == ErrorKind::exchange || failure->kind() == ErrorKind::banned) {
    reject(c, failure->ret_code() != 0
                  ? "retCode " + std::to_string(failure->ret_code()) + ": " + failure->ret_msg()
                  : std::string(failure->what()));
    co_return;
  }
  // Timeout or transport failure after the retries: the outcome is unknown, so ask.
  log(MMH_LOG_WARN,
      "bybit venue: " + link + " create unanswered (" + failure->what() + "); asking the exchange");
  co_await query_order(link, true, "not placed (" + std::string(failure->what()) + ")");
}

asio::awaitable<void> LiveVenue::place_batch(std::vector<mmh_order_command> group) {
  std::vector<mmh_order_command> sent;
  for (const mmh_order_command& c : group) {
    ++stats_.commands;
    std::string body;
    if (admit_place(c, body)) sent.push_back(c);
  }
  if (sent.empty()) co_return;
  // Every order passed create_body alone and there are 1..10 of them: this does not throw.
  const std::string body = create_batch_body(instrument_, sent);
  std::optional<BybitError> failure;
  std::vector<BatchItemResult> items;
  for (const mmh_order_command& c : sent) in_flight_.insert(client_id(c));
  ++stats_.batches;
  try {
    const RestReply reply =
        co_await rest_->post("/v5/order/create-batch", body, static_cast<int>(sent.size()));
    items = parse_batch_create(reply.body);
  } catch (const BybitError& e) {
    failure = e;  // the whole request: every order shares its fate
  }
  for (const mmh_order_command& c : sent) in_flight_.erase(client_id(c));
  for (size_t i = 0; i < sent.size(); ++i) {
    const std::string link = client_id(sent[i]);
    std::optional<BybitError> item_failure = failure;
    if (!failure) {
      // Same index = same order; the orderLinkId is checked, and an order the answer does
      // not mention has an unknown outcome (asked for, never placed again).
      const BatchItemResult* item =
          i < items.size() && items[i].order_link_id == link ? &items[i] : nullptr;
      for (size_t k = 0; item == nullptr && k < items.size(); ++k)
        if (items[k].order_link_id == link) item = &items[k];
      if (item == nullptr)
        item_failure = BybitError(ErrorKind::parse, "create-batch answer does not list " + link);
      else if (item->code != 0)
        item_failure = BybitError(ErrorKind::exchange, "create-batch item refused", 200, item->code,
                                  item->msg);
    }
    co_await settle_place(sent[i], item_failure);
  }
}

void LiveVenue::reject(const mmh_order_command& c, const std::string& reason) {
  const std::string link = client_id(c);
  Tracked t;
  auto it = orders_.find(link);
  if (it != orders_.end()) t = it->second;
  t.side = c.side;
  if (c.action == MMH_ORDER_ACTION_PLACE) {
    t.price_ticks = c.price_ticks;
    t.qty_lots = c.qty_lots;
    if (it != orders_.end()) orders_.erase(it);
  }
  ++stats_.rejects;
  log(MMH_LOG_WARN, "bybit venue: " + link + " refused: " + reason);
  t.status = MMH_ORDER_STATUS_REJECTED;  // a copy: an amend or cancel refused leaves the order
  emit_update(link, t, c.action, reason);
}

asio::awaitable<void> LiveVenue::execute(mmh_order_command c) {
  const std::string link = client_id(c);
  ++stats_.commands;
  std::optional<BybitError> failure;
  switch (c.action) {
    case MMH_ORDER_ACTION_PLACE: {
      std::string body;
      if (!admit_place(c, body)) co_return;
      in_flight_.insert(link);
      try {
        co_await rest_->post("/v5/order/create", body);
      } catch (const BybitError& e) {
        failure = e;
      }
      in_flight_.erase(link);
      co_await settle_place(c, failure);
      co_return;
    }
    case MMH_ORDER_ACTION_AMEND: {
      auto it = orders_.find(link);
      if (it == orders_.end() || terminal(it->second.status)) {
        reject(c, "no open order with this id");
        co_return;
      }
      std::string body;
      try {
        body = amend_body(instrument_, c);
      } catch (const std::invalid_argument& e) {
        reject(c, e.what());
        co_return;
      }
      try {
        co_await rest_->post("/v5/order/amend", body);
      } catch (const BybitError& e) {
        failure = e;
      }
      it = orders_.find(link);
      if (!failure || (failure->ret_code() == 10001 &&
                       failure->ret_msg().find("unchanged") != std::string::npos)) {
        if (it != orders_.end() && !terminal(it->second.status)) {
          it->second.price_ticks = c.price_ticks;
          it->second.qty_lots = c.qty_lots;
          emit_update(link, it->second);
        }
        co_return;
      }
      if (failure->recovery() == Recovery::reconcile ||
          failure->kind() != ErrorKind::exchange) {  // gone, or unknown outcome
        co_await query_order(link, false, {});
        if (it = orders_.find(link); it != orders_.end() && !terminal(it->second.status))
          reject(c, failure->what());
        co_return;
      }
      reject(c, "retCode " + std::to_string(failure->ret_code()) + ": " + failure->ret_msg());
      co_return;
    }
    case MMH_ORDER_ACTION_CANCEL: {
      auto it = orders_.find(link);
      if (it == orders_.end()) {
        reject(c, "no order with this id");
        co_return;
      }
      if (terminal(it->second.status)) {
        emit_update(link, it->second);  // already final: say so again
        co_return;
      }
      try {
        co_await rest_->post("/v5/order/cancel", cancel_body(instrument_, link));
      } catch (const BybitError& e) {
        failure = e;
      }
      if (!failure) co_return;  // the order stream confirms the cancel (or a racing fill)
      if (failure->recovery() == Recovery::reconcile || failure->kind() != ErrorKind::exchange) {
        co_await query_order(link, false, {});
        co_return;
      }
      reject(c, "retCode " + std::to_string(failure->ret_code()) + ": " + failure->ret_msg());
      co_return;
    }
    case MMH_ORDER_ACTION_CANCEL_ALL:
      co_await rest_->post("/v5/order/cancel-all", cancel_all_body(instrument_));
      co_return;
    default:
      reject(c, "unknown order action " + std::to_string(c.action));
      co_return;
  }
}

// --- what the exchange says -----------------------------------------------------------------

asio::awaitable<void> LiveVenue::query_order(std::string link, bool reject_if_missing,
                                             std::string missing_reason) {
  std::vector<OrderRow> rows;
  // An order is lost only after three "not found" answers in a row (0.5 s, then 1 s apart): an
  // order just created can take a moment to be listed. Its late fills still count (they come by
  // execution id, whatever became of the order).
  for (int strike = 1; rows.empty() && strike <= kNotFoundStrikes; ++strike) {
    if (strike > 1) co_await sleep_ms(500LL * (strike - 1));
    ++stats_.queries;
    for (const char* open_only : {"0", "1"}) {  // open orders, then recently closed ones
      std::map<std::string, std::string> params;
      params["category"] = "spot";
      params["symbol"] = settings_.symbol;
      params["orderLinkId"] = link;
      params["openOnly"] = open_only;
      const RestReply reply = co_await rest_->get("/v5/order/realtime", params, true);
      rows = parse_order_list(reply.body);
      if (!rows.empty()) break;
    }
  }
  for (const OrderRow& row : rows) apply_order(row);
  if (!rows.empty()) co_return;
  auto it = orders_.find(link);
  if (it == orders_.end()) co_return;
  if (it->second.status == 0 && reject_if_missing) {
    mmh_order_command c{};
    c.action = MMH_ORDER_ACTION_PLACE;
    c.side = it->second.side;
    c.price_ticks = it->second.price_ticks;
    c.qty_lots = it->second.qty_lots;
    copy_text(c.client_id, link);
    reject(c, missing_reason);
  } else if (it->second.status != 0 && !terminal(it->second.status)) {
    // Known once, unknown now (closed orders can fall out of /v5/order/realtime after a
    // service restart): it is not working any more.
    log(MMH_LOG_WARN, "bybit venue: " + link + " is no longer known to the exchange; closing it");
    it->second.status = it->second.filled_lots > 0 ? MMH_ORDER_STATUS_PARTIALLY_FILLED_CANCELLED
                                                   : MMH_ORDER_STATUS_CANCELLED;
    emit_update(link, it->second, 0, "not found on the exchange");
  }
}

asio::awaitable<void> LiveVenue::fetch_executions() {
  // This run's fills since it began (the endpoint looks back at most 7 days).
  const int64_t week_ms = 7LL * 24 * 3600 * 1000;
  const int64_t start =
      std::max(settings_.run_start_ms - 1000, rest_->server_now_ms() - week_ms + 60000);
  std::vector<ExecutionRow> all;
  std::string cursor;
  do {
    std::map<std::string, std::string> params;
    params["category"] = "spot";
    params["symbol"] = settings_.symbol;
    params["startTime"] = std::to_string(start);
    params["limit"] = "100";
    if (!cursor.empty()) params["cursor"] = cursor;
    const RestReply reply = co_await rest_->get("/v5/execution/list", params, true);
    std::vector<ExecutionRow> page = parse_execution_list(reply.body, &cursor);
    all.insert(all.end(), page.begin(), page.end());
  } while (!cursor.empty());
  // Newest first on the wire; ties possible (§5.8): oldest first here, by time then id.
  std::stable_sort(all.begin(), all.end(), [](const ExecutionRow& a, const ExecutionRow& b) {
    return a.exec_ms != b.exec_ms ? a.exec_ms < b.exec_ms : a.exec_id < b.exec_id;
  });
  for (const ExecutionRow& row : all) apply_execution(row);
}

asio::awaitable<void> LiveVenue::fetch_wallet() {
  std::map<std::string, std::string> params;
  params["accountType"] = "UNIFIED";
  params["coin"] = settings_.base_asset + "," + settings_.quote_asset;
  const RestReply reply = co_await rest_->get("/v5/account/wallet-balance", params, true);
  apply_balances(parse_wallet_balance(reply.body));
}

asio::awaitable<void> LiveVenue::reconcile() {
  ++stats_.reconciles;
  std::set<std::string> open_links;
  std::string cursor;
  do {
    std::map<std::string, std::string> params;
    params["category"] = "spot";
    params["symbol"] = settings_.symbol;
    params["limit"] = "50";
    if (!cursor.empty()) params["cursor"] = cursor;
    const RestReply reply = co_await rest_->get("/v5/order/realtime", params, true);
    for (const OrderRow& row : parse_order_list(reply.body, &cursor)) {
      open_links.insert(row.order_link_id);
      apply_order(row);
    }
  } while (!cursor.empty());
  // This run's orders believed open but not listed: closed meanwhile (filled or cancelled).
  std::vector<std::string> doubt;
  for (const auto& [link, t] : orders_)
    if (!terminal(t.status) && !open_links.count(link) && !in_flight_.count(link))
      doubt.push_back(link);
  for (const std::string& link : doubt)
    co_await query_order(link, true, "not found on the exchange");
  co_await fetch_executions();
  co_await fetch_wallet();
}

asio::awaitable<void> LiveVenue::reconcile_loop() {
  if (reconcile_running_) {
    reconcile_again_ = true;
    co_return;
  }
  reconcile_running_ = true;
  // How long the private connection was lost (0: the first connection).
  const int64_t down_ms = down_since_ms_ == 0 ? 0 : steady_now_ms() - down_since_ms_;
  bool cancel_first =
      settings_.cancel_on_disconnect_ms > 0 && down_ms > settings_.cancel_on_disconnect_ms;
  int failures = 0;
  do {
    reconcile_again_ = false;
    bool failed = false;
    try {
      co_await reconcile();
      if (cancel_first) {
        // Lost for longer than the run allows: nothing of it may rest on a stale view.
        log(MMH_LOG_WARN, "bybit venue: the private connection was lost for " +
                              std::to_string(down_ms / 1000) + " s (over " +
                              std::to_string(settings_.cancel_on_disconnect_ms / 1000) +
                              " s): cancelling this run's " + std::to_string(count_open()) +
                              " open order(s) before new ones");
        co_await cancel_open_orders();
        co_await reconcile();
        ++stats_.disconnect_cancels;
        cancel_first = false;
      }
    } catch (const std::exception& e) {
      failed = true;
      log(MMH_LOG_WARN, std::string("bybit venue: reconciliation failed: ") + e.what());
    }
    if (failed) {
      reconcile_again_ = true;
      co_await sleep_ms(std::min<int64_t>(10000, 500LL << std::min(failures++, 5)));
    }
  } while (reconcile_again_ && !stopping_ && stream_up_);
  reconcile_running_ = false;
  ready_ = stream_up_;
  if (ready_) down_since_ms_ = 0;
  if (ready_) {
    log(MMH_LOG_INFO, "bybit venue: reconciled (" + std::to_string(count_open()) +
                          " open order(s) of this run); orders accepted");
    std::lock_guard lock(mutex_);
    first_ready_ = true;
    ready_cv_.notify_all();
  }
}

void LiveVenue::on_private(const PrivateMessage& m) {
  try {
    for (const OrderRow& row : m.orders) apply_order(row);
    for (const ExecutionRow& row : m.executions) apply_execution(row);
    if (m.kind == PrivateKind::wallet) apply_balances(m.balances);
  } catch (const std::exception& e) {
    log(MMH_LOG_ERROR, std::string("bybit venue: private message not applied: ") + e.what());
  }
}

void LiveVenue::apply_order(const OrderRow& row) {
  if (row.symbol != settings_.symbol) return;
  if (!ours(row.order_link_id)) {
    if (foreign_seen_.insert(row.order_id).second) {
      ++stats_.foreign_orders;
      log(MMH_LOG_INFO, "bybit venue: order " + row.order_id + " (" + row.order_link_id +
                            ") is not this run's; left alone");
    }
    return;
  }
  const uint32_t status = status_code(row.status);
  if (status == 0) return;
  Tracked& t = orders_[row.order_link_id];
  if (terminal(t.status)) return;                                // final stays final
  if (row.updated_ms != 0 && row.updated_ms < t.row_ms) return;  // older than what we applied
  const int64_t filled = lots(row.cum_exec_qty);
  if (filled < t.filled_lots) return;  // stale
  if (t.side == 0) {  // first seen through the exchange (its create reply was lost)
    t.side = row.side == "Buy" ? MMH_SIDE_BUY : MMH_SIDE_SELL;
    t.order_type = row.order_type == "Market" ? MMH_ORDER_TYPE_MARKET : MMH_ORDER_TYPE_LIMIT;
  }
  const int64_t price = row.order_type == "Limit" ? ticks(row.price) : t.price_ticks;
  const int64_t qty = t.quote_unit ? t.qty_lots : lots(row.qty);
  uint32_t mapped = status;
  if (status == MMH_ORDER_STATUS_CANCELLED && filled > 0)
    mapped = MMH_ORDER_STATUS_PARTIALLY_FILLED_CANCELLED;
  t.row_ms = std::max(t.row_ms, row.updated_ms);
  t.order_id = row.order_id;
  if (mapped == t.status && filled == t.filled_lots && price == t.price_ticks && qty == t.qty_lots)
    return;  // nothing new (a push and a REST answer saying the same)
  t.status = mapped;
  t.filled_lots = filled;
  t.price_ticks = price;
  t.qty_lots = qty;
  const bool said_why = mapped == MMH_ORDER_STATUS_REJECTED ||
                        (terminal(mapped) && row.reject_reason != "EC_NoError");
  emit_update(row.order_link_id, t,
              mapped == MMH_ORDER_STATUS_REJECTED ? MMH_ORDER_ACTION_PLACE : 0,
              said_why ? row.reject_reason : std::string());
}

void LiveVenue::apply_execution(const ExecutionRow& row) {
  if (row.symbol != settings_.symbol || !ours(row.order_link_id)) return;
  if (!seen_exec_ids_.insert(row.exec_id).second) return;  // pushed and listed: once
  mmh_fill f{};
  f.ts_ns = row.exec_ms * 1'000'000;
  f.symbol_id = settings_.symbol_id;
  f.side = row.side == "Buy" ? MMH_SIDE_BUY : MMH_SIDE_SELL;
  f.price_ticks = ticks(row.exec_price);
  f.qty_lots = lots(row.exec_qty);
  const bool rebate = !row.exec_fee.empty() && row.exec_fee[0] == '-';
  f.fee = decimal_from_text(rebate ? row.exec_fee.substr(1) : row.exec_fee);
  if (rebate) f.fee.mantissa = -f.fee.mantissa;
  copy_text(f.fee_asset, row.fee_currency);
  f.is_maker = row.is_maker ? 1 : 0;
  copy_text(f.client_id, row.order_link_id);
  copy_text(f.venue_order_id, row.order_id);
  copy_text(f.exec_id, row.exec_id);
  ++stats_.fills;
  emit_(mmh_batch{sizeof(mmh_batch), MMH_EVENT_FILL, sizeof(mmh_fill), 0, 1, &f});
}

void LiveVenue::apply_balances(const std::vector<CoinBalance>& coins) {
  mmh_balance out[2]{};
  const std::string assets[2] = {settings_.base_asset, settings_.quote_asset};
  const int64_t now_ns = wall_now_ms() * 1'000'000;
  for (int i = 0; i < 2; ++i) {
    out[i].ts_ns = now_ns;
    copy_text(out[i].asset, assets[i]);
    out[i].free = e8_decimal(0);
    out[i].locked = e8_decimal(0);
    // An asset the wallet does not list is zero (Bybit omits empty coins).
    for (const CoinBalance& c : coins) {
      if (c.coin != assets[i]) continue;
      // At the precision Bybit sends (fees leave balances with 10+ decimals).
      const mmh_decimal wallet = decimal_from_text(c.wallet_balance);
      const mmh_decimal locked = c.locked.empty() ? e8_decimal(0) : decimal_from_text(c.locked);
      out[i].free = decimal_minus(wallet, locked);
      out[i].locked = locked;
    }
  }
  emit_(mmh_batch{sizeof(mmh_batch), MMH_EVENT_BALANCE, sizeof(mmh_balance), 0, 2, out});
}

void LiveVenue::emit_update(const std::string& link, const Tracked& t, uint32_t action,
                            const std::string& reason) {
  mmh_order_update u{};
  u.ts_ns = wall_now_ms() * 1'000'000;
  u.symbol_id = settings_.symbol_id;
  u.status = t.status == 0 ? MMH_ORDER_STATUS_NEW : t.status;
  u.side = t.side;
  u.action = action;
  u.price_ticks = t.price_ticks;
  u.qty_lots = t.qty_lots;
  u.filled_qty_lots = t.filled_lots;
  u.leaves_qty_lots = terminal(u.status) ? 0 : t.qty_lots - t.filled_lots;
  copy_text(u.client_id, link);
  copy_text(u.venue_order_id, t.order_id);
  copy_text(u.reject_reason, reason);
  log(MMH_LOG_DEBUG, "bybit venue: " + link + " status " + std::to_string(u.status) + " price " +
                         std::to_string(u.price_ticks) + " filled " +
                         std::to_string(u.filled_qty_lots) + "/" + std::to_string(u.qty_lots) +
                         (reason.empty() ? "" : " (" + reason + ")"));
  emit_(mmh_batch{sizeof(mmh_batch), MMH_EVENT_ORDER_UPDATE, sizeof(mmh_order_update), 0, 1, &u});
}

}  // namespace mmh::bybit
