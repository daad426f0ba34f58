// "Did you mean ...?" for misspelled names: the closest known name by edit distance, if close.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace mmh::sdk {

// Levenshtein distance (insert, delete, substitute each cost 1).
inline size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The known name closest to `name` when at most a third of it (and at least one edit) differs;
// empty when nothing is that close. Ties go to the earlier name, so the answer is stable.
template <class Names>
std::string closest_name(std::string_view name, const Names& known) {
  std::string best;
  size_t best_distance = std::max<size_t>(1, name.size() / 3) + 1;
  for (const auto& candidate : known) {
    const size_t d = edit_distance(name, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = std::string(candidate);
    }
  }
  return best;
}

}  // namespace mmh::sdk
