// mmhost plugin SDK: turns C++ classes into the C tables of <mmhost/plugin.h> and stops every
// exception at the boundary. Header-only; in-tree plugins and third parties use it alike.
//
//   class MySource {                       // a data connector
//    public:
//     MySource(const mmh::sdk::Config& config, void* host_handle);
//     bool read_batch(mmh_batch& out);     // historical: false at end of stream
//     void describe(mmh_source_info& info);        // optional
//     bool instrument(mmh_instrument& out);         // optional: false = knows none
//     void fetch_history(const mmh_fetch_request&, mmh_fetch_result&);  // optional
//   };
//   MMH_SDK_PLUGIN("my_source", "1.0.0", "What it does", mmh::sdk::data<MySource>)
//
//   class MyCore {                         // a decision core
//    public:
//     MyCore(const mmh::sdk::Config& config, void* host_handle);
//     void on_events(const mmh_batch& batch);
//     void take_decisions(mmh_batch& out);           // optional
//     void desired_state(mmh_desired_state& out);    // optional
//     void reconfigure(const mmh::sdk::Config& c);   // optional: hot reload, all or nothing
//     void snapshot(mmh_core_snapshot& out);         // optional: values scripts may read
//     void publish(mmh_core_publication& out);       // optional: metrics, chart bands, markers
//     void set_hooks(const mmh_core_hooks* hooks);   // optional: script hooks (NULL removes)
//   };
//
// A class provides only the members it supports; the SDK fills the matching callbacks and leaves
// the others NULL (detected with `requires`).
#pragma once

#include <mmhost/plugin.h>

#include <cmath>
#include <concepts>
#include <cstdio>
#include <cstring>
#include <exception>
#include <initializer_list>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace mmh::sdk {

