// serve/server.cpp - Boost.Beast on a small pool of threads, one coroutine per connection.
// Every read has a deadline (a slow or silent client is dropped), bodies are capped before they
// are read (413), and at most max_connections sockets are open at once.
// SPDX-License-Identifier: Apache-2.0
#include "server.hpp"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <string_view>
#include <thread>
#include <vector>

#include "vram/error.hpp"
#include "vram/version.hpp"

namespace vram::cli::serve {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// A request must arrive whole within this time; a response must be taken within it.
constexpr std::chrono::seconds kIoTimeout{30};

http::response<http::string_body> make_response(const Response& r, unsigned version, bool keep_alive, bool head) {
    http::response<http::string_body> res{static_cast<http::status>(r.status), version};
    res.set(http::field::server, "vram/" VRAM_VERSION_STRING);
    res.set(http::field::content_type, r.content_type);
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Referrer-Policy", "no-referrer");
    res.set(http::field::cache_control, "no-store");
    if (r.content_type.rfind("text/html", 0) == 0) {
        // The page runs only its own files; reports rendered as HTML keep their inline script.
        res.set("Content-Security-Policy",
                "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
                "img-src 'self' data:; frame-ancestors 'none'");
    }
    res.keep_alive(keep_alive);
    res.body() = head ? std::string() : r.body;
    res.prepare_payload();
    if (head) res.content_length(r.body.size());
    return res;
}

class Connections {
public:
    explicit Connections(unsigned max) : max_(max) {}
    bool enter() {
        if (open_.fetch_add(1) >= max_) {
            open_.fetch_sub(1);
            return false;
        }
        return true;
    }
    void leave() { open_.fetch_sub(1); }

private:
    unsigned max_;
    std::atomic<unsigned> open_{0};
};

// The host part of a Host header ("localhost:8080" -> "localhost", "[::1]:80" -> "::1").
std::string host_name(std::string_view header) {
    if (!header.empty() && header.front() == '[') {
        const auto close = header.find(']');
        return std::string(header.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
    }
    return std::string(header.substr(0, header.find(':')));
}

asio::awaitable<void> session(tcp::socket socket, Api& api, Connections& connections, bool loopback_only) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(kMaxBodyBytes);
        parser.header_limit(16 * 1024);
        stream.expires_after(kIoTimeout);
        auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
        (void)n;
        if (ec == http::error::body_limit) {
            const Response too_big{413, "application/json",
                                   error_json("the body is larger than " + std::to_string(kMaxBodyBytes) +
                                                  " bytes; scenarios are a few KiB",
                                              {})};
            auto res = make_response(too_big, 11, false, false);
            stream.expires_after(kIoTimeout);
            co_await http::async_write(stream, res, use_tuple);
            // Read what the client still sends (up to a bound) before closing, so it sees the
            // 413 instead of a connection reset.
            stream.socket().shutdown(tcp::socket::shutdown_send, ec);
            std::vector<char> sink(64 * 1024);
            std::size_t drained = 0;
            stream.expires_after(std::chrono::seconds(5));
            while (drained < 64 * kMaxBodyBytes) {
                auto [rec, got] = co_await stream.async_read_some(asio::buffer(sink), use_tuple);
                if (rec) break;
                drained += got;
            }
            break;
        }
        if (ec) {
            if (ec != http::error::end_of_stream && ec != beast::error::timeout && ec != asio::error::connection_reset &&
                ec != asio::error::eof) {
                // Malformed HTTP: say so once and close.
                const Response bad{400, "application/json", error_json("malformed HTTP request: " + ec.message(), {})};
                auto res = make_response(bad, 11, false, false);
                stream.expires_after(kIoTimeout);
                co_await http::async_write(stream, res, use_tuple);
            }
            break;
        }
        const auto& req = parser.get();
        if (loopback_only && !is_loopback(host_name(req[http::field::host]))) {
            // A page elsewhere that rebinds its own name to 127.0.0.1 (DNS rebinding) reaches a
            // loopback server with a foreign Host header: such requests are not answered.
            const Response refused{403, "application/json",
                                   error_json("Host '" + std::string(req[http::field::host]) +
                                                  "': this server answers only requests for localhost (start it "
                                                  "with --host to serve other names)",
                                              {})};
            auto res = make_response(refused, req.version(), false, false);
            stream.expires_after(kIoTimeout);
            co_await http::async_write(stream, res, use_tuple);
            break;
        }
        Request request;
        request.method = std::string(req.method_string());
        request.target = std::string(req.target());
        request.content_type = std::string(req[http::field::content_type]);
        request.body = req.body();
        const bool head = req.method() == http::verb::head;
        if (head) request.method = "GET";
        const Response answer = api.handle(request);
        auto res = make_response(answer, req.version(), req.keep_alive(), head);
        stream.expires_after(kIoTimeout);
        auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
        (void)wn;
        if (wec || !res.keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    connections.leave();
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, Api& api, Connections& connections, bool loopback_only) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        if (ec) continue;  // e.g. too many open files: keep serving the others
        if (!connections.enter()) {
            beast::error_code ignored;
            socket.close(ignored);
            continue;
        }
        asio::co_spawn(acceptor.get_executor(), session(std::move(socket), api, connections, loopback_only),
                       asio::detached);
    }
}

}  // namespace

bool is_loopback(const std::string& host) {
    if (host == "localhost") return true;
    beast::error_code ec;
    const auto address = asio::ip::make_address(host, ec);
    return !ec && address.is_loopback();
}

int run_server(Api& api, const ServerOptions& options, const std::function<void(const std::string&)>& on_listening) {
    asio::io_context ioc(static_cast<int>(options.threads));
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    const auto endpoints = resolver.resolve(options.host, std::to_string(options.port),
                                            tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || endpoints.empty())
        throw UsageError("--host " + options.host + ": cannot resolve (" + ec.message() + ")");
    const tcp::endpoint endpoint = endpoints.begin()->endpoint();
    tcp::acceptor acceptor(ioc);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        throw UsageError("cannot listen on " + options.host + ":" + std::to_string(options.port) + ": " + ec.message() +
                         " (--port N, or --port 0 for any free port)");
    Connections connections(options.max_connections);
    // Graceful stop: no new connections; the requests being computed finish, then the threads end.
    // Installed before the "listening" line, so a signal sent as soon as it is read is handled.
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](const beast::error_code&, int) {
        beast::error_code ignored;
        acceptor.close(ignored);
        ioc.stop();
    });
    const tcp::endpoint bound = acceptor.local_endpoint();
    const std::string host = bound.address().is_v6() ? "[" + bound.address().to_string() + "]" : bound.address().to_string();
    on_listening("http://" + host + ":" + std::to_string(bound.port()) + "/");

    asio::co_spawn(ioc, accept_loop(acceptor, api, connections, bound.address().is_loopback()), asio::detached);
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < options.threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : pool) t.join();
    return 0;
}

}  // namespace vram::cli::serve
