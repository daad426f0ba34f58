#include "app/logging.hpp"

#include "app/format.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <spdlog/pattern_formatter.h>

#include <stdexcept>

namespace mmh {
namespace {

// %Q: the message, escaped as the contents of a JSON string.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string escaped =
        json_escape(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(escaped.data(), escaped.data() + escaped.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

}  // namespace

void setup_logging(const LogSettings& settings) {
  const spdlog::level::level_enum level = spdlog::level::from_str(settings.level);
  // from_str maps unknown names to "off"; only "off" itself may mean off.
  if (level == spdlog::level::off && settings.level != "off")
    throw std::invalid_argument("log level '" + settings.level +
                                "' is not one of trace, debug, info, warn, error, off");
  std::string pattern;
  if (settings.format == "text") {
    pattern = "%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %v";
  } else if (settings.format == "json") {
    pattern = R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","msg":"%Q"})";
  } else {
    throw std::invalid_argument("log format '" + settings.format + "' is not one of text, json");
  }
  std::vector<spdlog::sink_ptr> sinks;
  sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  if (!settings.file.empty())
    sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(settings.file));
  auto logger = std::make_shared<spdlog::logger>("mmhost", sinks.begin(), sinks.end());
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<JsonMessageFlag>('Q').set_pattern(pattern);
  logger->set_formatter(std::move(formatter));
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

}  // namespace mmh
