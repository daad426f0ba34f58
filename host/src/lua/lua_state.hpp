// One Lua state (LuaJIT by default, PUC Lua 5.4 as a build option) with a curated library set,
// and the one helper every call into Lua goes through: a protected call with a traceback, whose
// errors name the script file and line.
#pragma once

#include <stdexcept>
#include <string>

struct lua_State;

namespace mmh {

class ScriptError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class LuaState {
 public:
  LuaState();
  ~LuaState();
  LuaState(const LuaState&) = delete;
  LuaState& operator=(const LuaState&) = delete;

  lua_State* get() const { return L_; }

  // Loads and runs a script file; leaves `results` values on the stack. Throws ScriptError with
  // "file:line: message" and a traceback.
  void run_file(const std::string& path, int results);
  // Calls the function below `nargs` arguments on the stack, protected, with a traceback.
  void protected_call(int nargs, int nresults);

  static const char* runtime_name();

 private:
  lua_State* L_;
};

}  // namespace mmh
