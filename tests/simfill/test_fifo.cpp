#include "fifo.hpp"

#include <doctest/doctest.h>

#include <deque>
#include <random>

TEST_CASE("fifo: the same elements in the same order as std::deque, through every compaction") {
  mmh::sim::Fifo<int> fifo;
  std::deque<int> model;
  CHECK(fifo.empty());
  std::mt19937 rng(5);
  int next = 0;
  // Runs that push more than they take (the prefix compaction with elements left) and runs that
  // empty it (the reset), from short queues to ones of hundreds.
  for (int round = 0; round < 200; ++round) {
    const int pushes = static_cast<int>(rng() % 300);
    const int pops_per_push = round % 3 == 0 ? 0 : 1;
    for (int i = 0; i < pushes; ++i) {
      fifo.push_back(next);
      model.push_back(next);
      ++next;
      REQUIRE(fifo.back() == model.back());
      if (pops_per_push == 1 && rng() % 2 == 0 && !model.empty()) {
        REQUIRE(fifo.front() == model.front());
        fifo.pop_front();
        model.pop_front();
      }
    }
    const size_t drain = round % 4 == 0 ? model.size() : model.size() / 3;
    for (size_t i = 0; i < drain; ++i) {
      REQUIRE(fifo.front() == model.front());
      fifo.pop_front();
      model.pop_front();
    }
    REQUIRE(fifo.size() == model.size());
    REQUIRE(fifo.empty() == model.empty());
  }
  while (!model.empty()) {
    REQUIRE(fifo.front() == model.front());
    fifo.pop_front();
    model.pop_front();
  }
  CHECK(fifo.empty());
}
