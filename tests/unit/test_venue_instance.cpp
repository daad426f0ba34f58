#include "loader/venue_instance.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace {

// A venue plugin that only exists: the queue of what it posts is the host's, tested here.
mmh::LoadedPlugin quiet_venue() {
  mmh::LoadedPlugin p;
  p.name = "quiet";
  p.kinds = MMH_KIND_VENUE;
  static int instance = 0;
  p.venue.create = [](const mmh_config*, void*, void** out, mmh_error*) {
    *out = &instance;
    return MMH_OK;
  };
  p.venue.destroy = [](void*) {};
  return p;
}

// `count` order updates whose client ids are "o<first>", "o<first+1>", ...
mmh_status post(mmh::VenueInstance& venue, int first, int count) {
  std::vector<mmh_order_update> updates(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i)
    std::snprintf(updates[static_cast<size_t>(i)].client_id, sizeof(mmh_order_update::client_id),
                  "o%d", first + i);
  return venue.receive(mmh_batch{sizeof(mmh_batch), MMH_EVENT_ORDER_UPDATE,
                                 sizeof(mmh_order_update), 0, updates.size(), updates.data()});
}

std::vector<std::string> ids(const std::vector<mmh::VenueEvent>& events) {
  std::vector<std::string> out;
  for (const mmh::VenueEvent& e : events) out.emplace_back(e.update.client_id);
  return out;
}

}  // namespace

TEST_CASE(
    "venue instance: what a venue posts is taken once and in order, and nothing when it posted "
    "nothing") {
  const mmh::LoadedPlugin plugin = quiet_venue();
  mmh::VenueInstance venue(plugin, {});
  std::vector<mmh::VenueEvent> taken(3);  // what was in it before is gone after a take
  venue.take_pending(taken);
  CHECK(taken.empty());

  REQUIRE(post(venue, 1, 2) == MMH_OK);
  venue.take_pending(taken);
  CHECK(ids(taken) == std::vector<std::string>{"o1", "o2"});
  venue.take_pending(taken);
  CHECK(taken.empty());

  // Put back: before what came since.
  REQUIRE(post(venue, 3, 1) == MMH_OK);
  venue.take_pending(taken);
  REQUIRE(post(venue, 4, 1) == MMH_OK);
  venue.requeue_front(taken);
  CHECK(taken.empty());
  venue.take_pending(taken);
  CHECK(ids(taken) == std::vector<std::string>{"o3", "o4"});

  // Only put back, nothing new.
  venue.requeue_front(taken);
  venue.take_pending(taken);
  CHECK(ids(taken) == std::vector<std::string>{"o3", "o4"});

  // A venue posts only execution events; nothing is queued from a refused batch.
  const mmh_candle candle{};
  CHECK(venue.receive(mmh_batch{sizeof(mmh_batch), MMH_EVENT_CANDLE, sizeof(mmh_candle), 0, 1,
                                &candle}) == MMH_ERR_INVALID_ARGUMENT);
  venue.take_pending(taken);
  CHECK(taken.empty());
}

TEST_CASE(
    "venue instance: a live venue's thread posts while the engine drains, and nothing is lost") {
  const mmh::LoadedPlugin plugin = quiet_venue();
  mmh::VenueInstance venue(plugin, {});
  constexpr int kPosts = 20'000;
  std::atomic<int> refused{0};
  std::atomic<bool> done{false};
  std::thread poster([&] {
    for (int i = 0; i < kPosts; i += 2)
      if (post(venue, i, 2) != MMH_OK) ++refused;
    done = true;
  });
  std::vector<std::string> seen;
  std::vector<mmh::VenueEvent> taken;
  const auto take = [&] {
    venue.take_pending(taken);
    for (std::string& id : ids(taken)) seen.push_back(std::move(id));
  };
  while (!done) {
    take();
    if (taken.empty()) std::this_thread::yield();
  }
  poster.join();
  take();  // after the last post: whatever it left must be there now, not stranded
  CHECK(refused == 0);
  std::vector<std::string> expected;
  for (int i = 0; i < kPosts; ++i) expected.push_back("o" + std::to_string(i));
  CHECK(seen == expected);
}
