// methods.hpp - the PEFT training methods (LoRA, QLoRA, prefix tuning) and their own terms.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "vram/component.hpp"
#include "vram/training.hpp"

namespace vram::plugins {

// Symbols this plugin declares and sets (docs/methods.md); formulas may read them.
inline constexpr const char* kLoraDropout = "lora_dropout";
inline constexpr const char* kDequantTile = "dequant_tile_elements";
inline constexpr const char* kUpcastParams = "kbit_fp32_params";
inline constexpr const char* kPrefixTokens = "n_virtual";
inline constexpr const char* kPrefixTokenDim = "token_dim";

/// LoRA: trainable low-rank adapters on the targeted Linears; the base is frozen (formulas.md §6.1).
class LoraMethod final : public TrainingMethod {
public:
    std::string_view name() const override { return "core.method.lora"; }
    std::string_view key() const override { return "lora"; }
    std::vector<ParamSpec> params() const override;
    void prepare(Context& ctx, const Params& options) const override;
};

/// QLoRA: LoRA over a bitsandbytes 4-bit base (precision.weights nf4 / nf4-dq), 16-bit compute
/// (formulas.md §6.2). Options live under training.qlora (same keys as training.lora).
class QloraMethod final : public TrainingMethod {
public:
    std::string_view name() const override { return "core.method.qlora"; }
    std::string_view key() const override { return "qlora"; }
    std::vector<ParamSpec> params() const override;
    void prepare(Context& ctx, const Params& options) const override;
};

/// Prefix tuning: trainable per-layer key/value prefixes (formulas.md §6.3).
class PrefixMethod final : public TrainingMethod {
public:
    std::string_view name() const override { return "core.method.prefix"; }
    std::string_view key() const override { return "prefix"; }
    std::vector<ParamSpec> params() const override;
    void prepare(Context& ctx, const Params& options) const override;
};

/// QLoRA: bitsandbytes dequantizes one 4-bit Linear to the compute dtype for each matmul
/// (forward and backward); the largest Linear bounds that transient tile.
class DequantTileTerm final : public Component {
public:
    std::string_view id() const override { return "peft.qlora.dequant_tile"; }
    Category category() const override { return Category::buffers; }
    std::string_view formula() const override { return "max_linear_numel × bytes_act / t"; }
    std::string_view source() const override;
    bool applies(const Context& ctx) const override;
    Bytes evaluate(const Context& ctx) const override;
    std::string substitute(const Context& ctx) const override;
    std::string_view phase() const override { return "training"; }
};

/// QLoRA through PEFT's prepare_model_for_kbit_training: the 16-bit parameters the 4-bit format
/// kept become fp32 (2 more bytes each than core.weights counts).
class KbitUpcastTerm final : public Component {
public:
    std::string_view id() const override { return "peft.qlora.fp32_upcast"; }
    Category category() const override { return Category::weights; }
    std::string_view formula() const override { return "kbit_fp32_params × (4 − 2)"; }
    std::string_view source() const override;
    bool applies(const Context& ctx) const override;
    Bytes evaluate(const Context& ctx) const override;
    std::string substitute(const Context& ctx) const override;
};

/// Prefix tuning: every attention layer holds n_virtual extra key/value entries per sequence.
class PrefixKvTerm final : public Component {
public:
    std::string_view id() const override { return "peft.prefix.kv"; }
    Category category() const override { return Category::kv_cache; }
    std::string_view formula() const override { return "b × n_virtual × L × 2 × token_dim × bytes_act"; }
    std::string_view source() const override;
    bool applies(const Context& ctx) const override;
    Bytes evaluate(const Context& ctx) const override;
    std::string substitute(const Context& ctx) const override;
};

}  // namespace vram::plugins
