// Paper, live and paced-replay runs seen by `mmhost serve` (the Live page): every run directory
// directly under the session directories (`--sessions DIR`, default runs/) with a control socket
// that answers. Their status and the halt / reduce / resume commands go through that socket, as
// `mmhost status|halt|reduce|resume RUN_DIR` do.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace mmh::api {

// {"sessions": [{"name", "dir", "status": {...the run's status answer...}}]}, by name; a socket
// that does not answer within `timeout_ms` is left out (the run ended or hangs).
nlohmann::json list_sessions(const std::vector<std::filesystem::path>& roots, int timeout_ms);

// The run directory of session `name` (a directory name under one of the roots with a control
// socket), or nothing: a name is never a path.
std::optional<std::filesystem::path> find_session(const std::vector<std::filesystem::path>& roots,
                                                  const std::string& name);

}  // namespace mmh::api
