// tvram_serve.cpp - `vram serve` (issue 20): the API answers what the CLI answers, hostile
// requests get 4xx and change nothing, and the default bind is loopback only. Each test starts
// the real binary on an ephemeral port (--port 0) and reads the port from its first line.
// SPDX-License-Identifier: Apache-2.0
#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "test_support.hpp"

namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A `vram serve` child process; stopped with SIGTERM (its graceful path) when destroyed.
class Server {
public:
    explicit Server(std::vector<std::string> extra = {}) {
        stderr_path_ = (fs::temp_directory_path() / ("vram-serve-" + std::to_string(::getpid()) + "-" +
                                                     std::to_string(counter_++) + ".err")).string();
        int out[2];
        BOOST_REQUIRE(::pipe(out) == 0);
        std::vector<std::string> args = {VRAM_TEST_BINARY, "serve", "--port", "0"};
        args.insert(args.end(), extra.begin(), extra.end());
        pid_ = ::fork();
        BOOST_REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::dup2(out[1], STDOUT_FILENO);
            const int err = ::open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            if (err >= 0) ::dup2(err, STDERR_FILENO);
            ::close(out[0]);
            ::close(out[1]);
            std::vector<char*> argv;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        ::close(out[1]);
        out_ = out[0];
        // First line: "vram serve: listening on http://HOST:PORT/ (Ctrl-C stops)".
        std::string line;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
            pollfd p{out_, POLLIN, 0};
            if (::poll(&p, 1, 1000) <= 0) continue;
            char buf[256];
            const ssize_t n = ::read(out_, buf, sizeof buf);
            if (n <= 0) break;
            line.append(buf, static_cast<std::size_t>(n));
        }
        first_line_ = line.substr(0, line.find('\n'));
        const auto at = first_line_.find("http://");
        BOOST_REQUIRE_MESSAGE(at != std::string::npos,
                              "vram serve did not start: '" + first_line_ + "' " + slurp(stderr_path_));
        const std::string url = first_line_.substr(at + 7);
        host_ = url.substr(0, url.rfind(':'));
        port_ = static_cast<unsigned short>(std::stoi(url.substr(url.rfind(':') + 1)));
    }
    ~Server() {
        if (pid_ > 0) stop();
        std::error_code ec;
        fs::remove(stderr_path_, ec);
    }
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// SIGTERM, then the exit status (0 = stopped cleanly).
    int stop() {
        ::kill(pid_, SIGTERM);
        int status = 0;
        for (int i = 0; i < 200; ++i) {
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                ::close(out_);
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        ::close(out_);
        return -1;
    }
    unsigned short port() const noexcept { return port_; }
    const std::string& host() const noexcept { return host_; }
    const std::string& first_line() const noexcept { return first_line_; }
    std::string err() const { return slurp(stderr_path_); }

private:
    static inline int counter_ = 0;
    pid_t pid_ = -1;
    int out_ = -1;
    unsigned short port_ = 0;
    std::string host_, first_line_, stderr_path_;
};

struct Reply {
    int status = 0;
    std::string body;
    std::string content_type;
};

// One request on a new connection; status 0 when no answer came (no test assertion here, so
// threads may call it).
Reply fetch(unsigned short port, http::verb method, const std::string& target, const std::string& body = {},
            const std::string& content_type = "application/json") {
    asio::io_context ioc;
    tcp::socket socket(ioc);
    beast::error_code ec;
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    if (ec) return {0, "connect: " + ec.message(), {}};
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!body.empty() || method == http::verb::post) req.set(http::field::content_type, content_type);
    req.body() = body;
    req.prepare_payload();
    http::write(socket, req, ec);  // a 413 may close the socket before all of a huge body is sent
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    http::read(socket, buffer, parser, ec);
    if (ec && !parser.is_header_done()) return {0, "no response: " + ec.message(), {}};
    auto res = parser.release();
    return {static_cast<int>(res.result_int()), res.body(), std::string(res[http::field::content_type])};
}

Reply request(unsigned short port, http::verb method, const std::string& target, const std::string& body = {},
              const std::string& content_type = "application/json") {
    Reply r = fetch(port, method, target, body, content_type);
    BOOST_REQUIRE_MESSAGE(r.status != 0, target + ": " + r.body);
    return r;
}

