#include "tls_client.hpp"

#include "bybit_error.hpp"

#include <boost/asio/ip/address.hpp>

namespace mmh::bybit {

namespace ssl = boost::asio::ssl;

std::unique_ptr<ssl::context> make_client_tls_context(const std::string& ca_file) {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  context->set_verify_mode(ssl::verify_peer, ec);
  if (!ec) {
    if (ca_file.empty())
      context->set_default_verify_paths(ec);
    else
      context->load_verify_file(ca_file, ec);
  }
  if (ec)
    throw BybitError(ErrorKind::transport,
                     "TLS setup failed" + (ca_file.empty() ? "" : " (CA file " + ca_file + ")") +
                         ": " + ec.message());
  return context;
}

void set_server_name(SSL* ssl, const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  if (!ec) return;  // an IP literal: no SNI
  // SSL_set_tlsext_host_name without its C cast.
  if (SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(host.c_str())) != 1)
    throw BybitError(ErrorKind::transport, host + ": cannot set the TLS server name");
}

}  // namespace mmh::bybit
