// The `mmhost` table strategy scripts see: mmhost.strategy{...}, mmhost.log.{debug,info,warn,
// error}, mmhost.now(), mmhost.state (plain data that survives reloads), mmhost.metric(name,
// value), and read-only views of the core's values (mmhost.structure.atr, mmhost.pnl.equity,
// ...). Views read the host's current snapshot when indexed; nothing is copied into Lua tables.
#pragma once

#include <mmhost/plugin.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

struct lua_State;

namespace mmh {

class LuaState;

// A core's named values ("structure.atr"), indexed by group and key. Values are borrowed from
// the core until the next assign().
class CoreValues {
 public:
  void assign(const mmh_core_value* values, size_t count);
  // "" group = the root ("state", "policy").
  const mmh_core_value* find(std::string_view group, std::string_view key) const;
  const std::vector<std::string>& groups() const { return groups_; }
  // Names in `group`, for error messages.
  std::vector<std::string> keys(std::string_view group) const;
  bool empty() const { return count_ == 0; }

 private:
  const mmh_core_value* values_ = nullptr;
  size_t count_ = 0;
  std::vector<const char*> name_ptrs_;  // the names the index was built for
  std::map<std::string, std::map<std::string, size_t, std::less<>>, std::less<>> index_;
  std::vector<std::string> groups_;
};

// What the views, now() and metric() read from and write to.
class ScriptHost {
 public:
  virtual ~ScriptHost() = default;
  virtual int64_t now_ns() const = 0;
  // The core's values as of now; nullptr when there is no core (views then raise an error).
  virtual const CoreValues* values() = 0;
  virtual void metric(std::string_view name, double value) = 0;
};

// Installs the global `mmhost` in `lua`. `host` may be nullptr while only validating a script
// (now() is 0, metric() is ignored, views raise "no core is running"). `script_name` prefixes
// log lines.
void install_script_api(LuaState& lua, ScriptHost* host, const std::string& script_name);

// Replaces the host of an installed API (the same Lua state moves to a new owner).
void set_script_host(lua_State* L, ScriptHost* host);

// Pushes the root view (what callbacks get as `ctx`).
void push_root_view(lua_State* L);

// Copies plain data (nil, booleans, numbers, strings, tables of them; functions and userdata
// are left out) from the value at `index` of `from` onto the top of `to`. Shared tables are
// copied once; depth is capped at 32.
void copy_plain_value(lua_State* from, int index, lua_State* to);

}  // namespace mmh
