#include "app/event_line.hpp"

#include <mmhost/sdk/hash.hpp>

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

namespace mmh {
namespace {

void put_key(std::string& r, std::string_view key, char type) {
  r.append(key);
  r.push_back(type);
}

void put_i64(std::string& r, int64_t v) {
  char bytes[8];
  std::memcpy(bytes, &v, 8);
  r.append(bytes, 8);
}

}  // namespace

uint64_t event_hash_of_lines(std::istream& in, uint64_t* events) {
  sdk::Hash64 hash;
  std::string line, record;
  uint64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    const auto fail = [&](const std::string& why) {
      throw std::runtime_error("line " + std::to_string(n) + ": " + why);
    };
    nlohmann::ordered_json e;
    try {
      e = nlohmann::ordered_json::parse(line);
    } catch (const nlohmann::json::exception&) {
      fail("not JSON");
    }
    if (!e.is_object() || !e.contains("ts_ns") || !e["ts_ns"].is_number_integer())
      fail("not an event (an object with ts_ns)");
    const int64_t ts_ns = e["ts_ns"].get<int64_t>();
    record.clear();
    for (auto it = e.begin(); it != e.end(); ++it) {
      const std::string& key = it.key();
      const nlohmann::ordered_json& v = it.value();
      if (key == "time") {
        put_key(record, key, 'T');
        put_i64(record, ts_ns);
      } else if (v.is_boolean()) {
        put_key(record, key, 'B');
        record.push_back(v.get<bool>() ? 1 : 0);
      } else if (v.is_number_integer()) {
        put_key(record, key, 'I');
        put_i64(record, v.get<int64_t>());
      } else if (v.is_string() && is_decimal_field(key)) {
        int64_t e8 = 0;
        if (sdk::parse_e8(v.get_ref<const std::string&>(), e8) != sdk::ParseDecimal::ok)
          fail(key + " is not a decimal with at most 8 places");
        put_key(record, key, 'D');
        put_i64(record, e8);
      } else if (v.is_string()) {
        const std::string& text = v.get_ref<const std::string&>();
        put_key(record, key, 'S');
        const auto len = static_cast<uint32_t>(text.size());
        char bytes[4];
        std::memcpy(bytes, &len, 4);
        record.append(bytes, 4);
        record.append(text);
      } else {
        fail(key + " is neither a string, an integer nor a flag");
      }
    }
    record.push_back('\n');
    hash.add(record);
  }
  if (events != nullptr) *events = n;
  return hash.value();
}

}  // namespace mmh
