// serve/server.hpp - the HTTP/1.1 layer of `vram serve` (Boost.Beast): accept, read one request
// with bounded size and time, hand it to Api, write the answer; SIGINT/SIGTERM stop it.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <string>

#include "api.hpp"

namespace vram::cli::serve {

struct ServerOptions {
    std::string host = "127.0.0.1";
    unsigned short port = 8080;   ///< 0: any free port (the line printed at start names it)
    unsigned threads = 4;         ///< connections served at once (requests to the engine queue)
    unsigned max_connections = 64;
};

/// Serves until SIGINT or SIGTERM. `on_listening` gets the URL once the socket is bound.
/// Returns 0 after a clean stop; throws UsageError when the address cannot be bound.
int run_server(Api& api, const ServerOptions& options, const std::function<void(const std::string&)>& on_listening);

/// Whether `host` names only this machine (127.0.0.0/8, ::1, localhost).
bool is_loopback(const std::string& host);

}  // namespace vram::cli::serve
