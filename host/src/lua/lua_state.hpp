// One Lua state (LuaJIT by default, PUC Lua 5.4 as a build option) with a curated library set,
// a memory cap and an instruction budget per call, and the one helper every call into Lua goes
// through: a protected call with a traceback, whose errors name the script file and line.
//
// Hostile scripts are expected. A call that passes its budget or the memory cap fails as a
// whole: from then on every instruction raises the same error, so a script's own pcall, xpcall
// or coroutine cannot catch it and go on. Nothing can install a finalizer (no newproxy, no __gc
// through setmetatable), so garbage collection never runs script code. Files load only when
// they are regular files of bounded size, and require refuses cycles.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct lua_State;
struct lua_Debug;

namespace mmh {

class ScriptError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct LuaLimits {
  static constexpr size_t kDefaultMemoryBytes = size_t{64} << 20;
  static constexpr int64_t kDefaultInstructions = 50'000'000;
  // Allocation cap of the whole state: passing it fails the running call at its next
  // instruction (file:line); an allocation that would pass it by an eighth more is refused.
  size_t memory_bytes = kDefaultMemoryBytes;
  int64_t instructions_per_call = kDefaultInstructions;  // VM instructions per protected call
};

class LuaState {
 public:
  explicit LuaState(const LuaLimits& limits = {});
  ~LuaState();
  LuaState(const LuaState&) = delete;
  LuaState& operator=(const LuaState&) = delete;

  lua_State* get() const { return L_; }

  // Loads a script file as text (bytecode is refused) and runs it; leaves `results` values on
  // the stack. Throws ScriptError with "file:line: message" and a traceback.
  void run_file(const std::string& path, int results);
  // Calls the function below `nargs` arguments on the stack, protected, with a traceback and a
  // fresh instruction budget.
  void protected_call(int nargs, int nresults);
  // The same for hot callers that push the handler themselves (push_traceback(), then the
  // function and its arguments) and pop it after: no stack shuffling per call.
  void push_traceback();
  void call_above_traceback(int handler_index, int nargs, int nresults);

  // `require(name)` loads `<lib_dir>/<name>.lua` (dots become '/') in this sandbox, once.
  // Without a lib dir, require fails with a message saying so.
  void set_lib_dir(const std::string& lib_dir);
  // Nested requires deeper than this are refused (each one holds a C stack frame).
  static constexpr size_t kMaxRequireDepth = 16;
  static constexpr uint64_t kMaxScriptBytes = uint64_t{16} << 20;
  // Files loaded through require so far (absolute paths), for reload watching.
  const std::vector<std::string>& required_files() const { return required_; }
  // SHA-256 (hex) of the bytes loaded: the last run_file's script, and each required file.
  const std::string& script_sha256() const { return chunk_sha256_; }
  const std::vector<std::string>& required_sha256() const { return required_sha256_; }

  size_t memory_used() const { return used_bytes_; }
  const LuaLimits& limits() const { return limits_; }
  // New budgets from the next call on (a script sets its own in risk.*).
  void set_limits(const LuaLimits& limits) { limits_ = limits; }
  static const char* runtime_name();

 private:
  static void* allocate(void* self, void* block, size_t old_size, size_t new_size);
  static void count_hook(lua_State* L, lua_Debug* ar);
  static int require_fn(lua_State* L);
  // Loads `file` as a text chunk named after it and gives the SHA-256 of its bytes; pushes the
  // function, or a message and false.
  bool load_chunk(lua_State* L, const std::string& file, std::string& sha256);
  // Pushes "file:line: " of the require of `module` in the innermost file being loaded (for
  // errors raised where Lua has no line: a tail call).
  void push_require_site(lua_State* L, std::string_view module);
  // Marks the running call failed with `message`: every later instruction raises it.
  void fail_call(lua_State* L, std::string message);

  LuaLimits limits_;
  size_t used_bytes_ = 0;
  int64_t instructions_ = 0;
  bool enforce_cap_ = false;      // true while script code runs
  bool over_cap_ = false;         // the running call passed the memory cap
  std::string failure_;           // why the running call failed; empty while it may go on
  std::string chunk_;             // the script run_file loaded (errors without a position name it)
  char last_position_[160] = {};  // "file:line" the hook last saw while memory ran high
  std::string lib_dir_;
  std::vector<std::string> required_;
  std::vector<std::string> required_sha256_;
  std::string chunk_sha256_;
  struct Loading {
    std::string module;
    std::string file;
  };
  std::vector<Loading> loading_;  // modules being required, outermost first
  lua_State* L_ = nullptr;
};

// Pushes t[key] without metamethods: the host reads script tables raw, so no script code runs
// outside a protected call.
void push_raw_field(lua_State* L, int table, const char* key);
// Pushes the global `name`, raw.
void push_raw_global(lua_State* L, const char* name);

}  // namespace mmh
