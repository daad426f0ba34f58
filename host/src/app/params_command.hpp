// `mmhost params`: the tunables of a core plugin (ABI 1.4 describe_params) — name, type, unit,
// default, the range the core accepts and what each means — as a table or as JSON (the form of
// `mmhost serve`'s New run page reads the JSON).
#pragma once

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>

namespace mmh {

class HostContext;

// {"core": NAME, "version": V, "params": [{"name","type","unit","meaning","default","min","max"}]}
// (min/max absent when the core states none). Throws UsageError for an unknown core or one
// that describes nothing.
nlohmann::json core_params_json(HostContext& host, const std::string& core);

int run_params_command(HostContext& host, const std::string& core, bool json, std::ostream& out);

}  // namespace mmh
