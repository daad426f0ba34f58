#include "transition_edits.hpp"

#include <mmhost/sdk/suggest.hpp>

#include <array>
#include <stdexcept>
#include <vector>

namespace mmh::bos {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

[[noreturn]] void fail(std::string_view edit, const std::string& what) {
  throw std::invalid_argument("transitions: " + std::string(edit) + ": " + what);
}

State state_named(std::string_view edit, std::string_view name) {
  State s{};
  if (!parse_state(name, s))
    fail(edit, "'" + std::string(name) + "' is not a state (idle, bos, rebalance, mm, exit)");
  return s;
}

uint32_t facts_named(std::string_view edit, std::string_view list) {
  uint32_t mask = 0;
  while (!list.empty()) {
    const size_t bar = list.find('|');
    const std::string_view name = trim(list.substr(0, bar));
    list = bar == std::string_view::npos ? std::string_view{} : list.substr(bar + 1);
    if (name.empty()) continue;
    const uint32_t bit = parse_fact(name);
    if (bit == 0) {
      std::vector<std::string_view> names;
      for (int i = 0; i < kFactCount; ++i) names.push_back(fact_name(1u << i));
      const std::string guess = sdk::closest_name(name, names);
      fail(edit, "unknown fact '" + std::string(name) + "'" +
                     (guess.empty() ? "" : " (did you mean '" + guess + "'?)"));
    }
    mask |= bit;
  }
  return mask;
}

void apply_one(TransitionTable& table, std::string_view edit) {
  const size_t colon = edit.find(':');
  const std::string_view name = trim(edit.substr(0, colon));
  const size_t dot = name.find('.');
  if (colon == std::string_view::npos || dot == std::string_view::npos)
    fail(edit, "expected 'from.reason: ...' (e.g. 'mm.bearish_bos: all=bearish_bos')");
  const State from = state_named(edit, name.substr(0, dot));
  const std::string reason(name.substr(dot + 1));
  std::string_view items = trim(edit.substr(colon + 1));

  if (items == "off") {
    if (!table.remove(from, reason)) fail(edit, "no edge " + std::string(name) + " to remove");
    return;
  }
  Edge* existing = table.find(from, reason);
  Edge edge = existing != nullptr ? *existing : Edge{};
  edge.from = from;
  edge.reason = reason;
  bool has_to = existing != nullptr;
  while (!items.empty()) {
    const size_t space = items.find(' ');
    const std::string_view item = items.substr(0, space);
    items = space == std::string_view::npos ? std::string_view{} : trim(items.substr(space + 1));
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos)
      fail(edit, "expected key=value, got '" + std::string(item) + "'");
    const std::string_view key = item.substr(0, eq);
    const std::string_view value = item.substr(eq + 1);
    if (key == "to") {
      edge.to = state_named(edit, value);
      has_to = true;
    } else if (key == "all") {
      edge.all = facts_named(edit, value);
    } else if (key == "none") {
      edge.none = facts_named(edit, value);
    } else if (key == "any") {
      edge.any = facts_named(edit, value);
    } else if (key == "script") {
      if (value != "true" && value != "false") fail(edit, "script must be true or false");
      edge.scripted = value == "true";
    } else {
      static constexpr std::array<std::string_view, 5> kKeys = {"to", "all", "none", "any",
                                                                "script"};
      const std::string guess = sdk::closest_name(key, kKeys);
      fail(edit, "unknown key '" + std::string(key) + "'" +
                     (guess.empty() ? "" : " (did you mean '" + guess + "'?)"));
    }
  }
  if (!has_to) fail(edit, "a new edge needs to=<state>");
  if (existing != nullptr)
    *existing = edge;
  else
    table.add(edge);
}

}  // namespace

void apply_transition_edits(TransitionTable& table, std::string_view text) {
  while (!text.empty()) {
    const size_t semi = text.find(';');
    const std::string_view edit = trim(text.substr(0, semi));
    text = semi == std::string_view::npos ? std::string_view{} : text.substr(semi + 1);
    if (!edit.empty()) apply_one(table, edit);
  }
}

std::string describe_edge(const Edge& e) {
  auto list = [](uint32_t facts) { return describe_facts(facts); };
  std::string out = std::string(to_string(e.from)) + "." + e.reason + ": to=" + to_string(e.to);
  if (e.all != 0) out += " all=" + list(e.all);
  if (e.none != 0) out += " none=" + list(e.none);
  if (e.any != 0) out += " any=" + list(e.any);
  if (e.scripted) out += " script=true";
  return out;
}

}  // namespace mmh::bos
