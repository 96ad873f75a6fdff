// app.cpp - shared command plumbing.
// SPDX-License-Identifier: Apache-2.0
#include "app.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "model/family_file.hpp"
#include "plugin/spdlog_logger.hpp"
#include "vram/error.hpp"

namespace vram::cli {

namespace {

std::string join_formats(const std::vector<std::string>& formats, const char* separator) {
    std::string out;
    for (std::size_t i = 0; i < formats.size(); ++i) out += (i ? separator : "") + formats[i];
    return out;
}

}  // namespace

void add_common_options(po::options_description& desc, CommonOptions& c, const CommandTraits& traits) {
    c.formats = traits.formats;
    c.default_format = traits.default_format;
    const bool has_table = std::find(traits.formats.begin(), traits.formats.end(), "table") != traits.formats.end();
    const std::string default_text =
        !traits.default_format.empty() ? traits.default_format
        : has_table                    ? "table on a terminal, json otherwise"
                                       : "json";
    desc.add_options()("help,h", po::bool_switch(&c.help), "show this help");
    if (!traits.formats.empty()) {
        const std::string text = "output format: " + join_formats(traits.formats, " | ") + " (default: " + default_text + ")";
        // Checked while parsing, before any other usage check, so a wrong --format is the error
        // a user sees first, naming the same list as --help.
        desc.add_options()("format,f", po::value(&c.format)->notifier([&c](const std::string& f) {
                               if (std::find(c.formats.begin(), c.formats.end(), f) == c.formats.end())
                                   throw UsageError("--format " + f + ": not supported by this command; allowed: " +
                                                    join_formats(c.formats, ", "));
                           }),
                           text.c_str());
    }
    desc.add_options()
        ("output,o", po::value(&c.output), "write the output to FILE instead of stdout")
        ("color", po::value(&c.color), "colour the table: auto | always | never (auto: only on a terminal, "
         "and not when NO_COLOR is set)")
        ("plugin-dir", po::value(&c.plugin_dirs)->composing(), "also load every plugin in DIR (repeatable)")
        ("plugin", po::value(&c.plugins)->composing(), "also load the plugin FILE (repeatable)")
        ("skip-bad-plugins", po::bool_switch(&c.skip_bad_plugins), "warn about plugins that fail to load instead of stopping")
        ("allow-insecure-plugins", po::bool_switch(&c.allow_insecure_plugins),
         "load plugin files even if group or others can write them")
        ("verbose,v", po::value<int>()->zero_tokens()->notifier([&c](int) { ++c.verbosity; }), "more log output on stderr")
        ("quiet,q", po::value<int>()->zero_tokens()->notifier([&c](int) { c.verbosity = -1; }), "errors only on stderr");
    if (traits.scenario)
        desc.add_options()("set,s", po::value(&c.sets)->composing(),
                           "override a scenario key: --set workload.batch_size=8 (repeatable)");
    if (traits.explain)
        desc.add_options()("explain,e", po::bool_switch(&c.explain),
                           "show every term's formula, substituted values and source");
}

App::App() : loader_(registry_) {
    preset_dir_ = default_preset_directory();
}

void App::load_plugins(const CommonOptions& c, const std::vector<std::string>& scenario_plugins,
                       const std::string& scenario_dir) {
    configure_logging(c.verbosity);
    if (loaded_) return;
    loaded_ = true;
    loader_.allow_insecure(c.allow_insecure_plugins);
    auto load_dir = [&](const std::string& dir) {
        log_debug("loading plugins from " + dir);
        loader_.load_directory(dir, c.skip_bad_plugins);
    };
    for (const auto& d : default_plugin_directories()) load_dir(d);
    for (const auto& d : c.plugin_dirs) {
        if (!std::filesystem::is_directory(d)) throw PluginLoadError(d, "--plugin-dir: not a directory");
        load_dir(d);
    }
    for (const auto& f : c.plugins) {
        if (c.skip_bad_plugins) loader_.try_load(f);
        else loader_.load(f);
    }
    std::vector<std::string> family_dirs = default_plugin_directories();
    family_dirs.insert(family_dirs.end(), c.plugin_dirs.begin(), c.plugin_dirs.end());
    for (const auto& p : scenario_plugins) {
        std::filesystem::path path = p;
        if (path.is_relative() && !scenario_dir.empty()) path = std::filesystem::path(scenario_dir) / path;
        if (std::filesystem::is_directory(path)) {
            load_dir(path.string());
            family_dirs.push_back(path.string());
        } else {
            loader_.load(path.string());
        }
    }
    // Family files (issue 17) come after every C++ plugin, the shipped ones first, then those
    // dropped into plugin directories; a second claim on a model_type is an error naming both
    // files, so the order only decides which file that error names.
    load_family_directory(registry_, family_directory(preset_dir_));
    for (const auto& d : family_dirs) load_family_directory(registry_, d);
    for (const auto& f : loader_.failed()) log_warn("skipped plugin " + f.path + ": " + f.reason);
}

std::string output_format(const CommonOptions& c) {
    std::string f = c.format;
    if (f.empty()) f = c.default_format;
    if (f.empty()) {
        const bool has_table = std::find(c.formats.begin(), c.formats.end(), "table") != c.formats.end();
        f = has_table && c.output.empty() && ::isatty(STDOUT_FILENO) ? "table" : "json";
    }
    for (const auto& a : c.formats)
        if (a == f) return f;
    throw UsageError("--format " + f + ": not supported by this command; allowed: " + join_formats(c.formats, ", "));
}

void emit(const CommonOptions& c, const std::string& text) {
    if (c.output.empty() || c.output == "-") {
        std::cout << text << std::flush;
        return;
    }
    std::ofstream out(c.output, std::ios::binary);
    if (!out) throw UsageError("--output " + c.output + ": cannot write the file");
    out << text;
}

void parse_command(const std::string& command, int argc, const char* const* argv, po::options_description& desc,
                   po::positional_options_description& positional) {
    try {
        po::variables_map vm;
        po::store(po::command_line_parser(argc, argv).options(desc).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw UsageError("vram " + command + ": " + e.what() + " (see vram " + command + " --help)");
    }
}

std::string command_help(const std::string& command, const std::string& synopsis, const po::options_description& desc) {
    record_help(command, synopsis, desc);
    std::ostringstream ss;
    ss << "usage: vram " << command << " " << synopsis << "\n\n" << desc << "\n";
    return ss.str();
}

}  // namespace vram::cli
