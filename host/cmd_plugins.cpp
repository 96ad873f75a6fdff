// cmd_plugins.cpp - vram plugins: what loaded (name, version, kinds, components) and what failed.
// SPDX-License-Identifier: Apache-2.0
#include <iostream>
#include <map>

#include "app.hpp"
#include "report/json_writer.hpp"
#include "report/report.hpp"

namespace vram::cli {

int cmd_plugins(App& app, int argc, const char* const* argv) {
    CommonOptions common;
    po::options_description desc("options");
    add_common_options(desc, common, CommandTraits{{"table", "json"}, "", false, false});
    po::positional_options_description pos;
    parse_command("plugins", argc, argv, desc, pos);
    if (common.help) {
        std::cout << command_help("plugins", "[--plugin-dir DIR] [--plugin FILE]", desc);
        return 0;
    }
    const std::string format = output_format(common);
    // Listing is about diagnosing plugins: keep going past failures and report them.
    common.skip_bad_plugins = true;
    app.load_plugins(common);
    const auto& loaded = app.loader().loaded();
    const auto& failed = app.loader().failed();
    std::string out;
    if (format == "json") {
        JsonWriter w;
        w.object().key("plugins").array();
        for (const auto& p : loaded) {
            std::map<std::string, int> kinds;
            for (const auto& [k, n] : p.items) ++kinds[k];
            w.object(JsonWriter::Layout::line).field("name", p.name).field("version", p.version).field("path", p.path);
            w.key("kinds").array();
            for (const auto& [k, n] : kinds) w.value(k);
            w.end().key("components").array();
            for (const auto& [kind, name] : p.items) w.object(JsonWriter::Layout::line).field("kind", kind).field("name", name).end();
            w.end().end();
        }
        w.end().key("failed").array();
        for (const auto& f : failed) w.object(JsonWriter::Layout::line).field("path", f.path).field("reason", f.reason).end();
        w.end().end();
        out = w.str();
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
