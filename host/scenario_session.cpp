// scenario_session.cpp - parse once, re-evaluate numbers (the speed contract of fit and sweep).
// SPDX-License-Identifier: Apache-2.0
#include "scenario_session.hpp"

#include <algorithm>
#include <filesystem>

#include "vram/error.hpp"
#include "scenario/scenario_loader.hpp"

namespace vram::cli {

Override catalog_override(const std::string& file) {
    std::error_code ec;
    const auto abs = std::filesystem::absolute(file, ec);
    return {"hardware.catalog=" + (ec ? file : abs.string()), "--catalog " + file};
}

std::vector<Override> catalog_overrides(const std::string& file) {
    if (file.empty()) return {};
    return {catalog_override(file)};
}

ScenarioSession::ScenarioSession(App& app, const CommonOptions& common, ScenarioInput input)
    : app_(app), input_(std::move(input)) {
    Scenario scenario = input_.build();
    app_.load_plugins(common, scenario.plugins, scenario.directory);
    estimator_ = std::make_unique<Estimator>(app_.registry(), std::move(scenario), app_.preset_dir());
}

void ScenarioSession::set(const std::string& key, const std::string& value) {
    double number = 0;
    const auto& fast = fast_scenario_keys();
    if (std::find(fast.begin(), fast.end(), key) != fast.end() && parse_number(value, number)) {
        set_number(key, number);
        return;
    }
    auto it = std::find_if(slow_.begin(), slow_.end(), [&](const auto& kv) { return kv.first == key; });
    if (it == slow_.end()) slow_.emplace_back(key, value), slow_dirty_ = true;
    else if (it->second != value) it->second = value, slow_dirty_ = true;
}

void ScenarioSession::set_number(const std::string& key, double value) {
    auto it = std::find_if(fast_.begin(), fast_.end(), [&](const auto& kv) { return kv.first == key; });
    if (it == fast_.end()) fast_.emplace_back(key, value);
    else it->second = value;
}

void ScenarioSession::rebuild() {
    std::vector<Override> more;
    for (const auto& [k, v] : slow_) more.push_back({k + "=" + v, {}});
    Scenario scenario = input_.build(more);
    estimator_ = std::make_unique<Estimator>(app_.registry(), std::move(scenario), app_.preset_dir());
    slow_dirty_ = false;
}

void ScenarioSession::apply() {
    if (slow_dirty_) rebuild();
    bool revalidate = false;
    for (const auto& [k, v] : fast_)
        if (set_scenario_number(estimator_->scenario(), k, v) == KeyEffect::revalidate) revalidate = true;
    if (revalidate) estimator_->revalidate();
    estimator_->prepare();
}

}  // namespace vram::cli
