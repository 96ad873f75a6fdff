// scenario_session.hpp - a scenario parsed once and re-evaluated many times (fit, sweep, recommend).
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "app.hpp"
#include "vram/config_node.hpp"
#include "pipeline/estimate.hpp"
#include "scenario/scenario_keys.hpp"
#include "scenario_input.hpp"

namespace vram::cli {

/// `--catalog FILE` as a scenario override (absolute, so it does not resolve against the scenario).
Override catalog_override(const std::string& file);
/// The catalog override as a list (empty when `file` is empty), for ScenarioInput's `extra`.
std::vector<Override> catalog_overrides(const std::string& file);

/// Parses the YAML once. Numeric keys (scenario_keys.hpp) are set in place and only the numbers
/// are prepared again; other keys rebuild the scenario from the parsed tree (no file access).
class ScenarioSession {
public:
    ScenarioSession(App& app, const CommonOptions& common, ScenarioInput input);
    /// Stages `key=value` for the next apply().
    void set(const std::string& key, const std::string& value);
    /// Numeric fast path of set() (the key must be one of fast_scenario_keys()).
    void set_number(const std::string& key, double value);
    /// Makes the staged values current: rebuilds if a slow key changed, then prepares.
    void apply();
    Estimator& estimator() noexcept { return *estimator_; }
    const ScenarioInput& input() const noexcept { return input_; }

private:
    void rebuild();
    App& app_;
    ScenarioInput input_;
    std::vector<std::pair<std::string, std::string>> slow_;   // key, value (rebuild)
    std::vector<std::pair<std::string, double>> fast_;        // key, value (in place)
    bool slow_dirty_ = false;
    std::unique_ptr<Estimator> estimator_;
};

}  // namespace vram::cli
