// cmd_validate.cpp - vram validate SCENARIO.yaml: resolve everything, evaluate nothing.
// SPDX-License-Identifier: Apache-2.0
#include <iostream>

#include "app.hpp"
#include "vram/error.hpp"
#include "pipeline/estimate.hpp"
#include "report/report.hpp"
#include "scenario/scenario_loader.hpp"

namespace vram::cli {

int cmd_validate(App& app, int argc, const char* const* argv) {
    CommonOptions common;
    std::string file;
    po::options_description desc("options");
    desc.add_options()("scenario", po::value(&file), "scenario YAML file");
    add_common_options(desc, common, CommandTraits{{"table", "json"}, "", true, false});
    po::positional_options_description pos;
    pos.add("scenario", 1);
    parse_command("validate", argc, argv, desc, pos);
    if (common.help) {
        std::cout << command_help("validate", "SCENARIO.yaml [--set key.path=value ...]", desc);
        return 0;
    }
    if (file.empty()) throw UsageError("vram validate: missing SCENARIO.yaml (see vram validate --help)");
    const std::string format = output_format(common);
    Scenario scenario = load_scenario(file, common.sets);
    app.load_plugins(common, scenario.plugins, scenario.directory);
    // Resolving the model, plugins and options is the whole check; nothing is evaluated.
    Estimator estimator(app.registry(), std::move(scenario), app.preset_dir());
    if (format == "json") {
        JsonWriter w;
        w.object(JsonWriter::Layout::line).field("valid", true).field("scenario", estimator.scenario().name).end();
        emit(common, w.str());
    } else {
        emit(common, file + ": valid\n");
    }
    return 0;
}

}  // namespace vram::cli
