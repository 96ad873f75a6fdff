// methods.cpp - LoRA, QLoRA and prefix tuning: what they make trainable (formulas.md §6).
// SPDX-License-Identifier: Apache-2.0
#include "methods.hpp"

#include <algorithm>

#include "peft_common.hpp"
#include "vram/error.hpp"
#include "vram/sharding.hpp"

namespace vram::plugins {

namespace {

const char* const kLoraDropout = "lora_dropout";
const char* const kDequantTile = "dequant_tile_elements";
const char* const kUpcastParams = "kbit_fp32_params";
const char* const kPrefixTokens = "n_virtual";
const char* const kPrefixTokenDim = "token_dim";

void set_symbol(Context& ctx, const char* name, const char* unit, const char* meaning, double value) {
    ctx.set(ctx.define(name, unit, meaning), value);
}

}  // namespace

// ---- LoRA ----------------------------------------------------------------------------------

std::vector<ParamSpec> LoraMethod::params() const { return lora_params(); }

void LoraMethod::prepare(Context& ctx, const Params& options) const {
    prepare_lora(ctx, options, "training.lora");
    set_symbol(ctx, kLoraDropout, "probability", "lora_dropout of the adapters", options.number("dropout"));
}

// ---- QLoRA ---------------------------------------------------------------------------------

std::vector<ParamSpec> QloraMethod::params() const {
    auto specs = lora_params();
    specs.push_back({"prepare_kbit", ParamType::boolean, "true",
                     "peft prepare_model_for_kbit_training (TRL calls it for 4-bit models): casts the 16-bit "
                     "parameters the format kept (embeddings, LM head, norms) to fp32; false for LitGPT",
                     0, 0, {}});
    return specs;
}

void QloraMethod::prepare(Context& ctx, const Params& options) const {
    // QLoRA (Dettmers et al. 2023, arXiv 2305.14314) is LoRA over a frozen 4-bit NormalFloat base
    // whose weights bitsandbytes dequantizes to the 16-bit compute dtype per matmul.
    const std::string& f = ctx.weight_format;
    if (f.rfind("nf4", 0) != 0 && f.rfind("fp4", 0) != 0)
        throw ParamError("precision.weights", "training.method qlora needs a bitsandbytes 4-bit "
                                              "base, got '" + f + "'; allowed: nf4, nf4-dq (or method lora for a "
                                              "16-bit base)");
    prepare_lora(ctx, options, "training.qlora");
    set_symbol(ctx, kLoraDropout, "probability", "lora_dropout of the adapters", options.number("dropout"));
    // Largest quantized Linear (one copy): bitsandbytes MatMul4Bit materializes it whole in the
    // compute dtype (F.dequantize_4bit(B, state).to(A.dtype)) in forward and again in backward.
    double tile = 0;
    const auto& m = ctx.model();
    for (std::size_t i = 0; i < m.tensors.size(); ++i) {
        const Tensor& t = m.tensors[i];
        if (!t.linear || t.embedding) continue;
        tile = std::max(tile, static_cast<double>(t.numel()));
    }
    set_symbol(ctx, kDequantTile, "elements", "largest 4-bit Linear dequantized per matmul (QLoRA)", tile);
    // peft utils/other.py prepare_model_for_kbit_training: every fp16/bf16 parameter (the ones the
    // 4-bit format left unquantized: embeddings, LM head, norms, biases) is cast to fp32.
    double kept16 = 0;
    if (options.flag("prepare_kbit"))
        for (const Tensor& t : m.tensors)
            if (!t.linear || t.embedding) kept16 += static_cast<double>(t.numel()) * static_cast<double>(t.copies);
    set_symbol(ctx, kUpcastParams, "parameters", "16-bit parameters prepare_model_for_kbit_training casts to fp32",
               kept16);
    ctx.notes.push_back("training.qlora: base stored in " + f + ", computed in " + ctx.compute_dtype +
                        "; bitsandbytes dequantizes one Linear at a time (largest " +
                        format_count(static_cast<std::uint64_t>(tile)) + " elements)");
}

// ---- prefix tuning -------------------------------------------------------------------------

std::vector<ParamSpec> PrefixMethod::params() const {
    // PrefixTuningConfig (peft src/peft/tuners/prefix_tuning/config.py): num_virtual_tokens,
    // prefix_projection=False, encoder_hidden_size (the projection MLP width).
    return {
        {"num_virtual_tokens", ParamType::integer, "20", "virtual prefix tokens per layer (n_virtual)", 1, 1 << 20, {}},
        {"prefix_projection", ParamType::boolean, "false",
         "reparameterize the prefix through a 2-layer MLP (PrefixEncoder with prefix_projection=True)", 0, 0, {}},
        {"encoder_hidden_size", ParamType::integer, "0",
         "hidden width of the projection MLP; 0 = token_dim", 0, 1 << 24, {}},
        adapter_dtype_spec(),
    };
}

void PrefixMethod::prepare(Context& ctx, const Params& options) const {
    const ModelSpec& m = ctx.model();
    // PEFT _prepare_prompt_learning_config: with num_key_value_heads (GQA) the prefix width per
    // layer and per K or V is the KV width n_kv · head_dim, not the hidden size (PEFT issue #1901).
    const std::int64_t token_dim = m.kv_heads * m.head_dim;
    const std::int64_t n = options.integer("num_virtual_tokens");
    const std::int64_t L = m.layers;
    std::vector<Tensor> tensors;
    Tensor emb;
    emb.group = "adapters";
    emb.name = "prefix_encoder.embedding.weight";
    emb.embedding = true;
    if (!options.flag("prefix_projection")) {
        // Embedding(num_virtual_tokens, L · 2 · token_dim)
        emb.rows = n;
        emb.cols = L * 2 * token_dim;
        tensors.push_back(emb);
    } else {
        // Embedding(n, token_dim) → Linear(token_dim, H) → Tanh → Linear(H, L · 2 · token_dim)
        const std::int64_t hidden = options.integer("encoder_hidden_size") > 0 ? options.integer("encoder_hidden_size")
                                                                               : token_dim;
        emb.rows = n;
        emb.cols = token_dim;
        tensors.push_back(emb);
        Tensor l1;
        l1.group = "adapters";
        l1.linear = true;
        l1.name = "prefix_encoder.transform.0.weight";
        l1.rows = hidden;
        l1.cols = token_dim;
        tensors.push_back(l1);
        Tensor b1 = l1;
        b1.name = "prefix_encoder.transform.0.bias";
        b1.linear = false;
        b1.cols = 1;
        tensors.push_back(b1);
        Tensor l2 = l1;
        l2.name = "prefix_encoder.transform.2.weight";
        l2.rows = L * 2 * token_dim;
        l2.cols = hidden;
        tensors.push_back(l2);
        Tensor b2 = b1;
        b2.name = "prefix_encoder.transform.2.bias";
        b2.rows = L * 2 * token_dim;
        tensors.push_back(b2);
    }
    publish_adapters(ctx, tensors, adapter_dtype_bytes(options.string("dtype"), "training.prefix.dtype"));
    set_symbol(ctx, kPrefixTokens, "tokens", "prefix-tuning virtual tokens per layer", static_cast<double>(n));
    set_symbol(ctx, kPrefixTokenDim, "elements", "prefix width per layer for K or V: n_kv · head_dim",
               static_cast<double>(token_dim));
    ctx.notes.push_back("training.prefix: " + std::to_string(n) + " virtual tokens × " + std::to_string(L) +
                        " layers × 2 (K, V) × token_dim " + std::to_string(token_dim) + " (n_kv " +
                        std::to_string(m.kv_heads) + " × head_dim " + std::to_string(m.head_dim) + ")" +
                        (options.flag("prefix_projection") ? " through the projection MLP" : "") + " = " +
                        format_count(static_cast<std::uint64_t>(ctx[Sym::P_trainable])) + " trainable parameters");
}

// ---- adapter weights -----------------------------------------------------------------------

std::string_view AdapterWeightsTerm::source() const {
    return "exact adapter tensors of the PEFT method (peft tuners/lora/layer.py update_layer; "
           "prefix_tuning/model.py PrefixEncoder); dtype fp32 under PEFT's autocast_adapter_dtype=True";
}

bool AdapterWeightsTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && symbol_or_zero(ctx, kAdapterParams) > 0;
}

