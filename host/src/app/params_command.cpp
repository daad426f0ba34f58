#include "app/params_command.hpp"

#include "app/host_context.hpp"
#include "app/run_command.hpp"
#include "loader/data_instance.hpp"

#include <cmath>
#include <cstddef>
#include <cstdio>

namespace mmh {

using json = nlohmann::json;

json core_params_json(HostContext& host, const std::string& core) {
  const LoadedPlugin* plugin = nullptr;
  if (core.empty()) {
    for (const LoadedPlugin& p : host.plugins().plugins())
      if ((p.kinds & MMH_KIND_CORE) != 0 && plugin == nullptr) plugin = &p;
  } else {
    plugin = host.plugins().find(core, MMH_KIND_CORE);
  }
  if (plugin == nullptr)
    throw UsageError("params: no core plugin" + (core.empty() ? "" : " '" + core + "'") +
                     " (see `mmhost plugins`)");
  if (plugin->core.size < offsetof(mmh_core_vtable, describe_params) + sizeof(void*) ||
      plugin->core.describe_params == nullptr)
    throw UsageError("params: the " + plugin->name +
                     " core does not describe its parameters (ABI 1.4 describe_params)");
  size_t count = 0;
  const mmh_core_param* params = nullptr;
  CallError err;
  if (plugin->core.describe_params(&count, &params, &err) != MMH_OK)
    throw RunError("params: " + plugin->name + ": " + error_message(err));
  json list = json::array();
  auto text = [](const char* s) { return s == nullptr ? std::string() : std::string(s); };
  for (size_t i = 0; i < count; ++i) {
    const mmh_core_param& p = params[i];
    json j = {{"name", text(p.name)},
              {"type", text(p.type)},
              {"unit", text(p.unit)},
              {"meaning", text(p.meaning)},
              {"default", text(p.default_value)}};
    if (!std::isnan(p.min)) j["min"] = p.min;
    if (!std::isnan(p.max)) j["max"] = p.max;
    list.push_back(std::move(j));
  }
  return {{"core", plugin->name}, {"version", plugin->version}, {"params", list}};
}

int run_params_command(HostContext& host, const std::string& core, bool as_json,
                       std::ostream& out) {
  const json catalog = core_params_json(host, core);
  if (as_json) {
    out << catalog.dump() << "\n";
    return 0;
  }
  out << "core " << catalog["core"].get<std::string>() << " "
      << catalog["version"].get<std::string>() << ": " << catalog["params"].size()
      << " parameters (set them in a strategy, or with --set NAME=VALUE)\n";
  char line[512];
  std::snprintf(line, sizeof line, "%-36s %-8s %-12s %-22s %s\n", "name", "type", "default",
                "range", "unit: meaning");
  out << line;
  for (const json& p : catalog["params"]) {
    std::string range = "-";
    if (p.contains("min") && p.contains("max")) {
      char r[64];
      std::snprintf(r, sizeof r, "[%g, %g]", p["min"].get<double>(), p["max"].get<double>());
      range = r;
    }
    std::snprintf(line, sizeof line, "%-36s %-8s %-12s %-22s %s: %s\n",
                  p["name"].get<std::string>().c_str(), p["type"].get<std::string>().c_str(),
                  p["default"].get<std::string>().c_str(), range.c_str(),
                  p["unit"].get<std::string>().c_str(), p["meaning"].get<std::string>().c_str());
    out << line;
  }
  return 0;
}

}  // namespace mmh