// Thrown by plugin code to fail a call with a specific status.
class Error : public std::runtime_error {
 public:
  Error(mmh_status status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  mmh_status status() const noexcept { return status_; }

 private:
  mmh_status status_;
};

namespace detail {
struct PluginGlobals {
  const mmh_host_api* host = nullptr;
  const char* name = "?";
};
// One per shared object: plugins are built with hidden visibility, so this is never shared.
inline PluginGlobals& globals() {
  static PluginGlobals g;
  return g;
}

inline void write_error(mmh_error* err, std::string_view message) noexcept {
  if (err == nullptr) return;
  const size_t n =
      message.size() < sizeof(err->message) - 1 ? message.size() : sizeof(err->message) - 1;
  std::memcpy(err->message, message.data(), n);
  err->message[n] = '\0';
}

// Runs fn and converts every exception into a status + message.
template <class Fn>
mmh_status guard(mmh_error* err, Fn&& fn) noexcept {
  try {
    fn();
    return MMH_OK;
  } catch (const Error& e) {
    write_error(err, e.what());
    return e.status();
  } catch (const std::exception& e) {
    write_error(err, e.what());
    return MMH_ERR_INTERNAL;
  } catch (...) {
    write_error(err, "unknown exception");
    return MMH_ERR_INTERNAL;
  }
}
}  // namespace detail

inline const mmh_host_api* host() {
  return detail::globals().host;
}

// Logs through the host (never to stdout), attributed to this plugin.
inline void log(uint32_t level, const std::string& message) noexcept {
  const mmh_host_api* h = host();
  if (h != nullptr && h->log != nullptr)
    h->log(h->host, level, detail::globals().name, message.c_str());
}
inline void log_info(const std::string& m) noexcept {
  log(MMH_LOG_INFO, m);
}
inline void log_warn(const std::string& m) noexcept {
  log(MMH_LOG_WARN, m);
}
inline void log_error(const std::string& m) noexcept {
  log(MMH_LOG_ERROR, m);
}

// Host-level configuration value, or `fallback` when unset.
inline std::string host_config(const char* key, std::string fallback = {}) {
  const mmh_host_api* h = host();
  if (h == nullptr || h->host_config == nullptr) return fallback;
  const char* v = h->host_config(h->host, key);
  return v != nullptr ? std::string(v) : fallback;
}

inline int64_t now_ns() {
  const mmh_host_api* h = host();
  return h != nullptr && h->now_ns != nullptr ? h->now_ns(h->host) : 0;
}

// The instance configuration, copied out of the borrowed mmh_config.
class Config {
 public:
  Config() = default;
  explicit Config(const mmh_config* config) {
    if (config == nullptr) return;
    for (size_t i = 0; i < config->count; ++i) {
      const mmh_config_item& item = config->items[i];
      if (item.key != nullptr) values_[item.key] = item.value != nullptr ? item.value : "";
    }
  }
  bool has(const std::string& key) const { return values_.count(key) != 0; }
  std::string get(const std::string& key, const std::string& fallback = {}) const {
    auto it = values_.find(key);
    return it == values_.end() ? fallback : it->second;
  }
  std::string require(const std::string& key) const {
    auto it = values_.find(key);
    if (it == values_.end() || it->second.empty())
      throw Error(MMH_ERR_INVALID_ARGUMENT, "missing required setting '" + key + "'");
    return it->second;
  }
  int64_t get_int(const std::string& key, int64_t fallback) const {
    auto it = values_.find(key);
    if (it == values_.end()) return fallback;
    try {
      size_t used = 0;
      const long long v = std::stoll(it->second, &used);
      if (used != it->second.size()) throw std::invalid_argument("trailing characters");
      return v;
    } catch (const std::exception&) {
      throw Error(MMH_ERR_INVALID_ARGUMENT,
                  "setting '" + key + "' must be an integer, got '" + it->second + "'");
    }
  }
  double get_double(const std::string& key, double fallback) const {
    auto it = values_.find(key);
    if (it == values_.end()) return fallback;
    try {
      size_t used = 0;
      const double v = std::stod(it->second, &used);
      if (used != it->second.size() || !std::isfinite(v))
        throw std::invalid_argument("not a finite number");
      return v;
    } catch (const std::exception&) {
      throw Error(MMH_ERR_INVALID_ARGUMENT,
                  "setting '" + key + "' must be a number, got '" + it->second + "'");
    }
  }
  const std::map<std::string, std::string>& values() const { return values_; }
  // Throws INVALID_ARGUMENT naming the first setting that is neither in `known` nor starts with
  // `prefix` (when given): a misspelt setting is an error, not a silent default.
  void allow_only(std::initializer_list<std::string_view> known,
                  std::string_view prefix = {}) const {
    for (const auto& [key, value] : values_) {
      bool ok = !prefix.empty() && key.rfind(prefix, 0) == 0;
      for (std::string_view k : known) ok = ok || key == k;
      if (!ok)
        throw Error(
            MMH_ERR_INVALID_ARGUMENT,
            "unknown setting '" + key + "'" +
                (prefix.empty() ? std::string()
                                : " (parameters go in '" + std::string(prefix) + "<name>')"));
    }
  }

