// Edits to the state machine's edge table as text, so a strategy script can change guards and
// add edges through the plugin's flat string configuration (the `transitions` parameter):
//
//   mm.bearish_bos: all=bearish_bos|holding_base; mm.timeout: off;
//   mm.script_exit: to=exit all=holding_base script=true
//
// Each edit names an edge by `from.reason`. An existing edge keeps what the edit does not set;
// a new edge needs `to` and is tried after the existing edges of its state, in the order given.
// `off` removes the edge. Fact lists are names joined by '|' (empty clears the list).
#pragma once

#include "state_machine.hpp"

#include <string>
#include <string_view>

namespace mmh::bos {

// Applies `text` to `table` in order. Throws std::invalid_argument naming the edit (bad state,
// unknown fact with a suggestion, unknown key, removing an edge that does not exist). The table
// is validated by its user (StateMachine), not here.
void apply_transition_edits(TransitionTable& table, std::string_view text);

// The edit that turns nothing into `edge` ("mm.bearish_bos: to=exit all=bearish_bos ...").
std::string describe_edge(const Edge& edge);

}  // namespace mmh::bos
