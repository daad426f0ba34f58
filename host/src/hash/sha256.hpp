// SHA-256 for provenance: what a result depends on (a strategy's loaded source, plugin files,
// a batch run's inputs). Fast equality hashing is XXH3 (mmhost/sdk/hash.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace mmh {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void add(const void* data, size_t size);
  void add(std::string_view bytes) { add(bytes.data(), bytes.size()); }
  void add(int64_t v) { add(&v, sizeof(v)); }  // little-endian hosts only (x86-64, arm64)
  std::string hex();                           // ends the digest

 private:
  evp_md_ctx_st* ctx_;
};

std::string sha256_hex(std::string_view bytes);
// The file's bytes (regular files only); throws std::runtime_error naming it.
std::string sha256_file_hex(const std::string& path);

}  // namespace mmh