 private:
  std::map<std::string, std::string> values_;
};

// ---- trampolines ---------------------------------------------------------------------------

namespace detail {
template <class T>
mmh_status create(const mmh_config* config, void* host_handle, void** out_self, mmh_error* err) {
  return guard(err, [&] {
    if (out_self == nullptr) throw Error(MMH_ERR_INVALID_ARGUMENT, "out_self is NULL");
    *out_self = new T(Config(config), host_handle);
  });
}

template <class T>
void destroy(void* self) noexcept {
  try {
    delete static_cast<T*>(self);
  } catch (...) {
    // A failing destructor must not take the host down: log and leak.
    log_error("instance destructor threw; leaking it");
  }
}

// A call that cannot fail (decisions_queued, desired_version): the core's answer, or
// `kOnThrow` when it throws (nothing may be thrown across).
template <class T, auto kMember, uint64_t kOnThrow>
uint64_t answer(void* self) noexcept {
  try {
    return static_cast<uint64_t>((static_cast<const T*>(self)->*kMember)());
  } catch (...) {
    return kOnThrow;
  }
}
}  // namespace detail

template <class T>
const mmh_data_vtable* data_vtable() {
  static const mmh_data_vtable table = [] {
    mmh_data_vtable t{};
    t.size = sizeof(t);
    t.create = &detail::create<T>;
    t.destroy = &detail::destroy<T>;
    if constexpr (requires(T & s, mmh_batch & b) {
                    { s.read_batch(b) } -> std::same_as<bool>;
                  }) {
      t.read_batch = [](void* self, mmh_batch* out, mmh_error* err) -> mmh_status {
        return detail::guard(err, [&] {
          *out = mmh_batch{};
          out->size = sizeof(mmh_batch);
          if (!static_cast<T*>(self)->read_batch(*out)) out->count = 0;
        });
      };
    }
    if constexpr (requires(T & s) { s.start(); }) {
      t.start = [](void* self, mmh_error* err) -> mmh_status {
        return detail::guard(err, [&] { static_cast<T*>(self)->start(); });
      };
    }
    if constexpr (requires(T & s) { s.stop(); }) {
      t.stop = [](void* self) {
        mmh_error ignored{};
        if (detail::guard(&ignored, [&] { static_cast<T*>(self)->stop(); }) != MMH_OK)
          log_error(std::string("stop failed: ") + ignored.message);
      };
    }
    if constexpr (requires(T & s, mmh_instrument & i) {
                    { s.instrument(i) } -> std::same_as<bool>;
                  }) {
      t.instrument = [](void* self, mmh_instrument* out, mmh_error* err) -> mmh_status {
        return detail::guard(err, [&] {
          mmh_instrument local{};
          if (!static_cast<T*>(self)->instrument(local))
            throw Error(MMH_ERR_NOT_SUPPORTED, "the source knows no instrument");
          *out = local;
        });
      };
    }
    if constexpr (requires(T & s, const mmh_fetch_request& r, mmh_fetch_result& o) {
                    s.fetch_history(r, o);
                  }) {
      t.fetch_history = [](void* self, const mmh_fetch_request* request, mmh_fetch_result* out,
                           mmh_error* err) -> mmh_status {
        return detail::guard(err, [&] {
          // The caller's structs may be older (smaller): copy in and out only their prefix.
          mmh_fetch_request req{};
          std::memcpy(&req, request, request->size < sizeof(req) ? request->size : sizeof(req));
          mmh_fetch_result local{};
          local.size = sizeof(local);
          static_cast<T*>(self)->fetch_history(req, local);
          const uint32_t caller_size = out->size;
          std::memcpy(out, &local, caller_size < sizeof(local) ? caller_size : sizeof(local));
          out->size =
              caller_size < sizeof(local) ? caller_size : static_cast<uint32_t>(sizeof(local));
        });
      };
    }
    if constexpr (requires(T & s, mmh_source_info & i) { s.describe(i); }) {
      t.describe = [](void* self, mmh_source_info* info, mmh_error* err) -> mmh_status {
        return detail::guard(err, [&] {
          const uint32_t caller_size = info->size;
          mmh_source_info local{};
          local.size = sizeof(local);
          static_cast<T*>(self)->describe(local);
          // The caller may know a shorter struct (older host): copy only its prefix.
          std::memcpy(info, &local, caller_size < sizeof(local) ? caller_size : sizeof(local));
          info->size =
              caller_size < sizeof(local) ? caller_size : static_cast<uint32_t>(sizeof(local));
        });
      };
    }
    return t;
  }();
  return &table;
}

template <class T>
const mmh_venue_vtable* venue_vtable() {
  static const mmh_venue_vtable table = [] {
    mmh_venue_vtable t{};
    t.size = sizeof(t);
    t.create = &detail::create<T>;
    t.destroy = &detail::destroy<T>;
    t.submit = [](void* self, const mmh_order_command* c, mmh_error* err) -> mmh_status {
      return detail::guard(err, [&] { static_cast<T*>(self)->submit(*c); });
    };
    if constexpr (requires(T & s, const mmh_batch& b) { s.on_market(b); }) {
      t.on_market = [](void* self, const mmh_batch* b, mmh_error* err) -> mmh_status {
        return detail::guard(err, [&] { static_cast<T*>(self)->on_market(*b); });
      };
    }
    if constexpr (requires(const T& s) {
                    { s.describe() } -> std::convertible_to<std::string>;
                  }) {
      t.describe = [](void* self, char* out, size_t capacity, mmh_error* err) -> mmh_status {
        return detail::guard(err, [&] {
          if (out == nullptr || capacity == 0) throw Error(MMH_ERR_INVALID_ARGUMENT, "no buffer");
          const std::string text = static_cast<const T*>(self)->describe();
          std::snprintf(out, capacity, "%s", text.c_str());
        });
      };
    }
    if constexpr (requires(T & s) { s.start(); }) {
      t.start = [](void* self, mmh_error* err) -> mmh_status {
        return detail::guard(err, [&] { static_cast<T*>(self)->start(); });
      };
    }
    if constexpr (requires(T & s, uint32_t flags) { s.stop(flags); }) {
      t.stop = [](void* self, uint32_t flags, mmh_error* err) -> mmh_status {
        return detail::guard(err, [&] { static_cast<T*>(self)->stop(flags); });
      };
    }
    return t;
  }();
  return &table;
}

template <class T>
const mmh_core_vtable* core_vtable() {
  static const mmh_core_vtable table = [] {
    mmh_core_vtable t{};
    t.size = sizeof(t);
    t.create = &detail::create<T>;
    t.destroy = &detail::destroy<T>;
    t.on_events = [](void* self, const mmh_batch* b, mmh_error* err) -> mmh_status {
      return detail::guard(err, [&] { static_cast<T*>(self)->on_events(*b); });
    };
    if constexpr (requires(T & s, mmh_batch & b) { s.take_decisions(b); }) {
      t.take_decisions = [](void* self, mmh_batch* out, mmh_error* err) -> mmh_status {
        return detail::guard(err, [&] {
          *out = mmh_batch{};
          out->size = sizeof(mmh_batch);
          static_cast<T*>(self)->take_decisions(*out);
        });
      };
    }
    if constexpr (requires(T & s, const Config& c) { s.reconfigure(c); }) {
      t.reconfigure = [](void* self, const mmh_config* config, mmh_error* err) -> mmh_status {
        return detail::guard(err, [&] { static_cast<T*>(self)->reconfigure(Config(config)); });
      };
    }
    if constexpr (requires(T & s, mmh_desired_state & d) { s.desired_state(d); }) {
      t.desired_state = [](void* self, mmh_desired_state* out, mmh_error* err) -> mmh_status {
        return detail::guard(err, [&] {
          const uint32_t caller_size = out->size;
          if (caller_size >= sizeof(mmh_desired_state)) {
            // The host knows the whole struct (asked after every bar): written in place.
            *out = mmh_desired_state{};
            out->size = sizeof(mmh_desired_state);
            static_cast<T*>(self)->desired_state(*out);
            out->size = sizeof(mmh_desired_state);
            return;
          }
          mmh_desired_state local{};  // an older host: only its prefix is written
          local.size = sizeof(local);
          static_cast<T*>(self)->desired_state(local);
          std::memcpy(out, &local, caller_size);
          out->size = caller_size;
        });
      };
    }
    if constexpr (requires(T & s, mmh_core_snapshot & o) { s.snapshot(o); }) {
      t.snapshot = [](void* self, mmh_core_snapshot* out, mmh_error* err) -> mmh_status {
        return detail::guard(err, [&] {
          const uint32_t wanted = out->size >= sizeof(mmh_core_snapshot) ? out->wanted : 0;
          *out = mmh_core_snapshot{};
          out->size = sizeof(mmh_core_snapshot);
          out->wanted = wanted;  // the host's hint, read by the core
          static_cast<T*>(self)->snapshot(*out);
        });
      };
    }
    if constexpr (requires(const T& s) {
                    { s.event_interest() } -> std::convertible_to<uint64_t>;
                  }) {
      t.event_interest = [](void* self) -> uint64_t {
        return static_cast<const T*>(self)->event_interest();
      };
    }
    if constexpr (requires(T & s, mmh_core_publication & o) { s.publish(o); }) {
      t.publish = [](void* self, mmh_core_publication* out, mmh_error* err) -> mmh_status {
        return detail::guard(err, [&] {
          *out = mmh_core_publication{};
          out->size = sizeof(mmh_core_publication);
          static_cast<T*>(self)->publish(*out);
        });
      };
    }
    if constexpr (requires {
                    {
                      T::describe_params()
                      } -> std::convertible_to<std::span<const mmh_core_param>>;
                  }) {
      t.describe_params = [](size_t* count, const mmh_core_param** out,
                             mmh_error* err) -> mmh_status {
        return detail::guard(err, [&] {
          const std::span<const mmh_core_param> params = T::describe_params();
          *count = params.size();
          *out = params.data();
        });
      };
    }
    if constexpr (requires(const T& s) {
                    { s.decisions_queued() } -> std::convertible_to<uint64_t>;
                  }) {
      // On a throw, "some": the take that follows reports it.
      t.decisions_queued = &detail::answer<T, &T::decisions_queued, 1>;
    }
    if constexpr (requires(const T& s) {
                    { s.desired_version() } -> std::convertible_to<uint64_t>;
                  }) {
      // On a throw, 0 ("cannot say"): the host then asks for the set, which reports it.
      t.desired_version = &detail::answer<T, &T::desired_version, 0>;
    }
    if constexpr (requires(T & s, const mmh_core_hooks* h) { s.set_hooks(h); }) {
      t.set_hooks = [](void* self, const mmh_core_hooks* hooks, mmh_error* err) -> mmh_status {
        return detail::guard(err, [&] {
          if (hooks == nullptr) return static_cast<T*>(self)->set_hooks(nullptr);
          // Copy the caller's prefix; members it does not know stay NULL.
          mmh_core_hooks local{};
          std::memcpy(&local, hooks, hooks->size < sizeof(local) ? hooks->size : sizeof(local));
          local.size = sizeof(local);
          static_cast<T*>(self)->set_hooks(&local);
        });
      };
    }
    return t;
  }();
  return &table;
}

// Parts of a manifest, combined by MMH_SDK_PLUGIN.
struct Part {
  uint32_t kind = 0;
  const mmh_data_vtable* data = nullptr;
  const mmh_venue_vtable* venue = nullptr;
  const mmh_core_vtable* core = nullptr;
};
template <class T>
Part data() {
  return Part{MMH_KIND_DATA, data_vtable<T>(), nullptr, nullptr};
}
template <class T>
Part venue() {
  return Part{MMH_KIND_VENUE, nullptr, venue_vtable<T>(), nullptr};
}
template <class T>
Part core() {
  return Part{MMH_KIND_CORE, nullptr, nullptr, core_vtable<T>()};
}

// Builds the manifest once; any exception becomes a logged error and a NULL manifest.
template <class... Parts>
const mmh_plugin* init_plugin(const mmh_host_api* host_api, const char* name, const char* version,
                              const char* description, Parts (*... parts)()) noexcept {
  detail::globals().host = host_api;
  detail::globals().name = name;
  try {
    static mmh_plugin manifest = [&] {
      mmh_plugin m{};
      m.size = sizeof(m);
      m.abi_major = MMH_ABI_MAJOR;
      m.abi_minor = MMH_ABI_MINOR;
      m.name = name;
      m.version = version;
      m.description = description;
      for (const Part& p : {parts()...}) {
        m.kinds |= p.kind;
        if (p.data != nullptr) m.data = p.data;
        if (p.venue != nullptr) m.venue = p.venue;
        if (p.core != nullptr) m.core = p.core;
      }
      return m;
    }();
    return &manifest;
  } catch (const std::exception& e) {
    log_error(std::string("plugin init failed: ") + e.what());
  } catch (...) {
    log_error("plugin init failed: unknown exception");
  }
  return nullptr;
}

}  // namespace mmh::sdk

// Defines the plugin's one exported symbol. Parts: mmh::sdk::data<T>, venue<T>, core<T>.
#define MMH_SDK_PLUGIN(name, version, description, ...)                                   \
  extern "C" MMH_EXPORT const mmh_plugin* mmh_plugin_init(const mmh_host_api* host_api) { \
    return ::mmh::sdk::init_plugin(host_api, name, version, description, __VA_ARGS__);    \
  }
