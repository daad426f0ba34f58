// What a live connector posts before the engine's loop runs (the instrument, the warm-up bars)
// is kept, then handed to the engine in order; later posts go straight to it.
#pragma once

#include "engine/engine.hpp"
#include "engine/owned_batch.hpp"

#include <mmhost/plugin.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

namespace mmh {

// Batches a live connector posts from its own thread. Until the engine's loop is bound they are
// kept (the instrument and the warm-up bars arrive while the run is being set up), then handed
// to the engine in the order they came; after that every post goes straight to the engine.
class LiveInbox {
 public:
  mmh_status post(const mmh_batch& batch);

  std::optional<mmh_instrument> instrument();

  // The close of the last bar kept (the warm-up's), 0 before any: the price a live wallet is
  // valued at against capital.allocation.
  int64_t last_close_e8();

  // Hands what was kept to the engine (bound to its loop) and forwards from now on.
  void attach(Engine& engine);

  // The run is stopping: everything posted from now on is dropped.
  void close();

 private:
  std::mutex mutex_;
  Engine* engine_ = nullptr;
  bool closed_ = false;
  std::vector<OwnedBatch> pending_;
  std::optional<mmh_instrument> instrument_;
  int64_t last_close_e8_ = 0;
};

}  // namespace mmh
