// main.cpp - parse -> dispatch -> map errors to exit codes. Nothing else.
// 0 ok (also "does not fit"), 1 scenario or estimation error, 2 usage error, 3 plugin load error.
// SPDX-License-Identifier: Apache-2.0
#include <cstring>
#include <iostream>
#include <map>

#include "app.hpp"
#include "vram/error.hpp"
#include "vram/version.hpp"

namespace {

const std::map<std::string, std::pair<vram::cli::Command, const char*>>& commands() {
    using namespace vram::cli;
    static const std::map<std::string, std::pair<Command, const char*>> table = {
        {"run", {cmd_run, "estimate one scenario"}},
        {"validate", {cmd_validate, "check a scenario without estimating"}},
        {"families", {cmd_families, "every model family: model_types, C++ adapter or family file, what it covers"}},
        {"inspect", {cmd_inspect, "architecture, exact parameter counts and KV bytes of a model"}},
        {"plugins", {cmd_plugins, "loaded plugins, what they registered, and load failures"}},
        {"presets", {cmd_presets, "list model and scenario presets"}},
        {"gpus", {cmd_gpus, "fuzzy search of the GPU catalogs"}},
        {"fit", {cmd_fit, "largest batch size, sequence length or other numeric key that fits"}},
        {"sweep", {cmd_sweep, "the cross product of varied keys, one row per point (csv / json)"}},
        {"recommend", {cmd_recommend, "every catalog GPU the scenario fits on, how many, cheapest first"}},
        {"compare", {cmd_compare, "scenarios side by side, component by component, with differences"}},
        {"schema", {cmd_schema, "JSON Schema of scenarios: every key, its type, range, default and owner"}},
        {"search", {cmd_search, "models on the Hugging Face Hub and ModelScope by name, and which vram can estimate"}},
        {"serve", {cmd_serve, "the web calculator and a JSON API on a local port (docs/web.md)"}},
        {"symbols", {cmd_symbols, "symbols formulas can read: value, unit, meaning, which plugin set it"}},
    };
    return table;
}

std::string usage() {
    std::string out =
        "vram " VRAM_VERSION_STRING " - how much GPU memory a model needs to serve, fine-tune or train\n\n"
        "usage: vram COMMAND [ARGS] [OPTIONS]\n\ncommands:\n";
    for (const auto& [name, cmd] : commands()) out += "  " + name + std::string(12 - name.size(), ' ') + cmd.second + "\n";
    out += "\n`vram COMMAND --help` shows a command's options. Exit codes: 0 ok (including \"does not fit\"), "
           "1 scenario or estimation error, 2 usage error, 3 plugin load error.\n";
    return out;
}

// One line on stderr: messages never span lines, whatever a plugin put in them.
void report(const std::string& message) {
    std::string line = message;
    for (char& c : line)
        if (c == '\n' || c == '\r') c = ' ';
    std::cerr << "vram: error: " << line << "\n";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << usage();
        return 2;
    }
    const std::string command = argv[1];
    if (command == "--help" || command == "-h" || command == "help") {
        std::cout << usage();
        return 0;
    }
    if (command == "--version" || command == "-V" || command == "version") {
        std::cout << "vram " VRAM_VERSION_STRING "\n";
        return 0;
    }
    if (command == "--generate") {  // hidden: the build makes the man page and completions with it
        std::vector<vram::cli::CommandInfo> list;
        for (const auto& [name, cmd] : commands()) list.push_back({name, cmd.first, cmd.second});
        try {
            return vram::cli::generate_docs(argc > 2 ? argv[2] : "", argc > 3 ? argv[3] : "", list);
        } catch (const std::exception& e) {
            report(e.what());
            return 2;
        }
    }
    auto it = commands().find(command);
    if (it == commands().end()) {
        report("unknown command '" + command + "'; see vram --help");
        return 2;
    }
    try {
        // Never destroyed, so it outlives every object created from its plugins. The process is
        // about to exit: freeing the registry and dlclose-ing 13 plugins one munmap at a time cost
        // about a tenth of a `vram run` (issue 16); exit drops all mappings at once. Reachable
        // from a static, so LeakSanitizer does not report it; nothing is buffered in it (emit()
        // flushes, the log sink writes stderr directly).
        static vram::cli::App* const app = new vram::cli::App;
        return it->second.first(*app, argc - 1, argv + 1);
    } catch (const vram::UsageError& e) {
        report(e.what());
        return 2;
    } catch (const vram::PluginLoadError& e) {
        report(e.what());
        return 3;
    } catch (const vram::DuplicateComponentError& e) {
        report(e.what());
        return 3;
    } catch (const vram::Error& e) {
        report(e.what());
        return 1;
    } catch (const std::bad_alloc&) {
        report("out of memory");
        return 1;
    } catch (const std::exception& e) {
        report(std::string("internal error: ") + e.what());
        return 1;
    }
}
