#include "loader/data_instance.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <string>

TEST_CASE("call error: size set, message empty, a message read only to its NUL or capacity") {
  mmh::CallError err;
  CHECK(err.size == sizeof(mmh_error));
  CHECK(mmh::error_message(err).empty());
  std::memcpy(err.message, "bad\0junk", 8);
  CHECK(mmh::error_message(err) == "bad");
  // A plugin that fills the whole buffer without a NUL: the capacity ends the message.
  std::memset(err.message, 'x', sizeof(err.message));
  CHECK(mmh::error_message(err) == std::string(sizeof(err.message), 'x'));
  mmh::LoadedPlugin plugin;
  plugin.name = "p";
  const std::string text = mmh::plugin_call_failure(plugin, "on_events", MMH_ERR_DATA, err);
  CHECK(text.rfind("plugin 'p' on_events failed (status ", 0) == 0);
  CHECK(text.size() < 1200);
  err.message[0] = '\0';
  CHECK(mmh::plugin_call_failure(plugin, "on_events", MMH_ERR_DATA, err).find("no message") !=
        std::string::npos);
}
