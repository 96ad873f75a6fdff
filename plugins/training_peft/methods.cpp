// methods.cpp - LoRA, QLoRA and prefix tuning: what they make trainable (formulas.md §6).
// SPDX-License-Identifier: Apache-2.0
#include "methods.hpp"

#include <algorithm>

#include "peft_common.hpp"
#include "vram/error.hpp"
#include "vram/sharding.hpp"

namespace vram::plugins {

namespace {

void set_symbol(Context& ctx, const char* name, double value) { ctx.set(ctx.symbol(name), value); }

}  // namespace

// ---- LoRA ----------------------------------------------------------------------------------

std::vector<ParamSpec> LoraMethod::params() const { return lora_params(); }

void LoraMethod::prepare(Context& ctx, const Params& options) const {
    prepare_lora(ctx, options, "training.lora");
    set_symbol(ctx, kLoraDropout, options.number("dropout"));
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
    set_symbol(ctx, kLoraDropout, options.number("dropout"));
    // Largest quantized Linear (one copy): bitsandbytes MatMul4Bit materializes it whole in the
    // compute dtype (F.dequantize_4bit(B, state).to(A.dtype)) in forward and again in backward.
    double tile = 0;
    const auto& m = ctx.model();
    for (std::size_t i = 0; i < m.tensors.size(); ++i) {
        const Tensor& t = m.tensors[i];
        if (!t.linear || t.embedding) continue;
        tile = std::max(tile, static_cast<double>(t.numel()));
    }
    set_symbol(ctx, kDequantTile, tile);
    // peft utils/other.py prepare_model_for_kbit_training: every fp16/bf16 parameter (the ones the
    // 4-bit format left unquantized: embeddings, LM head, norms, biases) is cast to fp32.
    double kept16 = 0;
    if (options.flag("prepare_kbit"))
        for (const Tensor& t : m.tensors)
            if (!t.linear || t.embedding) kept16 += static_cast<double>(t.numel()) * static_cast<double>(t.copies);
    set_symbol(ctx, kUpcastParams, kept16);
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
    set_symbol(ctx, kPrefixTokens, static_cast<double>(n));
    set_symbol(ctx, kPrefixTokenDim, static_cast<double>(token_dim));
    ctx.notes.push_back("training.prefix: " + std::to_string(n) + " virtual tokens × " + std::to_string(L) +
                        " layers × 2 (K, V) × token_dim " + std::to_string(token_dim) + " (n_kv " +
                        std::to_string(m.kv_heads) + " × head_dim " + std::to_string(m.head_dim) + ")" +
                        (options.flag("prefix_projection") ? " through the projection MLP" : "") + " = " +
                        format_count(static_cast<std::uint64_t>(ctx[Sym::P_trainable])) + " trainable parameters");
}

// ---- QLoRA dequantized tile ----------------------------------------------------------------

bool DequantTileTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && ctx.get(kDequantTile) > 0;
}

Bytes DequantTileTerm::compute(const Context& ctx, std::string* explain) const {
    const double tile = ctx.get(kDequantTile);
    const Bytes bytes = to_bytes(tile * ctx[Sym::bytes_act] / std::max(1.0, ctx[Sym::t]), kId.data());
    if (explain)
        *explain = format_count(static_cast<std::uint64_t>(tile)) + " × " +
                   format_number(ctx[Sym::bytes_act]) + " B / " + format_number(std::max(1.0, ctx[Sym::t])) + " = " +
                   format_count(bytes) + " B";
    return bytes;
}

// ---- QLoRA fp32 upcast --------------------------------------------------------------------

bool KbitUpcastTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && ctx.get(kUpcastParams) > 0;
}

Bytes KbitUpcastTerm::compute(const Context& ctx, std::string* explain) const {
    const double params = ctx.get(kUpcastParams);
    const Bytes bytes = to_bytes(params * 2, kId.data());
    if (explain)
        *explain = format_count(static_cast<std::uint64_t>(params)) + " × (4 − 2) B = " + format_count(bytes) + " B";
    return bytes;
}

// ---- prefix KV -----------------------------------------------------------------------------

bool PrefixKvTerm::applies(const Context& ctx) const { return ctx.get(kPrefixTokens) > 0; }

Bytes PrefixKvTerm::compute(const Context& ctx, std::string* explain) const {
    const double tokens = ctx.get(kPrefixTokens), token_dim = ctx.get(kPrefixTokenDim);
    const double per_seq =
        tokens * ctx[Sym::L] / std::max(1.0, ctx[Sym::p]) * 2 * token_dim / std::max(1.0, ctx[Sym::t]);
    const Bytes bytes = to_bytes(ctx[Sym::b] * per_seq * ctx[Sym::bytes_act], kId.data());
    if (explain)
        *explain = format_number(ctx[Sym::b]) + " × " + format_number(tokens) + " × " + format_number(ctx[Sym::L]) +
                   " × 2 × " + format_number(token_dim) + " × " +
                   format_number(ctx[Sym::bytes_act]) + " B = " + format_count(bytes) + " B";
    return bytes;
}

}  // namespace vram::plugins
