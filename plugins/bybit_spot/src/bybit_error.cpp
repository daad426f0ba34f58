#include "bybit_error.hpp"

namespace mmh::bybit {

Recovery recovery_for_ret_code(int64_t ret_code) {
  switch (ret_code) {
    case 10000:  // server timeout
    case 10016:  // server error / service restarting
      return Recovery::retry;
    case 10002:
      return Recovery::resync_time;
    case 10006:
    case 170005:
    case 170222:
      return Recovery::wait_limit;
    case 110001:
    case 110008:
    case 110010:
    case 170139:
    case 170142:
    case 170213:
      return Recovery::reconcile;
    default:
      return Recovery::fail;
  }
}

Recovery BybitError::recovery() const {
  switch (kind_) {
    case ErrorKind::transport:
    case ErrorKind::timeout:
      return Recovery::retry;
    case ErrorKind::banned:
      return Recovery::stop;
    case ErrorKind::http:
      return http_status_ == 429 || http_status_ >= 500 ? Recovery::retry : Recovery::fail;
    case ErrorKind::exchange:
      return recovery_for_ret_code(ret_code_);
    case ErrorKind::parse:
      return Recovery::fail;
  }
  return Recovery::fail;
}

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::transport:
      return "transport";
    case ErrorKind::timeout:
      return "timeout";
    case ErrorKind::http:
      return "http";
    case ErrorKind::banned:
      return "banned";
    case ErrorKind::exchange:
      return "exchange";
    case ErrorKind::parse:
      return "parse";
  }
  return "unknown";
}

}  // namespace mmh::bybit
