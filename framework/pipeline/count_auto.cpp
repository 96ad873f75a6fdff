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

// count: auto: the fewest GPUs whose layout fits. Inference (and training without sharded
// states, where data-parallel replicas never lower the per-GPU bytes) splits the model as
// serving engines do: tensor parallel inside a node (at most 8; it must divide the attention
// heads and divide or be a multiple of the KV heads), then pipeline stages (at most one per
// layer). Training with ZeRO/FSDP adds data-parallel ranks. Sizes above 1 that the scenario
// fixes are kept. Beyond 64 GPUs only whole 8-GPU nodes are tried.
void Estimator::Impl::resolve_count_auto() {
    if (!scenario.hardware.count_auto) return;
    if (!have_gpu) fail_at("hardware.count", "hardware.count: auto needs hardware.gpu or hardware.memory_gib");
    if (!auto_resolved || !same_layout(scenario.parallelism, auto_layout)) auto_base = scenario.parallelism;
    const ParallelismSpec base = auto_base;
    const bool shard_states = scenario.training_run() && (base.zero > 0 || base.fsdp != "none");
    constexpr std::int64_t kMaxGpus = 4096;
    for (std::int64_t n = 1; n <= kMaxGpus; n += n < 64 ? 1 : 8) {
        ParallelismSpec best = base;
        Bytes best_peak = 0;
        bool found = false;
        auto consider = [&](const ParallelismSpec& q) {
            scenario.parallelism = q;
            try {
                prepare();
            } catch (const ScenarioError&) {
                return;  // layout not allowed for this model (experts ...)
            }
            const Bytes peak = evaluate_peak();
            if (!found || peak < best_peak) best = q, best_peak = peak, found = true;
        };
        if (shard_states) {
            const std::int64_t fixed = base.tensor * base.pipeline * base.context;
            if (n % fixed == 0) {
                ParallelismSpec q = base;
                q.data = n / fixed;
                consider(q);
            }
        } else {
            const std::int64_t rest = base.data * base.context;
            if (n % rest != 0) continue;
            const std::int64_t m = n / rest;
            for (std::int64_t t = 1; t <= std::min<std::int64_t>(m, 8); ++t) {
                if (m % t != 0 || (base.tensor > 1 && t != base.tensor) || !tensor_allowed(model, t)) continue;
                const std::int64_t p = m / t;
                if (p > model.layers || (base.pipeline > 1 && p != base.pipeline)) continue;
                ParallelismSpec q = base;
                q.tensor = t;
                q.pipeline = p;
                consider(q);
            }
        }
        if (found && best_peak <= usable) {
            scenario.parallelism = best;
            prepare();
            auto_layout = best;
            auto_resolved = true;
            return;
        }
    }
    scenario.parallelism = base;
    prepare();
    fail_at("hardware.count", "hardware.count: auto: no layout up to " + std::to_string(kMaxGpus) + " GPUs of " +
                                  gpu.name + " fits");
}

}  // namespace vram
