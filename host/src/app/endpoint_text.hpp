// "HOST:PORT", "[v6]:PORT" or "PORT" (loopback) as a TCP endpoint, for the servers' --listen and
// --metrics options: numeric addresses only (a name would resolve differently tomorrow).
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <optional>
#include <string>

namespace mmh {

// nullopt when `text` is not of those forms or the port is over 65535.
std::optional<boost::asio::ip::tcp::endpoint> parse_endpoint(const std::string& text);

// "http://127.0.0.1:8080" for a bound endpoint ("[::1]" for IPv6).
std::string http_origin(const boost::asio::ip::tcp::endpoint& bound);

}  // namespace mmh
