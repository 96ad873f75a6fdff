// gguf_formats.cpp - llama.cpp GGUF file types: the ggml block sizes (ggml-common.h) and the
// per-tensor type choices of llama-quant.cpp llama_tensor_get_type (formulas.md §2.1-2.3).
// SPDX-License-Identifier: Apache-2.0
#include "quant_formats.hpp"

#include <algorithm>

namespace vram::plugins {
namespace {

struct Block {
    std::int64_t elements;  // weights per block
    std::int64_t bytes;     // bytes per block
};

// ggml-common.h: block_q4_0 = fp16 d + 16 B of nibbles (18 B / 32); q4_1 adds fp16 m (20 B);
// q5_0 = d + 4 B high bits + 16 B (22 B); q5_1 24 B; q8_0 = d + 32 int8 (34 B); super-blocks of
// QK_K = 256: q4_K 144 B, q5_K 176 B, q6_K 210 B.
Block block_of(GgmlType type) {
    switch (type) {
        case GgmlType::f32: return {1, 4};
        case GgmlType::f16: return {1, 2};
        case GgmlType::q4_0: return {32, 18};
        case GgmlType::q4_1: return {32, 20};
        case GgmlType::q5_0: return {32, 22};
        case GgmlType::q5_1: return {32, 24};
        case GgmlType::q8_0: return {32, 34};
        case GgmlType::q4_k: return {256, 144};
        case GgmlType::q5_k: return {256, 176};
        case GgmlType::q6_k: return {256, 210};
    }
    return {1, 2};
}

bool in(const std::string& s, std::initializer_list<const char*> names) {
    return std::any_of(names.begin(), names.end(), [&](const char* n) { return s == n; });
}

// llama.cpp tensor categories from the PEFT module names the adapters use.
bool is_attn_v(const Tensor& t) { return in(t.module, {"v_proj", "kv_b_proj"}); }
bool is_attn_k(const Tensor& t) { return t.module == "k_proj"; }
bool is_attn_qkv(const Tensor& t) { return in(t.module, {"qkv_proj", "query_key_value", "c_attn", "Wqkv", "W_pack"}); }
bool is_attn_output(const Tensor& t) {
    return t.group == "attention" && in(t.module, {"o_proj", "dense", "out_proj", "c_proj"});
}
bool is_ffn_down(const Tensor& t) {
    return in(t.module, {"down_proj", "w2", "fc2", "dense_4h_to_h"}) ||
           (t.module == "c_proj" && t.group != "attention");
}

// llama-quant.cpp use_more_bits: the first and last eighth of the layers and every third one
// in between get more bits.
bool use_more_bits(std::int64_t i, std::int64_t n) {
    return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
}

// Position of `t` among the model's attn_v tensors (qs.i_attention_wv) and their count.
std::pair<std::int64_t, std::int64_t> attn_v_index(const Tensor& t, const ModelSpec& m) {
    std::int64_t i = 0, n = 0;
    for (const auto& o : m.tensors) {
        if (!o.linear || !is_attn_v(o)) continue;
        if (o.layer < t.layer) ++i;
        ++n;
    }
    return {i, n};
}

// Falls back like llama-quant.cpp when the row length is not a multiple of the 256-wide
// k-quant super-block.
GgmlType row_fallback(GgmlType type, std::int64_t cols) {
    if (cols % 256 == 0) return type;
    switch (type) {
        case GgmlType::q4_k: return GgmlType::q5_0;
        case GgmlType::q5_k: return GgmlType::q5_1;
        case GgmlType::q6_k: return GgmlType::q8_0;
        default: return type;
    }
}

}  // namespace

const char* to_string(GgmlType type) noexcept {
    switch (type) {
        case GgmlType::f32: return "F32";
        case GgmlType::f16: return "F16";
        case GgmlType::q4_0: return "Q4_0";
        case GgmlType::q4_1: return "Q4_1";
        case GgmlType::q5_0: return "Q5_0";
        case GgmlType::q5_1: return "Q5_1";
        case GgmlType::q8_0: return "Q8_0";
        case GgmlType::q4_k: return "Q4_K";
        case GgmlType::q5_k: return "Q5_K";
        case GgmlType::q6_k: return "Q6_K";
    }
    return "F16";
}

Bytes ggml_bytes(GgmlType type, std::int64_t rows, std::int64_t cols) {
    const Block b = block_of(type);
    const std::int64_t blocks_per_row = (cols + b.elements - 1) / b.elements;
    return mul_bytes(mul_bytes(static_cast<Bytes>(rows), static_cast<Bytes>(blocks_per_row)), static_cast<Bytes>(b.bytes));
}

std::string_view GgufFormat::name() const {
    switch (ftype_) {
        case Ftype::q4_0: return "core.format.gguf-q4_0";
        case Ftype::q8_0: return "core.format.gguf-q8_0";
        case Ftype::q4_k_m: return "core.format.gguf-q4_k_m";
        case Ftype::q5_k_m: return "core.format.gguf-q5_k_m";
        case Ftype::q6_k: return "core.format.gguf-q6_k";
    }
    return "core.format.gguf-q4_k_m";
}

std::string_view GgufFormat::key() const { return name().substr(12); }

std::vector<std::string> GgufFormat::aliases() const {
    switch (ftype_) {
        case Ftype::q4_0: return {"q4_0", "Q4_0"};
        case Ftype::q8_0: return {"q8_0", "Q8_0"};
        case Ftype::q4_k_m: return {"q4_k_m", "Q4_K_M"};
        case Ftype::q5_k_m: return {"q5_k_m", "Q5_K_M"};
        case Ftype::q6_k: return {"q6_k", "Q6_K"};
    }
    return {};
}

GgmlType GgufFormat::tensor_type(const Tensor& t, const ModelSpec& m) const {
    // Not quantized (llama-quant.cpp llama_model_quantize_impl): 1-D tensors and norms stay F32
    // (convert_hf_to_gguf writes them F32); the MoE router ffn_gate_inp stays as converted
    // (F32 for llama-family MoE); other non-Linear 2-D tensors (conv kernels, position
    // tables) are kept F16 by the converter.
    if (t.cols <= 1 || is_router(t)) return GgmlType::f32;
    const bool token_embd = t.embedding && !t.linear;
    const bool output = t.module == "lm_head";
    if (!t.linear && !token_embd) return GgmlType::f16;

    GgmlType base = GgmlType::q4_k;
    switch (ftype_) {
        case Ftype::q4_0: base = GgmlType::q4_0; break;
        case Ftype::q8_0: base = GgmlType::q8_0; break;
        case Ftype::q4_k_m: base = GgmlType::q4_k; break;
        case Ftype::q5_k_m: base = GgmlType::q5_k; break;
        case Ftype::q6_k: base = GgmlType::q6_k; break;
    }
    GgmlType type = base;
    const bool k_mix = ftype_ == Ftype::q4_k_m || ftype_ == Ftype::q5_k_m;
    const bool eight_experts = m.experts == 8;
    // output.weight (or token_embd when the head is tied and there is no output tensor): Q6_K
    // unless the file type is Q8_0; Q8_0 when the row is not a multiple of the block.
    if (output || (token_embd && m.tied_embeddings)) {
        if (t.cols % 256 != 0) return GgmlType::q8_0;
        return base == GgmlType::q8_0 ? GgmlType::q8_0 : GgmlType::q6_k;
    }
    if (token_embd) return row_fallback(base, t.cols);  // token_embd keeps the base type for these ftypes
    if (is_attn_v(t)) {
        const auto [i, n] = attn_v_index(t, m);
        if (k_mix && use_more_bits(i, n)) type = GgmlType::q6_k;
        // LLM_TYPE_70B (Llama-2/3-70B, 80 layers): 8 query heads share each attn_v, so it gets Q5_K.
        if (m.model_type == "llama" && m.layers == 80 && type == GgmlType::q4_k) type = GgmlType::q5_k;
        if (eight_experts) type = GgmlType::q8_0;
    } else if (is_attn_k(t)) {
        if (eight_experts) type = GgmlType::q8_0;
    } else if (is_ffn_down(t)) {
        if (k_mix && t.layer >= 0 && use_more_bits(t.layer, m.layers)) type = GgmlType::q6_k;
    } else if (is_attn_output(t)) {
        if (eight_experts && ftype_ == Ftype::q4_k_m) type = GgmlType::q5_k;
    } else if (is_attn_qkv(t)) {
        if (ftype_ == Ftype::q4_k_m) type = GgmlType::q5_k;
        else if (ftype_ == Ftype::q5_k_m) type = GgmlType::q6_k;
    }
    return row_fallback(type, t.cols);
}

Bytes GgufFormat::tensor_bytes(const Tensor& t, const ModelSpec& m, const Params&) const {
    return mul_bytes(ggml_bytes(tensor_type(t, m), t.rows, t.cols), static_cast<Bytes>(t.copies));
}

std::string_view GgufFormat::describe() const {
    switch (ftype_) {
        case Ftype::q4_0: return "GGUF Q4_0: 4.5 bits per weight (18 B / 32); output.weight Q6_K; norms F32";
        case Ftype::q8_0: return "GGUF Q8_0: 8.5 bits per weight (34 B / 32); norms F32";
        case Ftype::q4_k_m:
            return "GGUF Q4_K_M: Q4_K (4.5 bits) with attn_v and ffn_down in Q6_K (6.5625 bits) on the first and last "
                   "eighth of the layers and every third between; output.weight Q6_K; norms F32";
        case Ftype::q5_k_m:
            return "GGUF Q5_K_M: Q5_K (5.5 bits) with attn_v and ffn_down in Q6_K on the use_more_bits layers; "
                   "output.weight Q6_K; norms F32";
        case Ftype::q6_k: return "GGUF Q6_K: 6.5625 bits per weight (210 B / 256); norms F32";
    }
    return "";
}

std::string_view GgufFormat::source() const {
    return "ggml-common.h block sizes (q4_0 18 B/32, q8_0 34 B/32, q4_K 144 B/256, q5_K 176 B/256, q6_K 210 B/256); "
           "llama-quant.cpp llama_tensor_get_type (use_more_bits, output.weight Q6_K, n_expert == 8 and 70B rules, "
           "k-quant row fallbacks); formulas.md §2.1-2.3";
}

}  // namespace vram::plugins
