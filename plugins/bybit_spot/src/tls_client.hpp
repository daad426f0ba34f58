// TLS for the connector's HTTPS and WSS clients: a client context that verifies the server's
// certificate against the system store or one CA file (tests), and per connection the SNI name
// and the host-name check against the certificate (its IP SAN for an address).
#pragma once

#include <boost/asio/ssl.hpp>

#include <memory>
#include <string>

namespace mmh::bybit {

// Throws BybitError (transport) when the trust store or the CA file cannot be loaded.
std::unique_ptr<boost::asio::ssl::context> make_client_tls_context(const std::string& ca_file);

// SNI (not for IP literals) on `ssl`, the name Bybit's load balancers route by.
void set_server_name(SSL* ssl, const std::string& host);

// Before the handshake of an ssl stream (asio or beast) to `host`.
template <typename SslStream>
void prepare_client_tls(SslStream& stream, const std::string& host) {
  set_server_name(stream.native_handle(), host);
  stream.set_verify_callback(boost::asio::ssl::host_name_verification(host));
}

}  // namespace mmh::bybit
