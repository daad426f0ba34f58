// An instance of a data connector plugin, created with string settings and destroyed on scope
// exit. Errors from the plugin become exceptions on the host side.
#pragma once

#include "loader/plugin_loader.hpp"

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace mmh {

class PluginCallError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "plugin 'x' create failed (status 1): message" — one wording for every plugin call.
std::string plugin_call_failure(const LoadedPlugin& plugin, const char* call, mmh_status status,
                                const mmh_error& err);

// The error record of one plugin call: its size set and its message empty, the rest left as
// is (zeroing 1 KiB per call cost more than some calls; several run per bar). Whatever the
// plugin leaves, a failure's message is read only up to its NUL or the capacity
// (error_message()).
struct CallError : mmh_error {
  CallError() {
    size = sizeof(mmh_error);
    message[0] = '\0';
  }
};
std::string error_message(const mmh_error& err);

// String settings as the borrowed mmh_config a plugin's create() reads; lives as long as this.
class PluginConfig {
 public:
  explicit PluginConfig(const std::map<std::string, std::string>& settings);
  const mmh_config* get() const { return &config_; }

 private:
  std::vector<mmh_config_item> items_;
  mmh_config config_{};
};

class DataInstance {
 public:
  DataInstance(const LoadedPlugin& plugin, const std::map<std::string, std::string>& settings);
  ~DataInstance();
  DataInstance(const DataInstance&) = delete;
  DataInstance& operator=(const DataInstance&) = delete;

  // False at end of stream. Throws PluginCallError with the plugin's message.
  bool read_batch(mmh_batch& out);
  bool can_read() const { return plugin_.data.read_batch != nullptr; }
  // Live sources: start pushing (through the host's post_batch, tagged with handle()) and stop.
  // start() throws PluginCallError; stop() is idempotent.
  void start();
  void stop();
  const void* handle() const { return this; }
  // The plugin's own instance, for calls the host makes directly (fetch_history).
  void* self() const { return self_; }
  // Zeroed info when the plugin does not describe itself.
  mmh_source_info describe();
  // The symbol's trading rules as the source knows them (ABI 1.2); nullopt when it knows none
  // or predates the call. Throws PluginCallError when the source fails to say.
  std::optional<mmh_instrument> instrument();
  const LoadedPlugin& plugin() const { return plugin_; }

 private:
  const LoadedPlugin& plugin_;
  void* self_ = nullptr;
  bool started_ = false;
};

}  // namespace mmh
