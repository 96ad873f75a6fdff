// commands.hpp - the work of each command after its arguments are parsed, as functions that
// return the output text. The CLI (cmd_*.cpp) and the HTTP API (serve/) both call these, so the
// API's JSON is the CLI's JSON by construction, never a second copy of the rendering code.
// Every function expects the plugins the scenario needs to be loaded already.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "app.hpp"
#include "catalog/gpu_search.hpp"
#include "report/report.hpp"
#include "scenario_input.hpp"
#include "scenario_session.hpp"

namespace vram::cli {

/// `vram run`: one scenario (already built from `input`) estimated and rendered.
std::string run_output(App& app, const ScenarioInput& input, Scenario scenario, const std::string& format,
                       const ReportOptions& options);

/// `vram fit`: the largest value of `key` that fits, from `minimum` (-1: the key's minimum).
std::string fit_output(ScenarioSession& session, const std::string& key, std::int64_t minimum,
                       const std::string& format);

/// `vram sweep`'s options, checked by plan_sweep before any scenario is read.
struct SweepRequest {
    std::vector<std::string> varies;  ///< KEY=V1,V2 | KEY=START:STOP:STEP
    std::string where;                ///< "" | fits
    std::string frontier;             ///< "" | one of the varied keys
    std::size_t limit = 0;            ///< 0: every row
    std::string format;               ///< csv | jsonl | json | table | markdown
    bool progress = false;            ///< draw a progress bar on stderr when it is a terminal
};
struct SweepAxis {
    std::string spec;                 ///< the --vary argument (KEY=...), for messages
    std::string key;
    std::vector<std::string> values;  ///< as typed or generated
    std::vector<double> numbers;      ///< parsed values (NaN where not numeric)
};
struct SweepPlan {
    SweepRequest request;
    std::vector<SweepAxis> axes;
    std::size_t points = 1;
    std::vector<std::size_t> order;   ///< iteration order of the axes, the last fastest
    std::size_t frontier_axis = 0;    ///< axes.size() when there is no frontier
};
/// Parses the --vary specs and checks the options; throws UsageError.
SweepPlan plan_sweep(const SweepRequest& request);
/// Runs the sweep, appending rows to `out`; `row_done` is called after each row (the CLI
/// flushes its buffer there, so memory does not grow with the points).
void run_sweep(ScenarioSession& session, const SweepPlan& plan, std::string& out,
               const std::function<void()>& row_done);

/// `vram recommend`'s options.
struct RecommendRequest {
    std::string sort = "price";
    std::string kinds, vendors;
    std::int64_t max_gpus = 0;
    std::size_t limit = 0;
};
/// Every catalog GPU the scenario fits on; throws UsageError for bad options.
std::string recommend_output(App& app, ScenarioSession& session, const RecommendRequest& request,
                             const std::string& format);

/// `vram compare`: scenarios built from `inputs` (the same order), columns named by label or,
/// where two labels repeat, by the whole argument (`arguments`, the same order).
std::string compare_output(App& app, const std::vector<ScenarioInput>& inputs, std::vector<Scenario> scenarios,
                           const std::vector<std::string>& arguments, const std::string& format,
                           const ReportOptions& options);

/// `vram presets WORD...`.
std::string presets_output(App& app, const std::vector<std::string>& words, const std::string& format);

/// `vram gpus QUERY`: `extra` are rows of --catalog files; `limit` 0 = all.
std::string gpus_output(App& app, const std::string& query, const std::vector<GpuSpec>& extra, std::size_t limit,
                        const std::string& format);

/// `vram symbols`: without a scenario, every declared symbol; with one, its values.
std::string symbols_output(App& app, Scenario* scenario, const std::string& format);

}  // namespace vram::cli
