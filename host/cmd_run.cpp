// cmd_run.cpp - vram run SCENARIO.yaml: estimate one scenario.
// SPDX-License-Identifier: Apache-2.0
#include <filesystem>
#include <iostream>

#include "app.hpp"
#include "commands.hpp"
#include "scenario_session.hpp"
#include "vram/error.hpp"
#include "pipeline/estimate.hpp"
#include "report/report.hpp"
#include "scenario/scenario_loader.hpp"
#include "scenario_input.hpp"

namespace vram::cli {

std::string run_output(App& app, const ScenarioInput& input, Scenario scenario, const std::string& format,
                       const ReportOptions& options) {
    Estimator estimator(app.registry(), std::move(scenario), app.preset_dir());
    const Estimate e = estimator.estimate();
    ReportItem item{estimator.scenario(), estimator.model(), e, input.label()};
    item.assumed = input.assumed();
    return render_estimate(format, item, options);
}

int cmd_run(App& app, int argc, const char* const* argv) {
    CommonOptions common;
    std::string file, catalog;
    QuestionFlags flags;
    po::options_description desc("options");
    desc.add_options()("scenario", po::value(&file), kScenarioArgument)
        ("catalog", po::value(&catalog), "also search the GPU catalog FILE.csv (as hardware.catalog)");
    add_question_options(desc, flags);
    add_common_options(desc, common, CommandTraits{report_formats(), "", true, true});
    po::positional_options_description pos;
    pos.add("scenario", 1);
    parse_command("run", argc, argv, desc, pos);
    if (common.help) {
        std::cout << command_help("run", "[SCENARIO.yaml | PRESET | -] [--model M] [--gpu G] [--gpus N] [--batch N] "
                                         "[--seq N] [--weights F] [--kv F] [--engine E] [--method M] "
                                         "[--set key.path=value ...] [--explain] [--format table|json|markdown|csv|html]\n\n"
                                         "One scenario: a file, a scenario preset by name, - for stdin, or only flags\n"
                                         "(vram run --model llama-3-8b --gpu H100 --batch 4 --seq 8192).",
                                  desc);
        return 0;
    }
    const std::string format = output_format(common);
    const ScenarioInput input(app, file, flags, common.sets, catalog_overrides(catalog));
    Scenario scenario = input.build();
    app.load_plugins(common, scenario.plugins, scenario.directory);
    emit(common, run_output(app, input, std::move(scenario), format, report_options(common)));
    return 0;
}

}  // namespace vram::cli
