// The SDK's trampolines, exercised in-process: exceptions become statuses and messages.
#include <mmhost/sdk/plugin.hpp>

#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace {

class Flaky {
 public:
  Flaky(const mmh::sdk::Config& config, void*) {
    if (config.get("fail") == "ctor") throw std::runtime_error("cannot open feed");
    mode_ = config.get("fail");
  }
  bool read_batch(mmh_batch& out) {
    if (mode_ == "data") throw mmh::sdk::Error(MMH_ERR_DATA, "bad row 7");
    if (mode_ == "weird") throw 42;
    out.count = 0;
    return false;
  }
  void describe(mmh_source_info& info) { info.record_count = 5; }

 private:
  std::string mode_;
};

mmh_config config_of(const mmh_config_item* items, size_t n) {
  mmh_config c{};
  c.size = sizeof(c);
  c.count = n;
  c.items = items;
  return c;
}

}  // namespace

TEST_CASE("SDK: create/read_batch exceptions become statuses with messages") {
  const mmh_data_vtable* t = mmh::sdk::data_vtable<Flaky>();
  REQUIRE((t->create != nullptr));
  CHECK((t->start == nullptr));
  CHECK((t->describe != nullptr));
  mmh_error err{};
  void* self = nullptr;

  const mmh_config_item ctor_fail[] = {{"fail", "ctor"}};
  mmh_config c = config_of(ctor_fail, 1);
  CHECK(t->create(&c, nullptr, &self, &err) == MMH_ERR_INTERNAL);
  CHECK(std::string(err.message) == "cannot open feed");

  const mmh_config_item data_fail[] = {{"fail", "data"}};
  c = config_of(data_fail, 1);
  REQUIRE(t->create(&c, nullptr, &self, &err) == MMH_OK);
  mmh_batch batch{};
  CHECK(t->read_batch(self, &batch, &err) == MMH_ERR_DATA);
  CHECK(std::string(err.message) == "bad row 7");
  t->destroy(self);

  const mmh_config_item weird[] = {{"fail", "weird"}};
  c = config_of(weird, 1);
  REQUIRE(t->create(&c, nullptr, &self, &err) == MMH_OK);
  CHECK(t->read_batch(self, &batch, &err) == MMH_ERR_INTERNAL);
  CHECK(std::string(err.message) == "unknown exception");
  t->destroy(self);
}

TEST_CASE("SDK: describe copies only the prefix an older caller knows") {
  const mmh_data_vtable* t = mmh::sdk::data_vtable<Flaky>();
  mmh_error err{};
  void* self = nullptr;
  mmh_config c = config_of(nullptr, 0);
  REQUIRE(t->create(&c, nullptr, &self, &err) == MMH_OK);
  // An "older host" that only knows size, primary_kind and record_count.
  struct Small {
    mmh_source_info head;
  } small{};
  std::memset(&small, 0x7f, sizeof(small));
  small.head.size = static_cast<uint32_t>(offsetof(mmh_source_info, first_ts_ns));
  REQUIRE(t->describe(self, &small.head, &err) == MMH_OK);
  CHECK(small.head.record_count == 5);
  CHECK(small.head.size == offsetof(mmh_source_info, first_ts_ns));
  CHECK(small.head.first_ts_ns == 0x7f7f7f7f7f7f7f7fLL);  // untouched past the caller's size
  t->destroy(self);
}

TEST_CASE("SDK: Config parses integers strictly") {
  const mmh_config_item items[] = {{"n", "12"}, {"bad", "12x"}};
  mmh_config c = config_of(items, 2);
  const mmh::sdk::Config config(&c);
  CHECK(config.get_int("n", 0) == 12);
  CHECK(config.get_int("absent", 5) == 5);
  CHECK_THROWS_WITH(config.get_int("bad", 0), "setting 'bad' must be an integer, got '12x'");
  CHECK_THROWS_WITH(config.require("absent"), "missing required setting 'absent'");
}