// Sends bytes as they are (targets a client library would normalise) and returns the reply.
std::string raw_request(unsigned short port, const std::string& bytes) {
    asio::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    asio::write(socket, asio::buffer(bytes));
    std::string reply;
    beast::error_code ec;
    char buf[4096];
    for (;;) {
        const std::size_t n = socket.read_some(asio::buffer(buf), ec);
        reply.append(buf, n);
        if (ec || reply.find("\r\n\r\n") != std::string::npos) {
            // Content-Length bodies are short here; read what is already there.
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            if (socket.available(ec) == 0) break;
        }
    }
    return reply;
}

int status_of(const std::string& reply) {
    return reply.size() > 12 && reply.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(reply.substr(9, 3)) : 0;
}

bool alive(unsigned short port) {
    const Reply r = request(port, http::verb::get, "/api/v1/version");
    return r.status == 200 && r.body.find("\"version\"") != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(serve)

BOOST_AUTO_TEST_CASE(issue20_api_estimate_equals_cli_for_every_scenario_preset) {
    Server server;
    std::size_t count = 0;
    for (const auto& entry : fs::directory_iterator(vram::test::source_path("presets/scenarios"))) {
        if (entry.path().extension() != ".yaml") continue;
        ++count;
        const std::string file = entry.path().string();
        BOOST_TEST_CONTEXT(entry.path().filename().string()) {
            const auto cli = vram::test::run_cli({"run", file, "--format", "json"});
            BOOST_REQUIRE_EQUAL(cli.rc, 0);
            const Reply api = request(server.port(), http::verb::post, "/api/v1/estimate", slurp(file), "application/yaml");
            BOOST_REQUIRE_MESSAGE(api.status == 200, api.body);
            // The same renderer: the whole document is identical, numbers and text.
            BOOST_TEST(api.body == cli.out);
            const json::value a = json::parse(api.body), c = json::parse(cli.out);
            BOOST_TEST(a.at("total_bytes") == c.at("total_bytes"));
            BOOST_TEST(a.at("components") == c.at("components"));
        }
    }
    BOOST_TEST(count >= 12u);
    BOOST_TEST(server.stop() == 0);
}

BOOST_AUTO_TEST_CASE(issue20_api_json_body_and_other_endpoints_match_the_cli) {
    Server server;
    const std::string scenario = R"({"name": "endpoints", "model": {"preset": "llama-3.1-8b"}, "workload": {"batch_size": 4, "sequence_length": 4096},
                                     "hardware": {"gpu": "H100 SXM", "count": 1}})";
    const std::string yaml = "name: endpoints\nmodel: {preset: llama-3.1-8b}\nworkload: {batch_size: 4, sequence_length: 4096}\n"
                             "hardware: {gpu: H100 SXM, count: 1}\n";
    const std::string file = vram::test::write_scenario(yaml, "serve-endpoints");
    auto same = [&](const std::string& target, const std::vector<std::string>& args) {
        const Reply api = request(server.port(), http::verb::post, target, scenario);
        const auto cli = vram::test::run_cli(args);
        BOOST_TEST_CONTEXT(target) {
            BOOST_REQUIRE_MESSAGE(api.status == 200, api.body);
            BOOST_REQUIRE_EQUAL(cli.rc, 0);
            BOOST_TEST((json::parse(api.body) == json::parse(cli.out)));  // not printed: pages of JSON
        }
    };
    same("/api/v1/estimate", {"run", file, "--format", "json"});
    same("/api/v1/fit?maximize=workload.batch_size", {"fit", file, "--maximize", "workload.batch_size", "--format", "json"});
    same("/api/v1/sweep?vary=workload.batch_size%3D1,2,4&vary=workload.sequence_length=1024:4096:1024",
         {"sweep", file, "--vary", "workload.batch_size=1,2,4", "--vary", "workload.sequence_length=1024:4096:1024",
          "--format", "json"});
    same("/api/v1/recommend?limit=5", {"recommend", file, "--limit", "5", "--format", "json"});
    const Reply gpus = request(server.port(), http::verb::get, "/api/v1/gpus?q=h100%20sxm&limit=3");
    BOOST_TEST(gpus.status == 200);
    BOOST_TEST(json::parse(gpus.body) == json::parse(vram::test::run_cli({"gpus", "h100 sxm", "--limit", "3", "--format", "json"}).out));
    for (const char* get : {"/api/v1/presets", "/api/v1/symbols", "/api/v1/schema", "/api/v1/version", "/"}) {
        const Reply r = request(server.port(), http::verb::get, get);
        BOOST_TEST_CONTEXT(get) { BOOST_TEST(r.status == 200); }
    }
    BOOST_TEST(json::parse(request(server.port(), http::verb::get, "/api/v1/schema").body) ==
               json::parse(vram::test::run_cli({"schema"}).out));
    const Reply compare = request(server.port(), http::verb::post, "/api/v1/compare",
                                  R"({"scenarios": [)" + scenario + "," + scenario + "]}");
    BOOST_TEST(compare.status == 200);
    BOOST_TEST(json::parse(compare.body).at("scenarios").as_array().size() == 2u);
}