Bytes AdapterWeightsTerm::evaluate(const Context& ctx) const {
    // Only the adapters of the layers on this rank's pipeline stage; adapters of a Linear split by
    // tensor parallelism are split with it (parameters_on_rank applies the same placement rules).
    return to_bytes(parameters_on_rank(ctx, ctx.trainable_tensors) * symbol_or_zero(ctx, kBytesTrainable),
                    "peft.adapters.weights");
}

std::string AdapterWeightsTerm::substitute(const Context& ctx) const {
    return format_count(static_cast<std::uint64_t>(parameters_on_rank(ctx, ctx.trainable_tensors))) +
           " adapter params on this rank × " + format_number(symbol_or_zero(ctx, kBytesTrainable)) + " B = " +
           format_count(evaluate(ctx)) + " B";
}

// ---- LoRA's own activations ----------------------------------------------------------------

namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Saved elements per token from LoRA's own modules, on this rank: rank-r outputs of every
// lora_A, plus the dropped-out input and its 1-byte mask per adapted Linear when dropout > 0.
// With full gradient checkpointing only the layer being recomputed holds them.
struct LoraSaved {
    double a_out = 0;      // elements (compute dtype)
    double dropout_in = 0; // elements (compute dtype) + the same count of 1-byte mask entries
};

