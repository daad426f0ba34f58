// The live execution side of the bybit_spot plugin, independent of the plugin ABI glue: the
// host's order commands go out as signed REST requests, in order, from one I/O thread; what the
// exchange reports (private WS `order`, `execution`, `wallet`, and REST reconciliation) comes back
// through `emit` as mmh_order_update / mmh_fill / mmh_balance batches.
//
// Rules that keep the two views equal:
//  - Only this run's orders count: orderLinkIds carry the run prefix; anything else on the
//    account is left alone (and reported once).
//  - Retries are idempotent: a create that failed in transit is retried with the same
//    orderLinkId; "duplicate orderLinkId" (170141/110072) or an unknown outcome is resolved by
//    asking the exchange for that id, never by placing again.
//  - Reports only move forward: a terminal order stays terminal, filled quantity never
//    shrinks, and fills are de-duplicated by execId, so WS pushes, REST answers and
//    reconciliation may overlap in any order.
//  - At start and after every private reconnect, REST reconciliation (open orders, this run's
//    orders in doubt, executions since the run began, wallet) runs before new orders are
//    accepted; places meanwhile are rejected with the reason, cancels still go out. After a
//    loss longer than cancel_on_disconnect_ms, every open order of the run is cancelled first.
//  - An order in doubt is declared lost only after three "not found" answers in a row; its
//    late fills are still applied.
//  - Disconnected Cancel All: when the account has it on for spot, its window is set to
//    cancel_on_disconnect_ms (3..300 s) and the private stream subscribes `dcp`.
#pragma once

#include "order_request.hpp"
#include "private_stream.hpp"
#include "rest_client.hpp"
#include "venue_config.hpp"

#include <mmhost/plugin.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace mmh::bybit {

struct LiveVenueSettings {
  std::string symbol;
  uint32_t symbol_id = 1;
  std::string base_asset;
  std::string quote_asset;
  mmh_decimal tick_size{};
  mmh_decimal lot_size{};
  std::string order_prefix;  // this run's orderLinkIds start with it (the host's, per run)
  int64_t run_start_ms = 0;  // executions before it are not this run's; 0 = the exchange's
                             // clock when start() runs
  int64_t start_timeout_ms = 20000;
  // A private connection lost for longer than this: on reconnect, every open order of the run
  // is cancelled before new orders are accepted (0: off). With the account's Disconnected
  // Cancel All on (SPOT), the exchange's window is set to it too (3..300 s).
  int64_t cancel_on_disconnect_ms = 0;
  PrivateStreamSettings stream;  // url/ca_file are taken from the venue config
};

struct LiveVenueStats {
  uint64_t commands = 0;  // order commands handled
  uint64_t rejects = 0;
  uint64_t duplicate_resolved = 0;  // "duplicate orderLinkId" answered by a query
  uint64_t queries = 0;             // single-order lookups
  uint64_t batches = 0;             // create-batch requests sent
  uint64_t reconciles = 0;
  bool dcp_on = false;  // the exchange cancels on disconnect (its window: dcp_window_s)
  int64_t dcp_window_s = 0;
  uint64_t disconnect_cancels = 0;  // reconnects after a loss past cancel_on_disconnect_ms
  uint64_t private_losses = 0;      // the private stream lost while trading (each reconnects)
  uint64_t fills = 0;
  uint64_t foreign_orders = 0;  // orders on the account that are not this run's
};

class LiveVenue {
 public:
  using Emit = std::function<void(const mmh_batch& batch)>;
  LiveVenue(VenueConfig venue, Credentials credentials, LiveVenueSettings settings, Emit emit,
            LogFn log);
  ~LiveVenue();
  LiveVenue(const LiveVenue&) = delete;
  LiveVenue& operator=(const LiveVenue&) = delete;

