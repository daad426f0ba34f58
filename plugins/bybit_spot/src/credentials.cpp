#include "credentials.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

extern char** environ;

namespace mmh::bybit {

namespace {

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\r");
  const size_t b = s.find_last_not_of(" \t\r");
  return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

Credentials from_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw CredentialsError(path + ": cannot read the key file");
  if (!S_ISREG(st.st_mode)) throw CredentialsError(path + ": the key file is not a regular file");
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    throw CredentialsError(path + ": the key file must be readable by its owner only (chmod 600 " +
                           path + ")");
  if (st.st_uid != ::geteuid())
    throw CredentialsError(path + ": the key file must belong to the user running mmhost");
  std::ifstream in(path);
  if (!in) throw CredentialsError(path + ": cannot read the key file");
  Credentials c;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    const size_t colon = t.find(':');
    const std::string key = colon == std::string::npos ? "" : trim(t.substr(0, colon));
    std::string value = colon == std::string::npos ? "" : trim(t.substr(colon + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    if (key == "api_key")
      c.api_key = value;
    else if (key == "api_secret")
      c.api_secret = value;
    else  // the line may hold a secret: name the line, not its text
      throw CredentialsError(path + ":" + std::to_string(number) +
                             ": expected 'api_key: ...' or 'api_secret: ...'");
  }
  if (c.api_key.empty() || c.api_secret.empty())
    throw CredentialsError(path + ": needs both api_key and api_secret");
  return c;
}

}  // namespace

std::optional<Credentials> load_credentials(const std::map<std::string, std::string>& env,
                                            const std::string& key_file) {
  auto get = [&](const char* name) {
    auto it = env.find(name);
    return it == env.end() ? std::string() : it->second;
  };
  const std::string key = get("BYBIT_API_KEY");
  const std::string secret = get("BYBIT_API_SECRET");
  if (!key.empty() || !secret.empty()) {
    if (key.empty() || secret.empty())
      throw CredentialsError(std::string(key.empty() ? "BYBIT_API_KEY" : "BYBIT_API_SECRET") +
                             " is not set (set both, or neither and use a key file)");
    if (!key_file.empty())
      throw CredentialsError("keys come from BYBIT_API_KEY/BYBIT_API_SECRET or " + key_file +
                             ", not both");
    return Credentials{key, secret};
  }
  if (!key_file.empty()) return from_file(key_file);
  return std::nullopt;
}

std::map<std::string, std::string> bybit_environment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry(*e);
    if (entry.rfind("BYBIT_", 0) != 0) continue;
    const size_t eq = entry.find('=');
    if (eq != std::string::npos) out[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return out;
}

}  // namespace mmh::bybit