BOOST_AUTO_TEST_CASE(issue20_hostile_requests_get_4xx_and_server_keeps_serving) {
    Server server;
    const std::string passwd = slurp("/etc/passwd");
    auto no_leak = [&](const std::string& body) {
        // Nothing from the file: not its first line, not any "root:x:" entry.
        if (!passwd.empty()) BOOST_TEST(body.find(passwd.substr(0, passwd.find('\n'))) == std::string::npos);
        BOOST_TEST(body.find("root:x:") == std::string::npos);
    };
    auto error_of = [](const Reply& r) { return json::parse(r.body).at("error"); };

    // Malformed JSON: 400 with the parser's one-line message.
    Reply r = request(server.port(), http::verb::post, "/api/v1/estimate", R"({"model": {"preset": )");
    BOOST_TEST(r.status == 400);
    BOOST_TEST(std::string(error_of(r).at("message").as_string()).find("<request>") != std::string::npos);
    BOOST_TEST(alive(server.port()));

    // Malformed YAML.
    r = request(server.port(), http::verb::post, "/api/v1/estimate", "model: [unclosed\n", "application/yaml");
    BOOST_TEST(r.status == 400);
    BOOST_TEST(alive(server.port()));

    // A negative batch: 400 naming the key, as the CLI does.
    r = request(server.port(), http::verb::post, "/api/v1/estimate",
                R"({"model": {"preset": "llama-3.1-8b"}, "workload": {"batch_size": -4}})");
    BOOST_TEST(r.status == 400);
    BOOST_TEST(error_of(r).at("path") == json::value("workload.batch_size"));
    const auto cli = vram::test::run_cli({"run", vram::test::write_scenario("model: {preset: llama-3.1-8b}\nworkload: {batch_size: -4}\n",
                                                                             "negative-batch")});
    BOOST_TEST(cli.rc == 1);
    BOOST_TEST(alive(server.port()));

    // A 16 MiB body: 413 before it is parsed.
    r = request(server.port(), http::verb::post, "/api/v1/estimate", std::string(16 * 1024 * 1024, ' '));
    BOOST_TEST(r.status == 413);
    BOOST_TEST(alive(server.port()));

    // Path traversal, plain and percent-encoded: 4xx, nothing from the file.
    for (const char* target : {"/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd",
                               "//etc/passwd", "/web/../../../../etc/passwd", "/api/v1/../../../etc/passwd"}) {
        const std::string reply = raw_request(server.port(), std::string("GET ") + target +
                                                                 " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        BOOST_TEST_CONTEXT(target) {
            const int status = status_of(reply);
            BOOST_TEST((status >= 400 && status < 500));
            no_leak(reply);
        }
    }
    BOOST_TEST(alive(server.port()));

    // Scenarios may not name server files.
    for (const char* body : {R"({"model": {"config": "/etc/passwd"}})",
                             R"({"model": {"preset": "llama-3.1-8b"}, "plugins": ["/tmp"]})",
                             R"({"model": {"preset": "llama-3.1-8b"}, "hardware": {"catalog": "/etc/passwd"}})",
                             R"({"scenarios": [{"model": {"config": "/etc/passwd"}}, {"model": {"config": "/etc/passwd"}}]})"}) {
        for (const char* target : {"/api/v1/estimate", "/api/v1/fit", "/api/v1/recommend", "/api/v1/compare"}) {
            r = request(server.port(), http::verb::post, target, body);
            BOOST_TEST_CONTEXT(target << " " << body) {
                BOOST_TEST((r.status >= 400 && r.status < 500));
                no_leak(r.body);
            }
        }
    }
    r = request(server.port(), http::verb::post, "/api/v1/estimate", R"({"model": {"config": "/etc/passwd"}})");
    BOOST_TEST(error_of(r).at("path") == json::value("model.config"));

    // A model preset name that tries to leave the preset folder.
    r = request(server.port(), http::verb::post, "/api/v1/estimate", R"({"model": {"preset": "../../../../etc/passwd"}})");
    BOOST_TEST(r.status == 400);
    no_leak(r.body);
    r = request(server.port(), http::verb::get, "/api/v1/scenario?name=../../../../etc/passwd");
    BOOST_TEST(r.status == 404);
    no_leak(r.body);

    // Sweeps are capped in points; unknown paths and methods are 4xx.
    r = request(server.port(), http::verb::post, "/api/v1/sweep?vary=workload.batch_size=1:200&vary=workload.sequence_length=1:100",
                R"({"model": {"preset": "llama-3.1-8b"}})");
    BOOST_TEST(r.status == 400);
    BOOST_TEST(request(server.port(), http::verb::get, "/api/v1/nothing").status == 404);
    BOOST_TEST(request(server.port(), http::verb::get, "/api/v1/estimate").status == 405);
    BOOST_TEST(request(server.port(), http::verb::post, "/api/v1/estimate", "{}", "application/x-evil").status == 415);
    BOOST_TEST(status_of(raw_request(server.port(), "NOT HTTP AT ALL\r\n\r\n")) == 400);
    // DNS rebinding: a foreign Host header is refused by a loopback server; localhost is fine.
    BOOST_TEST(status_of(raw_request(server.port(), "GET /api/v1/version HTTP/1.1\r\nHost: attacker.example:" +
                                                        std::to_string(server.port()) + "\r\n\r\n")) == 403);
    BOOST_TEST(status_of(raw_request(server.port(), "GET /api/v1/version HTTP/1.1\r\nHost: localhost:" +
                                                        std::to_string(server.port()) + "\r\nConnection: close\r\n\r\n")) == 200);

    BOOST_TEST(alive(server.port()));
    BOOST_TEST(server.stop() == 0);
}

