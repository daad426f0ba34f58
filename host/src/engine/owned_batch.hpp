// A batch copied out of a poster's borrowed buffers, including what its records point at (the
// levels of book updates), so it can be delivered later on another thread. Records are re-pointed
// into the copy; moving an OwnedBatch keeps them valid (vectors move their storage).
#pragma once

#include <mmhost/plugin.h>

#include <vector>

namespace mmh {

class OwnedBatch {
 public:
  explicit OwnedBatch(const mmh_batch& borrowed);
  OwnedBatch(OwnedBatch&&) noexcept = default;
  OwnedBatch& operator=(OwnedBatch&&) noexcept = default;
  OwnedBatch(const OwnedBatch&) = delete;
  OwnedBatch& operator=(const OwnedBatch&) = delete;

  // The batch over the owned bytes (valid while this object lives).
  mmh_batch batch() const;
  uint32_t kind() const { return kind_; }

 private:
  uint32_t kind_;
  uint32_t record_size_;
  size_t count_;
  std::vector<char> bytes_;
  std::vector<mmh_book_level> levels_;  // book updates: every record's bids then asks
};

}  // namespace mmh
