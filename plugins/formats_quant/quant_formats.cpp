// quant_formats.cpp - bitsandbytes 4-bit, GPTQ, AWQ, int4 (W4A16) and w8a8 byte counts.
// Every count is the storage layout of the loader that runs the checkpoint (formulas.md §2.1,
// §2.3); docs/formats.md works the bits per weight out with their sources.
// SPDX-License-Identifier: Apache-2.0
#include "quant_formats.hpp"

#include "vram/error.hpp"

namespace vram::plugins {
namespace {

Bytes ceil_div(std::int64_t a, std::int64_t b) { return static_cast<Bytes>((a + b - 1) / b); }

Bytes times_copies(Bytes per_copy, const Tensor& t) { return mul_bytes(per_copy, static_cast<Bytes>(t.copies)); }

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

bool is_router(const Tensor& t) noexcept {
    // MoE routers: Mixtral block_sparse_moe.gate, Qwen-MoE / DeepSeek mlp.gate (a Linear named
    // "gate", as opposed to the experts' gate_proj / w1).
    return t.group == "router" || t.module == "gate" || ends_with(t.name, "mlp.gate.weight") ||
           ends_with(t.name, "block_sparse_moe.gate.weight");
}

bool is_tower(const Tensor& t) noexcept {
    return t.group.rfind("vision", 0) == 0 || t.group.rfind("audio", 0) == 0 || t.group.rfind("projector", 0) == 0 ||
           t.group.rfind("encoder", 0) == 0;
}

Bytes bytes16(const Tensor& t) { return times_copies(mul_bytes(static_cast<Bytes>(t.numel()), 2), t); }

// ---------------------------------------------------------------- bitsandbytes 4-bit

std::vector<std::string> Bnb4BitFormat::aliases() const {
    if (double_quant_) return {"qlora", "nf4-double-quant", "bnb-nf4-dq"};
    return {"bnb-nf4", "bnb-4bit", "fp4"};
}

Bytes Bnb4BitFormat::tensor_bytes(const Tensor& t, const ModelSpec&, const Params&) const {
    // transformers replaces every nn.Linear except lm_head (get_keys_to_not_convert); embeddings,
    // norms and biases are not Linear weights.
    if (!t.linear || t.embedding) return bytes16(t);
    const std::int64_t n = t.numel();
    // Two 4-bit codes per byte; quantize_4bit blocksize 64.
    const Bytes packed = ceil_div(n, 2);
    const Bytes blocks = ceil_div(n, 64);
    Bytes per_copy = 0;
    if (!double_quant_) {
        per_copy = add_bytes(packed, mul_bytes(blocks, 4));  // fp32 absmax per block
    } else {
        // compress_statistics: the absmax become uint8 (quantize_blockwise blocksize 256) with one
        // fp32 absmax per 256 blocks, plus the fp32 offset (mean of the absmax) per tensor.
        per_copy = add_bytes(add_bytes(packed, blocks), add_bytes(mul_bytes(ceil_div(static_cast<std::int64_t>(blocks), 256), 4), 4));
    }
    return times_copies(per_copy, t);
}

std::string_view Bnb4BitFormat::describe() const {
    return double_quant_ ? "NF4 + double quant: 4 + 8/64 + 32/(64·256) = 4.127 bits per Linear weight; embeddings, "
                           "lm_head, norms and biases bf16"
                         : "NF4: 4 + 32/64 = 4.5 bits per Linear weight (fp32 absmax per 64); embeddings, lm_head, norms "
                           "and biases bf16";
}

std::string_view Bnb4BitFormat::source() const {
    return "bitsandbytes functional.py quantize_4bit (blocksize 64, fp32 absmax; compress_statistics -> "
           "quantize_blockwise blocksize 256 + offset); QLoRA paper §3 (0.5 -> 0.127 bits); transformers "
           "get_keys_to_not_convert keeps lm_head; formulas.md §2.1, §2.3";
}

// ---------------------------------------------------------------- MXFP4

Bytes Mxfp4Format::tensor_bytes(const Tensor& t, const ModelSpec&, const Params&) const {
    // gpt-oss's quantization_config keeps attention, router, embeddings and lm_head out
    // (modules_to_not_convert); the experts' weights are stored as `_blocks` (two E2M1 codes per
    // byte, 16 bytes per 32 values) and `_scales` (one E8M0 byte per 32 values) along the input
    // dimension. Expert biases stay bf16.
    if (!t.linear || t.embedding || t.group != "experts") return bytes16(t);
    const Bytes blocks = mul_bytes(static_cast<Bytes>(t.rows), ceil_div(t.cols, 32));
    return times_copies(mul_bytes(blocks, 17), t);
}

std::string_view Mxfp4Format::describe() const {
    return "MXFP4: 4 + 8/32 = 4.25 bits per routed-expert weight (E2M1 values, one E8M0 scale per 32); attention, "
           "router, embeddings, lm_head, norms and biases bf16";
}

std::string_view Mxfp4Format::source() const {
    return "OCP Microscaling Formats (MX) Specification v1.0 (MXFP4: E2M1 elements, block size 32, E8M0 shared "
           "scale); gpt-oss model card (arXiv 2508.10925): MoE weights in MXFP4, 4.25 bits per parameter; its "
           "config.json quantization_config (quant_method mxfp4, modules_to_not_convert self_attn, router, "
           "embed_tokens, lm_head)";
}

// ---------------------------------------------------------------- GPTQ / AWQ / int4 / w8a8

std::string_view GroupQuantFormat::name() const {
    switch (kind_) {
        case Kind::gptq: return "core.format.gptq";
        case Kind::awq: return "core.format.awq";
        case Kind::int4: return "core.format.int4";
        case Kind::w8a8: return "core.format.w8a8";
    }
    return "core.format.gptq";
}

std::string_view GroupQuantFormat::key() const {
    switch (kind_) {
        case Kind::gptq: return "gptq";
        case Kind::awq: return "awq";
        case Kind::int4: return "int4";
        case Kind::w8a8: return "w8a8";
    }
    return "gptq";
}

std::vector<std::string> GroupQuantFormat::aliases() const {
    switch (kind_) {
        case Kind::gptq: return {"gptq-int4", "gptq-4bit"};
        case Kind::awq: return {"awq-int4", "awq-4bit"};
        case Kind::int4: return {"w4a16", "int4-w4a16"};
        case Kind::w8a8: return {"int8-w8a8", "w8a8-int8"};
    }
    return {};
}

std::vector<ParamSpec> GroupQuantFormat::params() const {
    if (kind_ == Kind::w8a8) return {};
    ParamSpec group{"group_size", ParamType::integer, "128",
                    "weights sharing one scale (and zero) along the input dimension; -1 = one group per output channel",
                    -1, 1 << 20, {}};
    if (kind_ != Kind::gptq) return {group};
    ParamSpec bits{"bits", ParamType::integer, "4", "bits per quantized weight: 2, 3, 4 or 8", 2, 8, {}};
    ParamSpec lm_head{"lm_head", ParamType::boolean, "false", "the checkpoint quantizes lm_head too (GPTQ lm_head: true)",
                      0, 0, {}};
    return {group, bits, lm_head};
}

Bytes GroupQuantFormat::tensor_bytes(const Tensor& t, const ModelSpec&, const Params& options) const {
    bool quantized = t.linear && !t.embedding && !is_router(t) && !is_tower(t) && t.layer >= 0;
    if (kind_ == Kind::gptq && t.module == "lm_head" && options.flag("lm_head")) quantized = true;
    if (!quantized) return bytes16(t);
    const std::int64_t out = t.rows, in = t.cols;
    if (kind_ == Kind::w8a8) {
        // int8 weight + fp32 scale per output channel (vLLM compressed-tensors W8A8 int8,
        // ChannelQuantScaleParameter float32).
        return times_copies(add_bytes(static_cast<Bytes>(out * in), mul_bytes(static_cast<Bytes>(out), 4)), t);
    }
    std::int64_t g = options.integer("group_size");
    if (g == 0 || g < -1)
        throw ParamError("precision.group_size", std::to_string(g) +
                                                     " is not allowed; allowed: a positive group size or -1 (per channel)");
    if (g == -1 || g > in) g = in;
    const Bytes groups = ceil_div(in, g);
    const std::int64_t bits = kind_ == Kind::gptq ? options.integer("bits") : 4;
    if (bits != 2 && bits != 3 && bits != 4 && bits != 8)
        throw ParamError("precision.bits", std::to_string(bits) + " is not allowed; allowed: 2, 3, 4, 8");
    // Packed weights: 32/bits values per int32.
    const Bytes qweight = mul_bytes(ceil_div(out * in * bits, 32), 4);
    // One fp16 scale per group per output channel.
    const Bytes scales = mul_bytes(mul_bytes(groups, static_cast<Bytes>(out)), 2);
    Bytes per_copy = add_bytes(qweight, scales);
    if (kind_ == Kind::gptq || kind_ == Kind::awq) {
        // Zero points packed like the weights: qzeros int32 [groups, out·bits/32].
        per_copy = add_bytes(per_copy, mul_bytes(mul_bytes(groups, ceil_div(out * bits, 32)), 4));
    }
    if (kind_ == Kind::gptq) {
        // g_idx: int32 group index per input channel (act-order checkpoints; vLLM always allocates it).
        per_copy = add_bytes(per_copy, mul_bytes(static_cast<Bytes>(in), 4));
    }
    return times_copies(per_copy, t);
}

std::string_view GroupQuantFormat::describe() const {
    switch (kind_) {
        case Kind::gptq:
            return "GPTQ: bits + 16/g (fp16 scale) + bits/g (packed zero) + 32/d_out (g_idx) per weight = 4.156 + 32/d_out "
                   "at 4 bit, g 128; decoder Linear layers only, embeddings, lm_head, norms, routers fp16";
        case Kind::awq:
            return "AWQ: 4 + 16/g + 4/g = 4.156 bits per weight at g 128; decoder Linear layers only, embeddings, lm_head, "
                   "norms, routers fp16";
        case Kind::int4:
            return "int4 W4A16 symmetric: 4 + 16/g = 4.125 bits per weight at g 128; decoder Linear layers only";
        case Kind::w8a8:
            return "w8a8 int8: 8 + 32/d_in bits per weight (fp32 scale per output channel); decoder Linear layers only";
    }
    return "";
}

std::string_view GroupQuantFormat::source() const {
    switch (kind_) {
        case Kind::gptq:
            return "vLLM gptq.py GPTQLinearMethod.create_weights: qweight int32 [d_in·bits/32, d_out], qzeros int32 "
                   "[d_in/g, d_out·bits/32], scales fp16 [d_in/g, d_out], g_idx int32 [d_in]; formulas.md §2.1";
        case Kind::awq:
            return "vLLM awq.py AWQLinearMethod.create_weights: qweight int32 [d_in, d_out/8], qzeros int32 [d_in/g, "
                   "d_out/8], scales fp16 [d_in/g, d_out]; formulas.md §2.1";
        case Kind::int4:
            return "vLLM compressed_tensors_wNa16 (weight_packed int32, weight_scale [d_out, d_in/g] in the model dtype, "
                   "symmetric: no zero point)";
        case Kind::w8a8:
            return "vLLM compressed_tensors_w8a8_int8 (int8 weight, fp32 per-channel weight_scale; activations quantized "
                   "per token at run time, nothing stored)";
    }
    return "";
}

}  // namespace vram::plugins
