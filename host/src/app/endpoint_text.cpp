#include "app/endpoint_text.hpp"

#include <charconv>

namespace mmh {

std::optional<boost::asio::ip::tcp::endpoint> parse_endpoint(const std::string& text) {
  std::string host = "127.0.0.1";
  std::string port_text = text;
  const size_t colon = text.rfind(':');
  if (colon != std::string::npos) {
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
  }
  unsigned port = 0;
  const auto parsed = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  boost::system::error_code ec;
  const boost::asio::ip::address ip = boost::asio::ip::make_address(host, ec);
  if (parsed.ec != std::errc() || parsed.ptr != port_text.data() + port_text.size() ||
      port > 65535 || ec)
    return std::nullopt;
  return boost::asio::ip::tcp::endpoint(ip, static_cast<unsigned short>(port));
}

std::string http_origin(const boost::asio::ip::tcp::endpoint& bound) {
  const std::string shown = bound.address().is_v6() ? "[" + bound.address().to_string() + "]"
                                                    : bound.address().to_string();
  return "http://" + shown + ":" + std::to_string(bound.port());
}

}  // namespace mmh
