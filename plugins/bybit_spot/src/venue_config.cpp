#include "venue_config.hpp"

#include <mmhost/sdk/regular_file.hpp>

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <set>

namespace mmh::bybit {

std::string Url::origin() const {
  const bool default_port = ((scheme == "https" || scheme == "wss") && port == "443") ||
                            ((scheme == "http" || scheme == "ws") && port == "80");
  return scheme + "://" + host + (default_port ? "" : ":" + port);
}

Url parse_url(std::string_view text) {
  const size_t sep = text.find("://");
  if (sep == std::string_view::npos)
    throw std::invalid_argument("'" + std::string(text) + "' is not an absolute URL");
  Url url;
  url.scheme = std::string(text.substr(0, sep));
  if (url.scheme != "http" && url.scheme != "https" && url.scheme != "ws" && url.scheme != "wss")
    throw std::invalid_argument("'" + std::string(text) +
                                "': scheme must be http, https, ws or wss");
  std::string_view rest = text.substr(sep + 3);
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  url.path = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
  while (!url.path.empty() && url.path.back() == '/') url.path.pop_back();
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    url.host = std::string(authority.substr(0, colon));
    url.port = std::string(authority.substr(colon + 1));
    if (url.port.empty() || url.port.find_first_not_of("0123456789") != std::string::npos ||
        url.port.size() > 5 || std::stoi(url.port) == 0 || std::stoi(url.port) > 65535)
      throw std::invalid_argument("'" + std::string(text) + "': bad port '" + url.port + "'");
  } else {
    url.host = std::string(authority);
    url.port = url.tls() ? "443" : "80";
  }
  if (url.host.empty()) throw std::invalid_argument("'" + std::string(text) + "': no host");
  return url;
}

namespace {

std::string where(const std::string& path, const YAML::Node& node) {
  return path + ":" + std::to_string(node.Mark().line + 1);
}

constexpr uint64_t kMaxVenueFileBytes = uint64_t{1} << 20;

VenueConfig venue_config_from(const YAML::Node& root, const std::string& path) {
  if (!root.IsMap()) throw VenueConfigError(path + ": a venue file is a YAML mapping");
  VenueConfig c;
  c.source_file = path;
  std::set<std::string> required = {"name", "rest_url", "ws_public_url", "ws_private_url"};
  for (const auto& item : root) {
    if (!item.first.IsScalar())
      throw VenueConfigError(where(path, item.first) +
                             ": keys must be plain names (a list or mapping was given)");
    const std::string key = item.first.as<std::string>();
    const YAML::Node& v = item.second;
    auto text = [&](std::string& out) {
      if (!v.IsScalar()) throw VenueConfigError(where(path, v) + ": " + key + " must be a string");
      out = v.as<std::string>();
    };
    auto url = [&](std::string& out) {
      text(out);
      if (out.empty()) return;
      try {
        parse_url(out);
      } catch (const std::invalid_argument& e) {
        throw VenueConfigError(where(path, v) + ": " + key + ": " + e.what());
      }
    };
    auto number = [&](int64_t& out, int64_t min) {
      try {
        out = v.as<int64_t>();
      } catch (const YAML::Exception&) {
        throw VenueConfigError(where(path, v) + ": " + key + " must be an integer");
      }
      if (out < min)
        throw VenueConfigError(where(path, v) + ": " + key + " must be at least " +
                               std::to_string(min));
    };
    required.erase(key);
    int64_t attempts = 0;
    if (key == "name")
      text(c.name);
    else if (key == "rest_url")
      url(c.rest_url);
    else if (key == "ws_public_url")
      url(c.ws_public_url);
    else if (key == "ws_private_url")
      url(c.ws_private_url);
    else if (key == "ws_trade_url")
      url(c.ws_trade_url);
    else if (key == "ca_file") {
      text(c.ca_file);
      if (!c.ca_file.empty() && std::filesystem::path(c.ca_file).is_relative())
        c.ca_file = (std::filesystem::path(path).parent_path() / c.ca_file).string();
    } else if (key == "recv_window_ms")
      number(c.recv_window_ms, 1);
    else if (key == "timeout_ms")
      number(c.timeout_ms, 1);
    else if (key == "max_attempts") {
      number(attempts, 1);
      c.max_attempts = static_cast<int>(attempts);
    } else if (key == "backoff_initial_ms")
      number(c.backoff_initial_ms, 0);
    else if (key == "backoff_max_ms")
      number(c.backoff_max_ms, 0);
    else if (key == "ban_ms")
      number(c.ban_ms, 0);
    else if (key == "batch_orders") {
      try {
        c.batch_orders = v.as<bool>();
      } catch (const YAML::Exception&) {
        throw VenueConfigError(where(path, v) + ": batch_orders must be true or false");
      }
    } else
      throw VenueConfigError(where(path, item.first) + ": unknown key '" + key +
                             "' (known: name, rest_url, ws_public_url, ws_private_url, "
                             "ws_trade_url, ca_file, recv_window_ms, timeout_ms, max_attempts, "
                             "backoff_initial_ms, backoff_max_ms, ban_ms, batch_orders)");
  }
  if (!required.empty())
    throw VenueConfigError(path + ": missing required key '" + *required.begin() + "'");
  return c;
}

}  // namespace

VenueConfig load_venue_config(const std::string& path) {
  std::string text;
  try {
    text = sdk::read_regular_file(path, kMaxVenueFileBytes);  // a FIFO would block a plain open
  } catch (const sdk::FileError& e) {
    throw VenueConfigError(std::string(e.what()) + " (the venue file)");
  }
  try {
    return venue_config_from(YAML::Load(text), path);
  } catch (const YAML::Exception& e) {
    throw VenueConfigError(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

VenueConfig find_venue_config(const std::string& name_or_path,
                              const std::vector<std::string>& search_dirs) {
  namespace fs = std::filesystem;
  const bool is_path =
      name_or_path.find('/') != std::string::npos || fs::path(name_or_path).extension() == ".yaml";
  if (is_path) return load_venue_config(name_or_path);
  std::string searched;
  for (const std::string& dir : search_dirs) {
    const fs::path file = fs::path(dir) / (name_or_path + ".yaml");
    if (fs::exists(file)) return load_venue_config(file.string());
    searched += (searched.empty() ? "" : ", ") + file.string();
  }
  throw VenueConfigError("venue '" + name_or_path + "' not found (searched " +
                         (searched.empty() ? std::string("nothing") : searched) +
                         "); use mainnet, testnet, demo or a path to a venue .yaml");
}

}  // namespace mmh::bybit
