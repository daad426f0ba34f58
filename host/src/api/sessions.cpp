#include "api/sessions.hpp"

#include "app/control_socket.hpp"

#include <algorithm>
#include <regex>

namespace mmh::api {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

bool session_name(const std::string& name) {
  static const std::regex form("^[A-Za-z0-9._-]{1,200}$");
  return std::regex_match(name, form) && name != "." && name != "..";
}

}  // namespace

std::optional<fs::path> find_session(const std::vector<fs::path>& roots, const std::string& name) {
  if (!session_name(name)) return std::nullopt;
  for (const fs::path& root : roots) {
    std::error_code ec;
    const fs::path dir = root / name;
    if (fs::is_directory(dir, ec) && fs::exists(control_socket_path(dir.string()), ec)) return dir;
  }
  return std::nullopt;
}

json list_sessions(const std::vector<fs::path>& roots, int timeout_ms) {
  json sessions = json::array();
  for (const fs::path& root : roots) {
    std::error_code ec;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (!it->is_directory() || !session_name(name)) continue;
      if (!fs::exists(control_socket_path(it->path().string()))) continue;
      try {
        json status = json::parse(control_request(it->path().string(), "status", timeout_ms));
        sessions.push_back({{"name", name}, {"dir", it->path().string()}, {"status", status}});
      } catch (const std::exception&) {
        // Nothing answers: the run ended (or hangs); it is not a live session.
      }
    }
  }
  std::sort(sessions.begin(), sessions.end(),
            [](const json& a, const json& b) { return a["name"] < b["name"]; });
  return {{"sessions", sessions}};
}

}  // namespace mmh::api
