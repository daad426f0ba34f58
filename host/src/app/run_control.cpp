#include "app/run_control.hpp"

#include "app/control_socket.hpp"
#include "app/execution.hpp"
#include "app/format.hpp"
#include "app/run_metrics.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <future>
#include <memory>
#include <thread>

namespace mmh {
namespace {

std::string error_answer(const std::string& error) {
  // A client's bytes may be anything: never throw on text that is not UTF-8.
  return nlohmann::ordered_json{{"ok", false}, {"error", error}}.dump(
      -1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

void EngineInbox::bind(boost::asio::io_context* io) {
  std::deque<std::function<void()>> queued;
  {
    std::lock_guard lock(mutex_);
    io_ = io;
    if (io_ != nullptr) queued.swap(tasks_);
  }
  for (auto& task : queued) boost::asio::post(*io, std::move(task));
}

void EngineInbox::push(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    if (io_ != nullptr) {
      boost::asio::post(*io_, std::move(task));
      return;
    }
    tasks_.push_back(std::move(task));
  }
  wake_.notify_all();
}

void EngineInbox::run_pending() {
  for (;;) {
    std::function<void()> task;
    {
      std::lock_guard lock(mutex_);
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

void EngineInbox::wait_until(std::chrono::steady_clock::time_point due) {
  for (;;) {
    run_pending();
    std::unique_lock lock(mutex_);
    if (!wake_.wait_until(lock, due, [this] { return !tasks_.empty(); })) return;
  }
}

std::string EngineInbox::call(std::function<std::string()> task,
                              std::chrono::milliseconds timeout) {
  auto answer = std::make_shared<std::promise<std::string>>();
  std::future<std::string> result = answer->get_future();
  // Only the task holds the promise: a task dropped unrun (the run ended, or had ended: push
  // drops it) breaks it at once.
  push([answer = std::move(answer), task = std::move(task)] {
    try {
      answer->set_value(task());
    } catch (const std::exception& e) {  // a command must never end the run
      answer->set_value(error_answer(e.what()));
    }
  });
  if (result.wait_for(timeout) != std::future_status::ready)
    return error_answer("the run did not take the command in time (busy or stopping)");
  try {
    return result.get();
  } catch (const std::future_error&) {  // dropped unrun: the run ended meanwhile
    return error_answer("the run is stopping");
  }
}

void EngineInbox::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  io_ = nullptr;
  tasks_.clear();
}

std::string control_answer(Execution* exec, int64_t now_ns, const std::string& command,
                           const std::string& metrics_url) {
  using json = nlohmann::ordered_json;
  const bool acts = command == "halt" || command == "reduce" || command == "resume";
  if (!acts && command != "status")
    return error_answer("unknown command '" + command.substr(0, 64) +
                        "' (halt, reduce, resume or status)");
  if (exec == nullptr) return error_answer("this run trades nothing (no venue): nothing to steer");
  bool changed = false;
  if (command == "halt") changed = exec->command(RiskCommand::halt, now_ns, "halt");
  if (command == "reduce") changed = exec->command(RiskCommand::reduce, now_ns, "reduce");
  if (command == "resume") changed = exec->command(RiskCommand::resume, now_ns, "resume");
  const Ledger& l = exec->ledger();
  size_t open = 0, cancelling = 0;
  for (const WorkingOrder& w : exec->orders().working()) {
    ++open;
    if (w.state == WorkingOrder::State::pending_cancel) ++cancelling;
  }
  json j = {{"ok", true}, {"command", command}};
  if (acts) j["changed"] = changed;
  j["state"] = trading_state_name(exec->risk().state());
  j["time"] = iso_time(now_ns);
  j["equity"] = format_e18(l.equity_e18());
  j["base"] = format_e18(l.base_e18());
  j["quote"] = format_e18(l.quote_e18());
  j["base_asset"] = l.base_asset();
  j["quote_asset"] = l.quote_asset();
  j["net_pnl"] = format_e18(l.net_pnl_e18());
  j["open_orders"] = open;
  j["orders_placed"] = exec->orders().stats().placed;
  j["cancels_pending"] = cancelling;
  j["data_stale"] = exec->risk().data_stale();
  j["pid"] = static_cast<int64_t>(::getpid());  // the run's process (e.g. to watch or kill it)
  if (!metrics_url.empty()) j["metrics"] = metrics_url;
  const int64_t last = exec->last_market_ns();
  j["last_data_time"] = last == INT64_MIN ? json(nullptr) : json(iso_time(last));
  // What the status line shows besides (the Live page shows it too).
  const json line = status_object(*exec, now_ns);
  for (const char* k :
       {"pnl_today", "fees", "base_share", "fills", "data_age_s", "ack_p99_s", "decision_p99_s"})
    if (line.contains(k)) j[k] = line[k];
  return j.dump();
}

int run_control_command(const std::string& run_dir, const std::string& command, bool json,
                        std::ostream& out) {
  const std::string line = control_request(run_dir, command);
  if (json) {
    out << line << "\n";
  }
  const nlohmann::json a = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!a.is_object() || !a.contains("ok"))
    throw ControlError("the run in " + run_dir +
                       " answered something that is not a control "
                       "answer: " +
                       line.substr(0, 200));
  if (!a.value("ok", false)) {
    if (!json) out << "error: " << a.value("error", std::string("?")) << "\n";
    return 1;
  }
  if (json) return 0;
  const std::string state = a.value("state", "");
  if (command != "status")
    out << (a.value("changed", false) ? "now " : "already ") << state << "\n";
  out << "state      " << state << (a.value("data_stale", false) ? " (market data stale)" : "")
      << " at " << a.value("time", "") << "\n"
      << "equity     " << a.value("equity", "") << " " << a.value("quote_asset", "") << " (net pnl "
      << a.value("net_pnl", "") << ")\n"
      << "inventory  " << a.value("base", "") << " " << a.value("base_asset", "") << " + "
      << a.value("quote", "") << " " << a.value("quote_asset", "") << "\n"
      << "orders     " << a.value("open_orders", 0) << " open, " << a.value("cancels_pending", 0)
      << " being cancelled, " << a.value("orders_placed", 0) << " placed so far\n"
      << "last data  "
      << (a.contains("last_data_time") && a["last_data_time"].is_string()
              ? a["last_data_time"].get<std::string>()
              : std::string("none yet"))
      << "\n";
  return 0;
}

}  // namespace mmh

namespace mmh {

struct SignalRelay::State {
  boost::asio::io_context io;
  boost::asio::signal_set signals{io};
  EngineInbox* inbox = nullptr;
  std::function<void()> on_signal;
  std::thread thread;

  void wait() {
    signals.async_wait([this](const boost::system::error_code& ec, int) {
      if (ec) return;
      inbox->push(on_signal);
      wait();
    });
  }
};

SignalRelay::SignalRelay(int signo, EngineInbox& inbox, std::function<void()> on_signal)
    : state_(std::make_unique<State>()) {
  state_->signals.add(signo);
  state_->inbox = &inbox;
  state_->on_signal = std::move(on_signal);
  state_->wait();
  state_->thread = std::thread([s = state_.get()] { s->io.run(); });
}

SignalRelay::~SignalRelay() {
  state_->io.stop();
  if (state_->thread.joinable()) state_->thread.join();
}

}  // namespace mmh
