// cmd_compare.cpp - vram compare A.yaml B.yaml ...: scenarios side by side, component by component.
// SPDX-License-Identifier: Apache-2.0
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>

#include "app.hpp"
#include "commands.hpp"
#include "vram/error.hpp"
#include "pipeline/estimate.hpp"
#include "report/report.hpp"
#include "scenario/scenario_loader.hpp"
#include "scenario_input.hpp"
#include "scenario_session.hpp"

namespace vram::cli {

int cmd_compare(App& app, int argc, const char* const* argv) {
    CommonOptions common;
    std::vector<std::string> files;
    std::string catalog;
    QuestionFlags flags;
    po::options_description desc("options");
    desc.add_options()("scenarios", po::value(&files)->composing(),
                       "scenario files or scenario preset names, two or more (the first is the baseline)")
        ("catalog", po::value(&catalog), "also search the GPU catalog FILE.csv (as hardware.catalog, every scenario)");
    add_common_options(desc, common, CommandTraits{report_formats(), "", true, true});
    add_question_options(desc, flags);
    po::positional_options_description pos;
    pos.add("scenarios", -1);
    parse_command("compare", argc, argv, desc, pos);
    if (common.help) {
        std::cout << command_help("compare",
                                  "A.yaml|PRESET B.yaml|PRESET [C ...] [--model M ...] [--set key.path=value ...] "
                                  "[--format table|json|markdown|csv|html]\n\n"
                                  "Estimates every scenario and shows them side by side, component by component, "
                                  "with the difference of each to the first. Flags and --set apply to every scenario.",
                                  desc);
        return 0;
    }
    if (files.size() < 2)
        throw UsageError("vram compare: needs two or more scenarios, got " + std::to_string(files.size()) +
                         " (see vram compare --help)");
    const std::string format = output_format(common);
    const ReportOptions options = report_options(common);

    std::vector<ScenarioInput> inputs;
    std::vector<Scenario> scenarios;
    std::vector<std::string> plugins;
    for (const auto& f : files) {
        inputs.emplace_back(app, f, flags, common.sets, catalog_overrides(catalog));
        scenarios.push_back(inputs.back().build());
        // Plugins of every scenario, resolved against their own file, load in one go.
        for (const auto& p : scenarios.back().plugins) {
            std::filesystem::path path = p;
            if (path.is_relative() && !scenarios.back().directory.empty())
                path = std::filesystem::path(scenarios.back().directory) / path;
            plugins.push_back(path.string());
        }
    }
    app.load_plugins(common, plugins, {});

    emit(common, compare_output(app, inputs, std::move(scenarios), files, format, options));
    return 0;
}

// Estimates and renders; shared with `vram serve`'s /api/v1/compare.
std::string compare_output(App& app, const std::vector<ScenarioInput>& inputs, std::vector<Scenario> scenarios,
                           const std::vector<std::string>& arguments, const std::string& format,
                           const ReportOptions& options) {
    std::vector<std::unique_ptr<Estimator>> estimators;
    std::vector<Estimate> estimates;
    estimates.reserve(inputs.size());  // ReportItem keeps references: no reallocation after this
    for (auto& s : scenarios) {
        estimators.push_back(std::make_unique<Estimator>(app.registry(), std::move(s), app.preset_dir()));
        estimates.push_back(estimators.back()->estimate());
    }
    // Columns are named by file (or preset) name; the whole argument where two share a name.
    std::set<std::string> names, repeated;
    for (const auto& in : inputs)
        if (!names.insert(in.label()).second) repeated.insert(in.label());
    std::vector<ReportItem> items;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const std::string& label = inputs[i].label();
        items.push_back({estimators[i]->scenario(), estimators[i]->model(), estimates[i],
                         repeated.count(label) ? arguments[i] : label});
    }
    return render_comparison(format, items, options);
}

}  // namespace vram::cli
