// What the client does with each kind of failure (PROTOCOL.md §7).
#include "bybit_error.hpp"

#include <doctest/doctest.h>

using namespace mmh::bybit;

TEST_CASE("bybit errors: recovery by transport failure, HTTP status and retCode") {
  CHECK(BybitError(ErrorKind::timeout, "t").recovery() == Recovery::retry);
  CHECK(BybitError(ErrorKind::transport, "t").recovery() == Recovery::retry);
  CHECK(BybitError(ErrorKind::banned, "b", 403).recovery() == Recovery::stop);
  CHECK(BybitError(ErrorKind::http, "h", 502).recovery() == Recovery::retry);
  CHECK(BybitError(ErrorKind::http, "h", 429).recovery() == Recovery::retry);
  CHECK(BybitError(ErrorKind::http, "h", 404).recovery() == Recovery::fail);
  CHECK(BybitError(ErrorKind::parse, "p").recovery() == Recovery::fail);
  CHECK(recovery_for_ret_code(10002) == Recovery::resync_time);
  CHECK(recovery_for_ret_code(10006) == Recovery::wait_limit);
  CHECK(recovery_for_ret_code(170222) == Recovery::wait_limit);
  CHECK(recovery_for_ret_code(10016) == Recovery::retry);
  CHECK(recovery_for_ret_code(110001) == Recovery::reconcile);
  CHECK(recovery_for_ret_code(170213) == Recovery::reconcile);
  CHECK(recovery_for_ret_code(10004) == Recovery::fail);
  CHECK(recovery_for_ret_code(170131) == Recovery::fail);
  CHECK(std::string(to_string(ErrorKind::banned)) == "banned");
}