TEST_CASE("sdk config: allow_only names a misspelt setting and accepts a prefix") {
  const mmh_config_item items[] = {{"symbol", "ETHUSDT"}, {"param.grid.levels", "4"}};
  const mmh_config raw{sizeof(mmh_config), 0, 2, items};
  const mmh::sdk::Config config(&raw);
  CHECK_NOTHROW(config.allow_only({"symbol"}, "param."));
  CHECK_THROWS_WITH_AS(config.allow_only({"symbol"}), doctest::Contains("'param.grid.levels'"),
                       mmh::sdk::Error);
  CHECK_THROWS_WITH_AS(config.allow_only({"symbl"}, "param."),
                       doctest::Contains("unknown setting 'symbol' (parameters go in 'param."),
                       mmh::sdk::Error);
}

namespace {

class TwoOrders {
 public:
  TwoOrders(const mmh::sdk::Config&, void*) {}
  void on_events(const mmh_batch&) {}
  void desired_state(mmh_desired_state& out) {
    out.count = 2;
    out.orders = orders_;
    std::snprintf(out.mode, sizeof(out.mode), "grid");
    out.size = 1;  // a careless core: the trampoline reports the size it wrote
  }

 private:
  mmh_desired_order orders_[2] = {};
};

}  // namespace

TEST_CASE("SDK: desired_state fills a current host's struct, and only the prefix an older knows") {
  const mmh_core_vtable* t = mmh::sdk::core_vtable<TwoOrders>();
  REQUIRE((t->desired_state != nullptr));
  mmh_error err{};
  void* self = nullptr;
  mmh_config c = config_of(nullptr, 0);
  REQUIRE(t->create(&c, nullptr, &self, &err) == MMH_OK);
  mmh_desired_state full;
  std::memset(&full, 0x7f, sizeof(full));
  full.size = sizeof(full);
  REQUIRE(t->desired_state(self, &full, &err) == MMH_OK);
  CHECK(full.size == sizeof(full));
  CHECK(full.reserved == 0);  // zeroed before the core writes
  CHECK(full.count == 2);
  CHECK(std::string(full.mode) == "grid");
  // An "older host" that knows size, reserved, count and orders, not the mode.
  mmh_desired_state older;
  std::memset(&older, 0x7f, sizeof(older));
  older.size = static_cast<uint32_t>(offsetof(mmh_desired_state, mode));
  REQUIRE(t->desired_state(self, &older, &err) == MMH_OK);
  CHECK(older.size == offsetof(mmh_desired_state, mode));
  CHECK(older.count == 2);
  CHECK(older.mode[0] == 0x7f);  // untouched past the caller's size
  t->destroy(self);
}

namespace {

class Counting {
 public:
  Counting(const mmh::sdk::Config& config, void*) : fail_(config.get("fail") == "count") {}
  void on_events(const mmh_batch&) {}
  uint64_t decisions_queued() const {
    if (fail_) throw std::runtime_error("cannot count");
    return 7;
  }
  uint64_t desired_version() const {
    if (fail_) throw std::runtime_error("cannot number");
    return 42;
  }

 private:
  bool fail_ = false;
};

// What a Counting core (one that throws when `fail`) answers to a call that cannot fail.
uint64_t counting_answer(uint64_t (*mmh_core_vtable::*call)(void*), bool fail) {
  const mmh_core_vtable* t = mmh::sdk::core_vtable<Counting>();
  REQUIRE((t->*call != nullptr));
  CHECK((mmh::sdk::core_vtable<TwoOrders>()->*call == nullptr));  // no such member
  mmh_error err{};
  void* self = nullptr;
  const mmh_config_item fails[] = {{"fail", "count"}};
  mmh_config c = fail ? config_of(fails, 1) : config_of(nullptr, 0);
  REQUIRE(t->create(&c, nullptr, &self, &err) == MMH_OK);
  const uint64_t answer = (t->*call)(self);
  t->destroy(self);
  return answer;
}

}  // namespace

TEST_CASE("SDK: decisions_queued answers the core's count, and 'some' when the core throws") {
  CHECK(counting_answer(&mmh_core_vtable::decisions_queued, false) == 7);
  // The take that follows would report the failure.
  CHECK(counting_answer(&mmh_core_vtable::decisions_queued, true) == 1);
}

TEST_CASE("SDK: desired_version answers the core's number, and 0 ('cannot say') when it throws") {
  CHECK(counting_answer(&mmh_core_vtable::desired_version, false) == 42);
  // The host asks for the set, which reports the failure.
  CHECK(counting_answer(&mmh_core_vtable::desired_version, true) == 0);
}