LoraSaved lora_saved(const Context& ctx) {
    const bool dropout = symbol_or_zero(ctx, kLoraDropout) > 0;
    const auto stage = static_cast<std::int64_t>(ctx[Sym::stage]);
    const auto p = static_cast<std::int64_t>(ctx[Sym::p]);
    const bool checkpointed = ctx.scenario().training.gradient_checkpointing == "full";
    const ModelSpec& m = ctx.model();
    LoraSaved total, layer_max, layer;
    std::int32_t current = -2;
    for (const auto& t : ctx.trainable_tensors) {
        if (!ends_with(t.name, ".lora_A.weight") || !on_pipeline_stage(t, m, stage, p)) continue;
        if (t.layer != current) {
            layer_max.a_out = std::max(layer_max.a_out, layer.a_out);
            layer_max.dropout_in = std::max(layer_max.dropout_in, layer.dropout_in);
            layer = {};
            current = t.layer;
        }
        // Routed experts see top-k copies of each token.
        const double copies = static_cast<double>(t.active_copies);
        layer.a_out += static_cast<double>(t.rows) * copies;
        if (dropout) layer.dropout_in += static_cast<double>(t.cols) * copies;
        total.a_out += static_cast<double>(t.rows) * copies;
        if (dropout) total.dropout_in += static_cast<double>(t.cols) * copies;
    }
    layer_max.a_out = std::max(layer_max.a_out, layer.a_out);
    layer_max.dropout_in = std::max(layer_max.dropout_in, layer.dropout_in);
    return checkpointed ? layer_max : total;
}

}  // namespace

std::string_view LoraActivationsTerm::formula() const {
    return "b × s / cp × Σ_adapted (r × bytes_act + [lora_dropout > 0] × d_in × (bytes_act + 1))";
}

std::string_view LoraActivationsTerm::source() const {
    return "peft tuners/lora/layer.py Linear.forward: lora_B(lora_A(dropout(x))) — autograd saves lora_A's "
           "output for lora_B's weight gradient and, with dropout, the dropped input for lora_A's and its bool "
           "mask [DER]; LoRA-FA (arXiv 2308.03303): LoRA still needs the full-rank input activations";
}

bool LoraActivationsTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && ctx.find(kLoraDropout).has_value();
}

Bytes LoraActivationsTerm::evaluate(const Context& ctx) const {
    const LoraSaved k = lora_saved(ctx);
    const double cp = std::max(1.0, ctx[Sym::cp]);
    const double tokens = ctx[Sym::b] * ctx[Sym::s] / cp;
    const double bytes = ctx[Sym::bytes_act];
    return to_bytes(tokens * (k.a_out * bytes + k.dropout_in * (bytes + 1)), "peft.lora.activations");
}

