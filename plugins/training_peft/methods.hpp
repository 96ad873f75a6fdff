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
    std::vector<std::string_view> option_block_aliases() const override { return {"lora"}; }
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
class DequantTileTerm final : public TermInfo<DequantTileTerm> {
public:
    static constexpr std::string_view kId = "peft.qlora.dequant_tile";
    static constexpr Category kCategory = Category::buffers;
    static constexpr std::string_view kFormula = "max_linear_numel × bytes_act / t";
    static constexpr std::string_view kSource =
        "bitsandbytes autograd/_functions.py MatMul4Bit: F.dequantize_4bit(B, state).to(A.dtype) before the "
        "matmul, in forward and in backward (transient, one Linear at a time) [DER]";
    bool applies(const Context& ctx) const override;
    std::vector<std::string> reads() const override { return {kDequantTile}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::string_view phase() const override { return "training"; }
};

/// QLoRA through PEFT's prepare_model_for_kbit_training: the 16-bit parameters the 4-bit format
/// kept become fp32 (2 more bytes each than core.weights counts).
class KbitUpcastTerm final : public TermInfo<KbitUpcastTerm> {
public:
    static constexpr std::string_view kId = "peft.qlora.fp32_upcast";
    static constexpr Category kCategory = Category::weights;
    static constexpr std::string_view kFormula = "kbit_fp32_params × (4 − 2)";
    static constexpr std::string_view kSource =
        "peft utils/other.py prepare_model_for_kbit_training: param.data = param.data.to(torch.float32) for every "
        "fp16/bf16 parameter of a 4-bit model (TRL SFTTrainer/GRPOTrainer call it for quantized models): 4 bytes "
        "instead of the 2 core.weights counts";
    bool applies(const Context& ctx) const override;
    std::vector<std::string> reads() const override { return {kUpcastParams}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

/// Prefix tuning: every attention layer holds n_virtual extra key/value entries per sequence.
class PrefixKvTerm final : public TermInfo<PrefixKvTerm> {
public:
    static constexpr std::string_view kId = "peft.prefix.kv";
    static constexpr Category kCategory = Category::kv_cache;
    static constexpr std::string_view kFormula = "b × n_virtual × L × 2 × token_dim × bytes_act";
    static constexpr std::string_view kSource =
        "peft PeftModelForCausalLM.get_prompt: the PrefixEncoder output, expanded to the batch, is passed as "
        "past_key_values (n_virtual entries per layer for K and V); formulas.md §6.3";
    bool applies(const Context& ctx) const override;
    std::vector<std::string> reads() const override { return {kPrefixTokens, kPrefixTokenDim}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

}  // namespace vram::plugins