  // Syncs the clock, signs in on the private stream and reconciles once (its balances and any
  // open orders of this run are emitted before it returns). Throws BybitError with the reason.
  void start();
  // Queues a command; requests go out in submission order. Thread-safe.
  void submit(const mmh_order_command& command);
  // Finishes queued commands, cancels this run's open orders (cancel_all: every open order of
  // the symbol), reconciles a last time (emitted before it returns) and stops. Throws
  // BybitError when the exchange could not be reached: orders may still be open then.
  void stop(bool cancel_all);
  LiveVenueStats stats();
  // This run's orders that the venue believes open (tests, shutdown report).
  size_t open_orders();
  // Closes the private stream's connection (tests: a forced reconnect).
  void drop_private_stream();

 private:
  struct Tracked {
    uint32_t side = 0;
    uint32_t order_type = 0;
    uint32_t status = 0;  // 0 = sent, not confirmed
    int64_t price_ticks = 0;
    int64_t qty_lots = 0;
    int64_t filled_lots = 0;
    bool quote_unit = false;
    int64_t row_ms = 0;  // updatedTime of the last exchange row applied
    std::string order_id;
  };

  boost::asio::awaitable<void> worker();
  boost::asio::awaitable<void> execute(mmh_order_command command);
  // Checks a create and starts tracking it; false (and rejected) when it cannot go out.
  bool admit_place(const mmh_order_command& command, std::string& body);
  // What the exchange answered to a create (no failure = accepted).
  boost::asio::awaitable<void> settle_place(mmh_order_command command,
                                            std::optional<BybitError> failure);
  boost::asio::awaitable<void> place_batch(std::vector<mmh_order_command> group);
  boost::asio::awaitable<void> reconcile();
  // Disconnected Cancel All: on for SPOT on this account? Then set its window.
  boost::asio::awaitable<void> set_up_dcp();
  boost::asio::awaitable<void> cancel_open_orders();
  boost::asio::awaitable<void> reconcile_loop();
  boost::asio::awaitable<void> query_order(std::string link_id, bool reject_if_missing,
                                           std::string missing_reason);
  boost::asio::awaitable<void> fetch_executions();
  boost::asio::awaitable<void> fetch_wallet();
  boost::asio::awaitable<void> shutdown(bool cancel_all);

  void on_private(const PrivateMessage& message);
  void apply_order(const OrderRow& row);
  void apply_execution(const ExecutionRow& row);
  void apply_balances(const std::vector<CoinBalance>& coins);
  void emit_update(const std::string& link_id, const Tracked& t, uint32_t action = 0,
                   const std::string& reason = {});
  void reject(const mmh_order_command& command, const std::string& reason);
  bool ours(const std::string& link_id) const;
  int64_t ticks(const std::string& text) const;
  int64_t lots(const std::string& text) const;
  void log(int level, const std::string& message) const;
  size_t count_open() const;
  void run_on_io(const std::function<void()>& fn);

  VenueConfig venue_;
  Credentials credentials_;
  LiveVenueSettings settings_;
  OrderInstrument instrument_;
  int64_t tick_e8_ = 0;
  int64_t lot_e8_ = 0;
  Emit emit_;
  LogFn log_;

  boost::asio::io_context ioc_;
  std::unique_ptr<RestClient> rest_;
  std::shared_ptr<PrivateStream> stream_;
  std::thread thread_;
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;

  // I/O thread only.
  std::deque<mmh_order_command> queue_;
  bool worker_running_ = false;
  bool ready_ = false;         // signed in, subscribed and reconciled
  int64_t down_since_ms_ = 0;  // steady clock; 0: the private stream is up (or never was)
  bool reconcile_running_ = false;
  bool reconcile_again_ = false;
  bool stopping_ = false;
  std::map<std::string, Tracked> orders_;  // by orderLinkId
  std::set<std::string> in_flight_;        // creates sent, answer not yet in
  std::set<std::string> seen_exec_ids_;
  std::set<std::string> foreign_seen_;
  bool stream_up_ = false;
  LiveVenueStats stats_;

  // Shared with the calling threads.
  std::mutex mutex_;
  std::condition_variable ready_cv_;
  bool first_ready_ = false;
  std::string fatal_;  // why the venue cannot trade (auth refused)
};

}  // namespace mmh::bybit
