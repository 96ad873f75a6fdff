// cmd_run.cpp - vram run SCENARIO.yaml: estimate one scenario.
// SPDX-License-Identifier: Apache-2.0
#include <filesystem>
#include <iostream>

#include "app.hpp"
#include "scenario_session.hpp"
#include "vram/error.hpp"
#include "pipeline/estimate.hpp"
#include "report/report.hpp"
#include "scenario/scenario_loader.hpp"

namespace vram::cli {

int cmd_run(App& app, int argc, const char* const* argv) {
    CommonOptions common;
    std::string file, catalog;
    po::options_description desc("options");
    desc.add_options()("scenario", po::value(&file), "scenario YAML file")
        ("catalog", po::value(&catalog), "also search the GPU catalog FILE.csv (as hardware.catalog)");
    add_common_options(desc, common, CommandTraits{report_formats(), "", true, true});
    po::positional_options_description pos;
    pos.add("scenario", 1);
    parse_command("run", argc, argv, desc, pos);
    if (common.help) {
        std::cout << command_help("run", "SCENARIO.yaml [--set key.path=value ...] [--explain] [--format table|json|markdown|csv|html]", desc);
        return 0;
    }
    if (file.empty()) throw UsageError("vram run: missing SCENARIO.yaml (see vram run --help)");
    const std::string format = output_format(common);
    std::vector<std::string> overrides = common.sets;
    if (!catalog.empty()) overrides.push_back(catalog_override(catalog));
    Scenario scenario = load_scenario(file, overrides);
    app.load_plugins(common, scenario.plugins, scenario.directory);
    Estimator estimator(app.registry(), std::move(scenario), app.preset_dir());
    const Estimate e = estimator.estimate();
    const ReportItem item{estimator.scenario(), estimator.model(), e,
                          std::filesystem::path(file).filename().string()};
    emit(common, render_estimate(format, item, report_options(common)));
    return 0;
}

}  // namespace vram::cli
