// count_auto.cpp - hardware.count: auto, the fewest GPUs whose layout fits.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>

#include "pipeline/estimator_impl.hpp"

namespace vram {
namespace {

// Tensor parallel must divide the attention heads and divide or be a multiple of the KV heads.
bool tensor_allowed(const ModelSpec& model, std::int64_t t) {
    if (model.heads % t != 0) return false;
    return t > model.kv_heads ? t % model.kv_heads == 0 : model.kv_heads % t == 0;
}

bool same_layout(const ParallelismSpec& a, const ParallelismSpec& b) {
    return a.tensor == b.tensor && a.pipeline == b.pipeline && a.data == b.data && a.context == b.context;
}

}  // namespace

// count: auto: the fewest GPUs whose layout fits, among the layouts the engine runs
// (docs/serving.md "count: auto"):
// - vLLM (and scenario-defined engines): tensor parallel inside a node first, a power of two up
//   to 8 dividing the attention heads (vLLM asserts num_heads % tp == 0; model_executor/models
//   *_attention), then pipeline stages for the rest (at most one per layer);
// - HF transformers inference and llama.cpp: layers split over the GPUs (accelerate's
//   device_map="auto", llama.cpp --split-mode layer): pipeline only;
// - training: data-parallel ranks with the scenario's ZeRO/FSDP sharding (HF Trainer, TRL,
//   DeepSpeed, FSDP), which is all transformers can run; without sharding, more GPUs lower no
//   per-GPU byte, so the search stops with that reason. Tensor or pipeline sizes the scenario
//   fixes above 1 are kept.
// The first candidate in that order that fits (bytes and the engine's admission) wins.
// Beyond 64 GPUs only whole 8-GPU nodes are tried.
void Estimator::Impl::resolve_count_auto() {
    if (!scenario.hardware.count_auto) return;
    if (!have_gpu) fail_at("hardware.count", "hardware.count: auto needs hardware.gpu or hardware.memory_gib");
    if (!auto_resolved || !same_layout(scenario.parallelism, auto_layout)) auto_base = scenario.parallelism;
    const ParallelismSpec base = auto_base;
    const bool training = scenario.training_run();
    const bool shard_states = training && (base.zero > 0 || base.fsdp != "none");
    const std::string& engine = scenario.runtime.engine;
    const bool layer_split = !training && (engine == "hf" || engine == "llama.cpp");
    constexpr std::int64_t kMaxGpus = 4096;
    auto fits_with = [&](const ParallelismSpec& q) {
        scenario.parallelism = q;
        try {
            prepare();
        } catch (const ScenarioError&) {
            return false;  // layout not allowed for this model (experts ...)
        }
        return evaluate_peak() <= usable && admitted(nullptr);
    };
    auto accept = [&](const ParallelismSpec& q) {
        auto_layout = q;
        auto_resolved = true;
    };
    for (std::int64_t n = 1; n <= kMaxGpus; n += n < 64 ? 1 : 8) {
        if (training) {
            const std::int64_t fixed = base.tensor * base.pipeline * base.context;
            if (n % fixed != 0) continue;
            ParallelismSpec q = base;
            q.data = n / fixed;
            if (fits_with(q)) return accept(q);
            if (!shard_states && n == fixed) {
                scenario.parallelism = base;
                prepare();
                fail_at("hardware.count", "hardware.count: auto: " + std::to_string(n) + " GPU(s) of " + gpu.name +
                                              " do not fit and data-parallel replicas without ZeRO or FSDP keep every "
                                              "byte on every GPU; allowed: parallelism.zero 1-3 or parallelism.fsdp, "
                                              "or a fixed hardware.count with tensor/pipeline sizes");
            }
            continue;
        }
        const std::int64_t rest = base.data * base.context;
        if (n % rest != 0) continue;
        const std::int64_t m = n / rest;
        for (std::int64_t t = std::min<std::int64_t>(m, 8); t >= 1; --t) {
            if (m % t != 0 || (base.tensor > 1 && t != base.tensor) || !tensor_allowed(model, t)) continue;
            if (layer_split && t > 1 && base.tensor != t) continue;
            if (!layer_split && (t & (t - 1)) != 0 && base.tensor != t) continue;  // powers of two
            const std::int64_t p = m / t;
            if (p > model.layers || (base.pipeline > 1 && p != base.pipeline)) continue;
            ParallelismSpec q = base;
            q.tensor = t;
            q.pipeline = p;
            if (fits_with(q)) return accept(q);
        }
    }
    scenario.parallelism = base;
    prepare();
    fail_at("hardware.count", "hardware.count: auto: no layout up to " + std::to_string(kMaxGpus) + " GPUs of " +
                                  gpu.name + " fits");
}

}  // namespace vram
