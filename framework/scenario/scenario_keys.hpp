// scenario/scenario_keys.hpp - numeric scenario keys set in place (the fast path of fit and sweep)
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "vram/export.hpp"
#include "vram/scenario.hpp"

namespace vram {

/// What setting a key in place asks of the Estimator afterwards.
enum class KeyEffect {
    none,        ///< not a numeric key of the fast path: rebuild the scenario from its YAML tree
    prepare,     ///< Estimator::prepare() suffices (workload and parallelism numbers)
    revalidate,  ///< Estimator::revalidate() then prepare() (hardware.memory_gib)
};

/// The numeric keys set in place, with the same ranges the YAML reader enforces.
VRAM_API const std::vector<std::string>& fast_scenario_keys();

/// Smallest value a numeric key allows (1 for workload.batch_size ...); false when `key` is not
/// a fast key.
VRAM_API bool scenario_key_minimum(const std::string& key, double& minimum);

/// Sets `key` to `value` in place when it is a fast key; returns KeyEffect::none (and leaves the
/// scenario alone) otherwise. Throws ScenarioError naming the key and the allowed range when the
/// value is out of range or not an integer where one is needed.
VRAM_API KeyEffect set_scenario_number(Scenario& scenario, const std::string& key, double value);

/// Parses "37", "4096", "0.5" (finite numbers only); false for anything else.
VRAM_API bool parse_number(const std::string& text, double& value);

}  // namespace vram
