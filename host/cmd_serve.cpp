// cmd_serve.cpp - vram serve: the web calculator and its JSON API on a local HTTP port
// (contract.md "Additions"; routing and handlers in serve/).
// SPDX-License-Identifier: Apache-2.0
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "app.hpp"
#include "serve/api.hpp"
#include "serve/server.hpp"
#include "vram/error.hpp"

namespace vram::cli {
namespace {

// The page is installed next to the presets (share/vram/web); VRAM_WEB_DIR overrides it.
std::string web_directory(const App& app) {
    if (const char* env = std::getenv("VRAM_WEB_DIR")) return env;
    return (std::filesystem::path(app.preset_dir()).parent_path() / "web").lexically_normal().string();
}

}  // namespace

int cmd_serve(App& app, int argc, const char* const* argv) {
    CommonOptions common;
    serve::ServerOptions options;
    bool open = false;
    po::options_description desc("options");
    desc.add_options()("host", po::value(&options.host)->default_value(options.host),
                       "address to listen on; anything but loopback exposes the server to the network")
        ("port,p", po::value(&options.port)->default_value(options.port), "TCP port; 0 picks a free one")
        ("open", po::bool_switch(&open), "open the page in the default browser (xdg-open)");
    add_common_options(desc, common, CommandTraits{{}, "", false, false});
    po::positional_options_description pos;
    parse_command("serve", argc, argv, desc, pos);
    if (common.help) {
        std::cout << command_help("serve", "[--host 127.0.0.1] [--port 8080] [--open]\n\n"
                                           "The web calculator and the JSON API (/api/v1/estimate, fit, sweep, recommend, "
                                           "compare,\npresets, gpus, symbols, schema, version) until Ctrl-C; docs/web.md.",
                                  desc);
        return 0;
    }
    app.load_plugins(common);
    const std::string web_dir = web_directory(app);
    serve::Api api(app, common, web_dir);
    if (api.static_files() == 0)
        std::cerr << "vram: warning: no page found in " << web_dir << " (set VRAM_WEB_DIR); serving the API only\n";
    if (!serve::is_loopback(options.host))
        std::cerr << "vram: warning: --host " << options.host
                  << " exposes the server to other machines; it has no authentication and no TLS\n";
    return serve::run_server(api, options, [&](const std::string& url) {
        // Tests and scripts read this line for the port (--port 0).
        std::cout << "vram serve: listening on " << url << " (Ctrl-C stops)" << std::endl;
        if (open) {
            const std::string command = "xdg-open '" + url + "' >/dev/null 2>&1 &";
            if (std::system(command.c_str()) != 0) std::cerr << "vram: warning: could not open a browser; visit " << url << "\n";
        }
    });
}

}  // namespace vram::cli
