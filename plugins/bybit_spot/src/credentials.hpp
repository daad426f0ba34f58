// Where API keys come from: BYBIT_API_KEY and BYBIT_API_SECRET in the environment, or a key file
// that only its owner can read (mode 0600 or stricter) holding `api_key: ...` and
// `api_secret: ...` lines. Never from configuration files, never logged: error messages name
// the variable or file, not the value.
#pragma once

#include "signer.hpp"

#include <map>
#include <optional>
#include <stdexcept>
#include <string>

namespace mmh::bybit {

class CredentialsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `env`: the process environment (or a test's). `key_file`: empty = none. Returns nothing when
// neither source is present; throws CredentialsError for half a pair, an unreadable or too
// readable file, or a malformed one.
std::optional<Credentials> load_credentials(const std::map<std::string, std::string>& env,
                                            const std::string& key_file);

// The BYBIT_* variables of the process environment.
std::map<std::string, std::string> bybit_environment();

}  // namespace mmh::bybit
