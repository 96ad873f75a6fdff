// training_rl.cpp - plugin entry: DPO and GRPO objectives and their terms.
// SPDX-License-Identifier: Apache-2.0
#include "objectives.hpp"
#include "vram/plugin_api.hpp"

VRAM_PLUGIN(vram_training_rl, "0.1.0") {
    using namespace vram::plugins;
    reg.add(std::make_unique<DpoObjective>());
    reg.add(std::make_unique<GrpoObjective>());
    reg.add(std::make_unique<ReferenceWeightsTerm>());
    reg.add(std::make_unique<DpoReferenceLogitsTerm>());
    reg.add(std::make_unique<GrpoGenerationKvTerm>());
    reg.add(std::make_unique<GrpoGenerationLogitsTerm>());
    reg.add(std::make_unique<GrpoScoringLogitsTerm>());
    reg.add(std::make_unique<VllmPoolTerm>());
    reg.add(std::make_unique<VllmPoolSleepTerm>());
}
