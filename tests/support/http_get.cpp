#include "http_get.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace mmh::test {

std::pair<int, std::string> http_request(
    const std::string& url, const char* method, const std::string& body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  const std::string rest = url.substr(url.find("//") + 2);
  const std::string host_port = rest.substr(0, rest.find('/'));
  const std::string target = rest.substr(rest.find('/'));
  boost::asio::io_context io;
  boost::asio::ip::tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  stream.connect(resolver.resolve(host_port.substr(0, host_port.rfind(':')),
                                  host_port.substr(host_port.rfind(':') + 1)));
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, host_port);
  for (const auto& [name, value] : headers) req.set(name, value);
  if (!body.empty() || std::string(method) == "POST") {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
  }
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1ull << 30);
  http::read(stream, buffer, parser);
  auto& res = parser.get();
  return {static_cast<int>(res.result_int()), res.body()};
}

}  // namespace mmh::test
