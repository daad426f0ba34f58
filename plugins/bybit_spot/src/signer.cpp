#include "signer.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace mmh::bybit {

std::string Credentials::redacted_key() const {
  return api_key.substr(0, 6) + "...";
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len) == nullptr)
    throw std::runtime_error("HMAC-SHA256 failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(len * 2, '0');
  for (unsigned int i = 0; i < len; ++i) {
    out[2 * i] = kHex[md[i] >> 4];
    out[2 * i + 1] = kHex[md[i] & 0x0f];
  }
  return out;
}

std::string rest_signature(const Credentials& c, int64_t timestamp_ms, int64_t recv_window_ms,
                           std::string_view payload) {
  std::string text = std::to_string(timestamp_ms);
  text += c.api_key;
  text += std::to_string(recv_window_ms);
  text += payload;
  return hmac_sha256_hex(c.api_secret, text);
}

std::string ws_auth_signature(const Credentials& c, int64_t expires_ms) {
  return hmac_sha256_hex(c.api_secret, "GET/realtime" + std::to_string(expires_ms));
}

std::string query_string(const std::map<std::string, std::string>& params) {
  auto encode = [](std::string_view s, std::string& out) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (const char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      const bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~' ||
                        c == ',';
      if (keep) {
        out += ch;
      } else {
        out += '%';
        out += kHex[c >> 4];
        out += kHex[c & 0x0f];
      }
    }
  };
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out += '&';
    encode(key, out);
    out += '=';
    encode(value, out);
  }
  return out;
}

}  // namespace mmh::bybit
