// training_rl.cpp - plugin entry: DPO, GRPO and PPO objectives and their terms.
// SPDX-License-Identifier: Apache-2.0
#include "objectives.hpp"
#include "ppo.hpp"
#include "vram/plugin_api.hpp"

VRAM_PLUGIN(vram_training_rl, "0.1.0") {
    using namespace vram::plugins;
    reg.declare(kRefWeights, "flag", "1 when a separate frozen reference model is loaded");
    reg.declare(kRefForward, "flag", "1 when reference log-probs are computed during the step");
    reg.declare(kLogitsTokens, "tokens", "positions per sequence the LM head computes logits for");
    reg.declare(kGrpoPrompt, "tokens", "GRPO prompt length");
    reg.declare(kGrpoCompletion, "tokens", "GRPO completion length");
    reg.declare(kGrpoSteps, "steps", "GRPO steps_per_generation");
    reg.declare(kVllmUtil, "fraction", "colocated vLLM gpu_memory_utilization (0: HF generate)");
    reg.declare(kVllmSleep, "flag", "1 when vLLM sleep mode frees its pool outside generation");
    reg.declare(kPpoPrompt, "tokens", "PPO prompt tokens per query");
    reg.declare(kPpoResponse, "tokens", "PPO response_length");
    reg.declare(kPpoRollout, "sequences", "PPO queries one rollout generates per GPU");
    reg.declare(kPpoValueParams, "parameters", "PPO value model parameters (LM head replaced by a score head)");
    reg.declare(kPpoReward, "flag", "1 when PPO loads a frozen reward model");
    reg.declare(kPpoGather, "flag", "1 when PPO's rollout gathers the ZeRO-3 engine (ds3_gather_for_generation)");
    reg.declare(kRef16bit, "flag", "1 when the reference model is loaded in bf16 whatever the actor's dtype (verl)");
    reg.declare(kPpoVerl, "flag", "1 when PPO runs in verl's colocated FSDP layout (rollout in vLLM)");
    reg.declare(kPpoOpenRlhf, "flag", "1 when PPO runs in OpenRLHF's Ray layout (one GPU group per role)");
    reg.declare(kPpoCritic, "flag", "1 when the estimate is OpenRLHF's critic group (else its actor group)");
    reg.declare(kPpoMicroRollout, "sequences", "sequences per OpenRLHF experience forward (rollout.micro_batch_size)");
    reg.add(std::make_unique<DpoObjective>());
    reg.add(std::make_unique<GrpoObjective>());
    reg.add(std::make_unique<ReferenceWeightsTerm>());
    reg.add(std::make_unique<DpoReferenceLogitsTerm>());
    reg.add(std::make_unique<GrpoGenerationKvTerm>());
    reg.add(std::make_unique<GrpoGenerationLogitsTerm>());
    reg.add(std::make_unique<GrpoScoringLogitsTerm>());
    reg.add(std::make_unique<VllmPoolTerm>());
    reg.add(std::make_unique<VllmPoolSleepTerm>());
    reg.add(std::make_unique<PpoObjective>());
    reg.add(std::make_unique<PpoValueWeightsTerm>());
    reg.add(std::make_unique<PpoRewardWeightsTerm>());
    reg.add(std::make_unique<PpoRolloutGatherTerm>());
    reg.add(std::make_unique<PpoRolloutTerm>());
    reg.add(std::make_unique<PpoExperienceLogitsTerm>());
}
