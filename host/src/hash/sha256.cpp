#include "hash/sha256.hpp"

#include <mmhost/sdk/regular_file.hpp>

#include <openssl/evp.h>

#include <cstdio>
#include <new>

namespace mmh {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx_);
    throw std::bad_alloc();
  }
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(ctx_);
}

void Sha256::add(const void* data, size_t size) {
  EVP_DigestUpdate(ctx_, data, size);
}

std::string Sha256::hex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_, md, &len);
  std::string out;
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof(buf), "%02x", md[i]);
    out += buf;
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  Sha256 h;
  h.add(bytes);
  return h.hex();
}

std::string sha256_file_hex(const std::string& path) {
  const sdk::RegularFile file(path);
  Sha256 h;
  char buffer[1 << 16];
  for (uint64_t at = 0;;) {
    const size_t n = file.read_at(buffer, sizeof(buffer), at, path);
    if (n == 0) break;
    h.add(buffer, n);
    at += n;
  }
  return h.hex();
}

}  // namespace mmh