std::string LoraActivationsTerm::substitute(const Context& ctx) const {
    const LoraSaved k = lora_saved(ctx);
    return format_number(ctx[Sym::b]) + " × " + format_number(ctx[Sym::s]) + " tokens × (" + format_number(k.a_out) +
           " × " + format_number(ctx[Sym::bytes_act]) + " B + " + format_number(k.dropout_in) + " × " +
           format_number(ctx[Sym::bytes_act] + 1) + " B) = " + format_count(evaluate(ctx)) + " B";
}

// ---- QLoRA dequantized tile ----------------------------------------------------------------

std::string_view DequantTileTerm::source() const {
    return "bitsandbytes autograd/_functions.py MatMul4Bit: F.dequantize_4bit(B, state).to(A.dtype) before the "
           "matmul, in forward and in backward (transient, one Linear at a time) [DER]";
}

bool DequantTileTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && symbol_or_zero(ctx, kDequantTile) > 0;
}

Bytes DequantTileTerm::evaluate(const Context& ctx) const {
    return to_bytes(symbol_or_zero(ctx, kDequantTile) * ctx[Sym::bytes_act] / std::max(1.0, ctx[Sym::t]),
                    "peft.qlora.dequant_tile");
}

std::string DequantTileTerm::substitute(const Context& ctx) const {
    return format_count(static_cast<std::uint64_t>(symbol_or_zero(ctx, kDequantTile))) + " × " +
           format_number(ctx[Sym::bytes_act]) + " B / " + format_number(std::max(1.0, ctx[Sym::t])) + " = " +
           format_count(evaluate(ctx)) + " B";
}

// ---- QLoRA fp32 upcast --------------------------------------------------------------------

std::string_view KbitUpcastTerm::source() const {
    return "peft utils/other.py prepare_model_for_kbit_training: param.data = param.data.to(torch.float32) for every "
           "fp16/bf16 parameter of a 4-bit model (TRL SFTTrainer/GRPOTrainer call it for quantized models): 4 bytes "
           "instead of the 2 core.weights counts";
}

bool KbitUpcastTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && symbol_or_zero(ctx, kUpcastParams) > 0;
}

Bytes KbitUpcastTerm::evaluate(const Context& ctx) const {
    return to_bytes(symbol_or_zero(ctx, kUpcastParams) * 2, "peft.qlora.fp32_upcast");
}

std::string KbitUpcastTerm::substitute(const Context& ctx) const {
    return format_count(static_cast<std::uint64_t>(symbol_or_zero(ctx, kUpcastParams))) + " × (4 − 2) B = " +
           format_count(evaluate(ctx)) + " B";
}

// ---- prefix KV -----------------------------------------------------------------------------

std::string_view PrefixKvTerm::source() const {
    return "peft PeftModelForCausalLM.get_prompt: the PrefixEncoder output, expanded to the batch, is passed as "
           "past_key_values (n_virtual entries per layer for K and V); formulas.md §6.3";
}

bool PrefixKvTerm::applies(const Context& ctx) const { return symbol_or_zero(ctx, kPrefixTokens) > 0; }

Bytes PrefixKvTerm::evaluate(const Context& ctx) const {
    const double per_seq = symbol_or_zero(ctx, kPrefixTokens) * ctx[Sym::L] / std::max(1.0, ctx[Sym::p]) * 2 *
                           symbol_or_zero(ctx, kPrefixTokenDim) / std::max(1.0, ctx[Sym::t]);
    return to_bytes(ctx[Sym::b] * per_seq * ctx[Sym::bytes_act], "peft.prefix.kv");
}

std::string PrefixKvTerm::substitute(const Context& ctx) const {
    return format_number(ctx[Sym::b]) + " × " + format_number(symbol_or_zero(ctx, kPrefixTokens)) + " × " +
           format_number(ctx[Sym::L]) + " × 2 × " + format_number(symbol_or_zero(ctx, kPrefixTokenDim)) + " × " +
           format_number(ctx[Sym::bytes_act]) + " B = " + format_count(evaluate(ctx)) + " B";
}

}  // namespace vram::plugins
