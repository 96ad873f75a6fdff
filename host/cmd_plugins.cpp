// cmd_plugins.cpp - vram plugins: what loaded (name, version, kinds, components) and what failed.
// SPDX-License-Identifier: Apache-2.0
#include <iostream>
#include <map>

#include "app.hpp"
#include "report/report.hpp"

namespace vram::cli {

int cmd_plugins(App& app, int argc, const char* const* argv) {
    CommonOptions common;
    po::options_description desc("options");
    add_common_options(desc, common, false);
    po::positional_options_description pos;
    parse_command("plugins", argc, argv, desc, pos);
    if (common.help) {
        std::cout << command_help("plugins", "[--plugin-dir DIR] [--plugin FILE]", desc);
        return 0;
    }
    const std::string format = output_format(common, {"table", "json"});
    // Listing is about diagnosing plugins: keep going past failures and report them.
    common.skip_bad_plugins = true;
    app.load_plugins(common);
    const auto& loaded = app.loader().loaded();
    const auto& failed = app.loader().failed();
    std::string out;
    if (format == "json") {
        out = "{\"plugins\": [";
        for (std::size_t i = 0; i < loaded.size(); ++i) {
            const auto& p = loaded[i];
            std::map<std::string, int> kinds;
            for (const auto& [k, n] : p.items) ++kinds[k];
            out += std::string(i ? "," : "") + "\n  {\"name\": " + json_quote(p.name) + ", \"version\": " +
                   json_quote(p.version) + ", \"path\": " + json_quote(p.path) + ", \"kinds\": [";
            std::size_t j = 0;
            for (const auto& [k, n] : kinds) out += std::string(j++ ? ", " : "") + json_quote(k);
            out += "], \"components\": [";
            for (std::size_t k = 0; k < p.items.size(); ++k)
                out += std::string(k ? ", " : "") + "{\"kind\": " + json_quote(p.items[k].first) +
                       ", \"name\": " + json_quote(p.items[k].second) + "}";
            out += "]}";
        }
        out += "\n],\n\"failed\": [";
        for (std::size_t i = 0; i < failed.size(); ++i)
            out += std::string(i ? "," : "") + "\n  {\"path\": " + json_quote(failed[i].path) +
                   ", \"reason\": " + json_quote(failed[i].reason) + "}";
        out += "\n]}\n";
    } else {
        for (const auto& p : loaded) {
            std::map<std::string, int> kinds;
            for (const auto& [k, n] : p.items) ++kinds[k];
            out += p.name + " " + p.version + "  (" + p.path + ")\n";
            for (const auto& [k, n] : p.items) out += "    " + k + std::string(k.size() < 18 ? 18 - k.size() : 1, ' ') + n + "\n";
        }
        out += std::to_string(loaded.size()) + " plugins loaded";
        if (!failed.empty()) {
            out += ", " + std::to_string(failed.size()) + " failed:\n";
            for (const auto& f : failed) out += "  " + f.path + ": " + f.reason + "\n";
        } else {
            out += "\n";
        }
    }
    emit(common, out);
    // The listing is the answer, failures included (scripts read "failed" in the JSON).
    return 0;
}

}  // namespace vram::cli
