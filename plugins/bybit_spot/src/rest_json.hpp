// The REST envelope check shared by the response parsers (rest_response.cpp, private_message.cpp):
// parse the body, require an object with retCode 0 (else a BybitError of kind exchange carrying
// the code) and return its `result` object. Internal to the connector library.
#pragma once

#include <simdjson.h>

#include <string_view>

namespace mmh::bybit {

// The parsed top-level object; BybitError(parse) when the body is not a JSON object.
simdjson::dom::element parse_json_object(simdjson::dom::parser& parser, std::string_view body,
                                         const char* what);
// result of a retCode 0 envelope.
simdjson::dom::element ok_result(simdjson::dom::parser& parser, std::string_view body);
// result.list of a retCode 0 envelope (`what` names it in errors); `result` receives the result
// object when given (paging cursors live there).
simdjson::dom::array ok_list(simdjson::dom::parser& parser, std::string_view body, const char* what,
                             simdjson::dom::element* result = nullptr);

}  // namespace mmh::bybit
