// terms.hpp - the core formula components every scenario uses.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "vram/component.hpp"

namespace vram::plugins {

/// Stored weights on the rank: Σ tensor bytes in the weight format, split by TP/PP/EP
/// (and by the data-parallel group under ZeRO-3 / FSDP full_shard).
class WeightsTerm final : public Component {
public:
    std::string_view id() const override { return "core.weights"; }
    Category category() const override { return Category::weights; }
    std::string_view formula() const override;
    std::string_view source() const override;
    // llama.cpp keeps the token embedding in host memory: its own term (llama.cpp.weights) counts
    // what is offloaded.
    bool applies(const Context& ctx) const override { return ctx.scenario().runtime.engine != "llama.cpp"; }
    Bytes evaluate(const Context& ctx) const override;
    std::string substitute(const Context& ctx) const override;
};

/// KV cache (and recurrent state) of the batch while serving.
class KvCacheTerm final : public Component {
public:
    std::string_view id() const override { return "core.kv_cache"; }
    Category category() const override { return Category::kv_cache; }
    std::string_view formula() const override;
    std::string_view source() const override;
    bool applies(const Context& ctx) const override;
    Bytes evaluate(const Context& ctx) const override;
    std::string substitute(const Context& ctx) const override;
};

/// Transient activations of one decoder layer during prefill (eager HF generate).
class InferenceActivationsTerm final : public Component {
public:
    std::string_view id() const override { return "core.activations.prefill"; }
    Category category() const override { return Category::activations; }
    std::string_view formula() const override;
    std::string_view source() const override;
    bool applies(const Context& ctx) const override;
    Bytes evaluate(const Context& ctx) const override;
    std::string substitute(const Context& ctx) const override;
};

/// Logits of the last position per sequence, fp32 upcast (HF generate, logits_to_keep = 1).
class InferenceLogitsTerm final : public Component {
public:
    std::string_view id() const override { return "core.logits.generate"; }
    Category category() const override { return Category::logits; }
    std::string_view formula() const override;
    std::string_view source() const override;
    bool applies(const Context& ctx) const override;
    Bytes evaluate(const Context& ctx) const override;
    std::string substitute(const Context& ctx) const override;
};

/// CUDA context and kernels of the process on each GPU (fixed, never a share of the model).
class CudaContextTerm final : public Component {
public:
    std::string_view id() const override { return "core.overhead.cuda_context"; }
    Category category() const override { return Category::overhead; }
    std::string_view formula() const override { return "cuda_context (per process per GPU)"; }
    std::string_view source() const override;
    bool applies(const Context& ctx) const override { return ctx[Sym::cuda_context] > 0; }
    Bytes evaluate(const Context& ctx) const override;
    std::string substitute(const Context& ctx) const override;
};

/// Whether the engine is the eager HF transformers runtime (its own transient terms apply).
bool hf_engine(const Context& ctx) noexcept;

}  // namespace vram::plugins
