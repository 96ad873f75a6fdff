// cmd_validate.cpp - vram validate SCENARIO.yaml: resolve everything, evaluate nothing.
// SPDX-License-Identifier: Apache-2.0
#include <iostream>

#include "app.hpp"
#include "vram/error.hpp"
#include "pipeline/estimate.hpp"
#include "report/report.hpp"
#include "scenario/scenario_loader.hpp"
#include "scenario_input.hpp"

namespace vram::cli {

int cmd_validate(App& app, int argc, const char* const* argv) {
    CommonOptions common;
    std::string file;
    QuestionFlags flags;
    po::options_description desc("options");
    desc.add_options()("scenario", po::value(&file), kScenarioArgument);
    add_question_options(desc, flags);
    add_common_options(desc, common, CommandTraits{{"table", "json"}, "", true, false});
    po::positional_options_description pos;
    pos.add("scenario", 1);
    parse_command("validate", argc, argv, desc, pos);
    if (common.help) {
        std::cout << command_help("validate", "[SCENARIO.yaml | PRESET | -] [--model M ...] [--set key.path=value ...] "
                                              "[--format table|json]", desc);
        return 0;
    }
    const std::string format = output_format(common);
    const ScenarioInput input(app, file, flags, common.sets);
    Scenario scenario = input.build();
    app.load_plugins(common, scenario.plugins, scenario.directory);
    // Resolving the model, plugins and options is the whole check; nothing is evaluated.
    Estimator estimator(app.registry(), std::move(scenario), app.preset_dir());
    if (format == "json") {
        JsonWriter w;
        w.object(JsonWriter::Layout::line).field("valid", true).field("scenario", estimator.scenario().name).end();
        emit(common, w.str());
    } else {
        emit(common, input.file() + ": valid\n");
    }
    return 0;
}

}  // namespace vram::cli
