// app.hpp - what every command shares: options, plugin loading, output.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <vector>

#include "plugin/plugin_loader.hpp"
#include "plugin/registry.hpp"
#include "report/report.hpp"

namespace vram::cli {

namespace po = boost::program_options;

/// Options every command accepts (contract.md "Common options").
struct CommonOptions {
    std::string format;          ///< table | json | ... ; empty = table on a terminal, json otherwise
    std::string output;          ///< --output FILE
    bool explain = false;
    std::vector<std::string> plugin_dirs;
    std::vector<std::string> plugins;
    std::vector<std::string> sets;
    int verbosity = 0;           ///< -v: +1, -q: -1
    bool skip_bad_plugins = false;
    bool allow_insecure_plugins = false;
    bool help = false;
    std::string color = "auto";  ///< --color auto | always | never (auto: a TTY without NO_COLOR)
    std::vector<std::string> formats;  ///< the --format values this command accepts (from CommandTraits)
    std::string default_format;        ///< empty: table on a terminal, json otherwise
};

/// What a command accepts beyond the options every command has; --help lists exactly these.
struct CommandTraits {
    std::vector<std::string> formats;  ///< --format values, in the order --help lists them
    std::string default_format;        ///< empty: table on a terminal (when allowed), json otherwise
    bool scenario = false;             ///< takes --set (it reads a scenario)
    bool explain = false;              ///< takes --explain (its output can show formulas)
};

/// Adds the common options to a command's description.
void add_common_options(po::options_description& desc, CommonOptions& common, const CommandTraits& traits);

/// The registry and its plugins, loaded once per process. Declared before use in main so
/// they outlive every object the commands create.
class App {
public:
    App();
    /// Loads first-party plugins, $VRAM_PLUGIN_PATH, --plugin-dir and --plugin (in that order).
    void load_plugins(const CommonOptions& common, const std::vector<std::string>& scenario_plugins = {},
                      const std::string& scenario_dir = {});
    Registry& registry() noexcept { return registry_; }
    PluginLoader& loader() noexcept { return loader_; }
    const std::string& preset_dir() const noexcept { return preset_dir_; }

private:
    Registry registry_;
    PluginLoader loader_;
    std::string preset_dir_;
    bool loaded_ = false;
};

/// The command's output format: --format if the command accepts it, else its default.
std::string output_format(const CommonOptions& common);
/// Writes the finished output (stdout or --output); nothing is written before success.
void emit(const CommonOptions& common, const std::string& text);
/// Parses a command's arguments; throws UsageError with the command's help on bad usage.
void parse_command(const std::string& command, int argc, const char* const* argv, po::options_description& desc,
                   po::positional_options_description& positional);
/// Help text of a command.
std::string command_help(const std::string& command, const std::string& synopsis, const po::options_description& desc);
/// Report options for the output: colour (TTY, NO_COLOR, --color) and width (COLUMNS, the terminal, 100).
ReportOptions report_options(const CommonOptions& common);
/// Called by command_help: `vram --generate` collects every command's options (generate.cpp).
void record_help(const std::string& command, const std::string& synopsis, const po::options_description& desc);
/// `vram --generate man|bash|zsh [FILE]`: man page and completions from the --help descriptions.
struct CommandInfo {
    std::string name;
    int (*run)(App& app, int argc, const char* const* argv);
    std::string summary;
};
int generate_docs(const std::string& kind, const std::string& file, const std::vector<CommandInfo>& commands);

using Command = int (*)(App& app, int argc, const char* const* argv);
int cmd_run(App& app, int argc, const char* const* argv);
int cmd_validate(App& app, int argc, const char* const* argv);
int cmd_inspect(App& app, int argc, const char* const* argv);
int cmd_plugins(App& app, int argc, const char* const* argv);
int cmd_presets(App& app, int argc, const char* const* argv);
int cmd_gpus(App& app, int argc, const char* const* argv);
int cmd_fit(App& app, int argc, const char* const* argv);
int cmd_sweep(App& app, int argc, const char* const* argv);
int cmd_recommend(App& app, int argc, const char* const* argv);
int cmd_compare(App& app, int argc, const char* const* argv);
int cmd_symbols(App& app, int argc, const char* const* argv);
int cmd_schema(App& app, int argc, const char* const* argv);
int cmd_search(App& app, int argc, const char* const* argv);
int cmd_serve(App& app, int argc, const char* const* argv);
int cmd_families(App& app, int argc, const char* const* argv);

}  // namespace vram::cli
