// Runs one coroutine to completion on an io_context from ordinary code (commands, tests): the
// awaitable's result is returned and its exception rethrown.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace mmh::bybit {

template <typename T>
T run_sync(boost::asio::io_context& ioc, boost::asio::awaitable<T> work) {
  auto result = boost::asio::co_spawn(ioc, std::move(work), boost::asio::use_future);
  ioc.restart();
  ioc.run();
  return result.get();
}

}  // namespace mmh::bybit
