#include "app/event_line.hpp"

#include "app/format.hpp"

#include <mmhost/sdk/fixed_point.hpp>
#include <mmhost/sdk/hash.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <charconv>
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

int64_t get_i64(const char* p) {
  int64_t v = 0;
  std::memcpy(&v, p, 8);
  return v;
}

// is_event_key_char as a table: the renderer asks it of every key byte.
constexpr std::array<bool, 256> kEventKeyChar = [] {
  std::array<bool, 256> table{};
  for (size_t c = 0; c < table.size(); ++c) table[c] = is_event_key_char(static_cast<char>(c));
  return table;
}();

// `out` grown to hold `extra` more bytes at `at` (doubling); base and end follow it.
[[gnu::noinline]] char* grow_room(std::string& out, char*& base, char*& end, char* at,
                                  size_t extra) {
  const auto used = static_cast<size_t>(at - base);
  out.resize(std::max(2 * out.size(), used + extra));
  base = out.data();
  end = base + out.size();
  return base + used;
}

[[noreturn]] void not_records(size_t at) {
  throw std::runtime_error("event records: malformed at byte " + std::to_string(at));
}

}  // namespace

void append_event_lines(std::string_view records, std::string& out, size_t& used) {
  const char* const begin = records.data();
  const char* const end = begin + records.size();
  const char* p = begin;
  // The text is written through a local cursor into `out`'s room and its length stored once at
  // the end (a byte store may alias `out` and `used`: kept in memory, they were reloaded after
  // every field). Room for a field's text: its key, quotes and separators, and the longest
  // value form. The buffer grows and never shrinks: no zero-filling of room a field does not use.
  char* base = out.data();
  char* room_end = base + out.size();
  char* q = base + used;
  auto room = [&out, &base, &room_end](char* at, size_t extra) {
    if (static_cast<size_t>(room_end - at) < extra) [[unlikely]]
      at = grow_room(out, base, room_end, at, extra);
    return at;
  };
  // Most records share their time with the record before (a bar's commands, a fill's updates):
  // the last time and the last integer (mostly the same ts_ns) are rendered once.
  KeptText<int64_t, kIsoTimeMaxChars> last_time, last_int;
  auto put = [](char* to, std::string_view text) {
    static_assert(kIsoTimeMaxChars >= 32);
    if (text.size() <= 32) {  // a field's room holds 32 (kIsoTimeMaxChars): one fixed copy
      std::memcpy(to, text.data(), 32);
      return to + text.size();
    }
    return std::copy_n(text.data(), text.size(), to);
  };
  while (p != end) {
    q = room(q, 1);
    *q++ = '{';
    bool first = true;
    while (true) {
      if (p == end) not_records(static_cast<size_t>(p - begin));
      if (*p == '\n') {
        ++p;
        break;
      }
      const char* key = p;
      while (p != end && kEventKeyChar[static_cast<unsigned char>(*p)]) ++p;
      if (p == end || p == key) not_records(static_cast<size_t>(p - begin));
      const auto key_size = static_cast<size_t>(p - key);
      const char type = *p++;
      const size_t value_size = type == 'S' ? 4 : type == 'B' ? 1 : 8;
      if (static_cast<size_t>(end - p) < value_size) not_records(static_cast<size_t>(p - begin));
      uint32_t text_size = 0;
      if (type == 'S') {
        std::memcpy(&text_size, p, 4);
        if (static_cast<size_t>(end - p) - 4 < text_size)
          not_records(static_cast<size_t>(p - begin));
      }
      q = room(q, key_size + 6 + std::max<size_t>(kIsoTimeMaxChars, 6 * size_t{text_size}));
      if (!first) *q++ = ',';
      first = false;
      *q++ = '"';
      if (key_size <= 16 && end - key >= 16) {  // keys are short: one fixed copy into the room
        std::memcpy(q, key, 16);
        q += key_size;
      } else {
        q = std::copy_n(key, key_size, q);
      }
      *q++ = '"';
      *q++ = ':';
      switch (type) {
        case 'S':
          *q++ = '"';
          q = write_json_escaped(q, std::string_view(p + 4, text_size), end);
          *q++ = '"';
          p += 4 + text_size;
          break;
        case 'T':
          *q++ = '"';
          q = put(q, last_time.of(get_i64(p), write_iso_time));
          *q++ = '"';
          p += 8;
          break;
        case 'D':
          *q++ = '"';
          q = sdk::write_e8(q, get_i64(p));
          *q++ = '"';
          p += 8;
          break;
        case 'I':
          q = put(q, last_int.of(get_i64(p), [](char* t, int64_t v) {
            return std::to_chars(t, t + 24, v).ptr;
          }));
          p += 8;
          break;
        case 'B':
          q = *p != 0 ? std::copy_n("true", 4, q) : std::copy_n("false", 5, q);
          p += 1;
          break;
        default:
          not_records(static_cast<size_t>(p - 1 - begin));
      }
    }
    q = room(q, 2);
    *q++ = '}';
    *q++ = '\n';
  }
  used = static_cast<size_t>(q - base);
}

void append_event_lines(std::string_view records, std::string& out) {
  size_t used = out.size();
  append_event_lines(records, out, used);
  out.resize(used);
}

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
