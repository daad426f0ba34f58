#include "app/run_control.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

using namespace mmh;
using namespace std::chrono_literals;

TEST_CASE("engine inbox: a call from another thread runs on the waiting engine thread") {
  EngineInbox inbox;
  const std::thread::id engine = std::this_thread::get_id();
  auto client = std::async(std::launch::async, [&] {
    return inbox.call([&] { return std::this_thread::get_id() == engine ? "engine" : "other"; },
                      5s);
  });
  // The engine thread waits (as a paced replay between bars) and runs the call meanwhile: it
  // does not sleep out the whole wait first.
  const auto start = std::chrono::steady_clock::now();
  while (client.wait_for(0s) != std::future_status::ready &&
         std::chrono::steady_clock::now() - start < 5s)
    inbox.wait_until(std::chrono::steady_clock::now() + 50ms);
  CHECK(client.get() == "engine");
}

TEST_CASE("engine inbox: a live loop takes the calls once bound, a closed inbox answers stopping") {
  EngineInbox inbox;
  boost::asio::io_context io;
  inbox.bind(&io);
  auto client =
      std::async(std::launch::async, [&] { return inbox.call([] { return "ran"; }, 5s); });
  // Run the loop until the call has been answered.
  boost::asio::steady_timer stop(io, 5s);
  stop.async_wait([&](const boost::system::error_code&) { io.stop(); });
  while (client.wait_for(0s) != std::future_status::ready && !io.stopped()) io.run_for(10ms);
  CHECK(client.get() == "ran");
  inbox.bind(nullptr);
  // A call nobody runs: closing the inbox answers it at once, and every later one.
  auto waiting =
      std::async(std::launch::async, [&] { return inbox.call([] { return "no"; }, 5s); });
  std::this_thread::sleep_for(50ms);
  inbox.close();
  CHECK(nlohmann::json::parse(waiting.get())["error"] == "the run is stopping");
  CHECK(nlohmann::json::parse(inbox.call([] { return "no"; }, 5s))["error"] ==
        "the run is stopping");
}

TEST_CASE("engine inbox: a call that throws is an error answer, not the run's end") {
  EngineInbox inbox;
  auto client = std::async(std::launch::async, [&] {
    return inbox.call([]() -> std::string { throw std::runtime_error("bad \xff bytes"); }, 5s);
  });
  const auto start = std::chrono::steady_clock::now();
  while (client.wait_for(0s) != std::future_status::ready &&
         std::chrono::steady_clock::now() - start < 5s)
    inbox.wait_until(std::chrono::steady_clock::now() + 20ms);
  const auto answer = nlohmann::json::parse(client.get());
  CHECK(answer["ok"] == false);
  CHECK(answer["error"].get<std::string>().find("bad") == 0);
}

TEST_CASE("control answer: unknown commands and runs without a venue are errors") {
  auto answer = nlohmann::json::parse(control_answer(nullptr, 0, "launch"));
  CHECK(answer["ok"] == false);
  CHECK(answer["error"] == "unknown command 'launch' (halt, reduce, resume or status)");
  answer = nlohmann::json::parse(control_answer(nullptr, 0, "halt"));
  CHECK(answer["error"] == "this run trades nothing (no venue): nothing to steer");
  // Bytes that are not UTF-8 are answered, not thrown on.
  answer = nlohmann::json::parse(control_answer(nullptr, 0, "\xff\xfe"));
  CHECK(answer["ok"] == false);
}