BOOST_AUTO_TEST_CASE(issue20_concurrent_requests_get_the_answers_of_single_ones) {
    Server server;
    std::vector<std::string> bodies, expected;
    for (const auto& entry : fs::directory_iterator(vram::test::source_path("presets/scenarios"))) {
        if (entry.path().extension() != ".yaml" || bodies.size() == 6) continue;
        bodies.push_back(slurp(entry.path().string()));
        expected.push_back(request(server.port(), http::verb::post, "/api/v1/estimate", bodies.back(), "application/yaml").body);
    }
    std::vector<std::thread> threads;
    std::atomic<int> wrong{0};
    for (std::size_t t = 0; t < 8; ++t)
        threads.emplace_back([&, t] {
            for (std::size_t i = 0; i < 20; ++i) {
                const std::size_t k = (t + i) % bodies.size();
                const Reply r = fetch(server.port(), http::verb::post, "/api/v1/estimate", bodies[k], "application/yaml");
                if (r.status != 200 || r.body != expected[k]) ++wrong;
            }
        });
    for (auto& t : threads) t.join();
    BOOST_TEST(wrong.load() == 0);
    BOOST_TEST(server.stop() == 0);
}

BOOST_AUTO_TEST_CASE(issue20_default_bind_is_loopback) {
    Server server;
    BOOST_TEST(server.host() == "127.0.0.1");
    BOOST_TEST(server.err().find("warning") == std::string::npos);
    // Every non-loopback IPv4 address of this machine refuses the port.
    ifaddrs* list = nullptr;
    BOOST_REQUIRE(::getifaddrs(&list) == 0);
    int tried = 0;
    for (ifaddrs* a = list; a; a = a->ifa_next) {
        if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET) continue;
        auto addr = *reinterpret_cast<sockaddr_in*>(a->ifa_addr);
        if ((ntohl(addr.sin_addr.s_addr) >> 24) == 127) continue;
        addr.sin_port = htons(server.port());
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        BOOST_TEST(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0);
        ::close(fd);
        ++tried;
    }
    ::freeifaddrs(list);
    BOOST_TEST_MESSAGE("non-loopback addresses checked: " << tried);
    BOOST_TEST(alive(server.port()));
    BOOST_TEST(server.stop() == 0);

    // Another address is allowed, with a warning.
    Server exposed({"--host", "0.0.0.0"});
    BOOST_TEST(exposed.err().find("warning: --host 0.0.0.0 exposes") != std::string::npos);
    BOOST_TEST(exposed.stop() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
