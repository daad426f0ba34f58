// A one-shot HTTP/1.1 request to a loopback server (metrics pages, webhooks) for tests and the
// soak's fake exchange: Boost.Beast, synchronous, no TLS. Defined in http_get.cpp so the test
// files that call it do not each compile Beast.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace mmh::test {

// GET (or another method) of an http://127.0.0.1:PORT/path URL: status code and body (read to
// the end: a server-sent event stream is read until the server closes it).
std::pair<int, std::string> http_request(
    const std::string& url, const char* method = "GET", const std::string& body = "",
    const std::vector<std::pair<std::string, std::string>>& headers = {});

}  // namespace mmh::test
