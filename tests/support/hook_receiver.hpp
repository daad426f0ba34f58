// A loopback webhook receiver for alert tests: a real HTTP server on 127.0.0.1 (Boost.Beast,
// one connection at a time) that the test starts and stops. Beast stays in hook_receiver.cpp.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace mmh::test {

// A loopback webhook: answers each POST with the next status of `answers` (then 200) and keeps
// the bodies it answered 200 to.
class HookReceiver {
 public:
  explicit HookReceiver(std::vector<int> answers = {});
  ~HookReceiver();
  HookReceiver(const HookReceiver&) = delete;
  HookReceiver& operator=(const HookReceiver&) = delete;

  std::string url() const;
  std::vector<nlohmann::json> received();
  int attempts();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mmh::test
