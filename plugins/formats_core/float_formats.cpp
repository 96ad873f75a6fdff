// float_formats.cpp - byte counts of fp32/bf16/fp16/fp8/int8 weights (formulas.md §2.1, §2.3).
// SPDX-License-Identifier: Apache-2.0
#include "float_formats.hpp"

namespace vram::plugins {

Bytes sixteen_bit_bytes(const Tensor& t) {
    return mul_bytes(mul_bytes(static_cast<Bytes>(t.numel()), static_cast<Bytes>(t.copies)), 2);
}

Bytes DenseFloatFormat::tensor_bytes(const Tensor& t, const ModelSpec&, const Params&) const {
    const Bytes n = mul_bytes(static_cast<Bytes>(t.numel()), static_cast<Bytes>(t.copies));
    return mul_bytes(n, static_cast<Bytes>(bytes_));
}

std::string_view DenseFloatFormat::describe() const {
    return bytes_ == 4 ? "32 bits per weight, every tensor" : "16 bits per weight, every tensor";
}

std::string_view EightBitFormat::name() const {
    return kind_ == Kind::fp8_per_tensor ? "core.format.fp8" : "core.format.int8";
}

std::string_view EightBitFormat::key() const { return kind_ == Kind::fp8_per_tensor ? "fp8" : "int8"; }

std::vector<std::string> EightBitFormat::aliases() const {
    if (kind_ == Kind::fp8_per_tensor) return {"fp8_e4m3", "fp8-per-tensor"};
    return {"llm.int8", "bnb-int8"};
}

std::vector<ParamSpec> EightBitFormat::params() const {
    if (kind_ != Kind::fp8_per_tensor) return {};
    return {{"scales", ParamType::string, "per_tensor",
             "fp32 weight scales: one per tensor (vLLM fp8), one per output channel, or one per block_size × "
             "block_size tile (DeepSeek-V3 weight_block_size [128, 128])",
             0, 0, {"per_tensor", "per_channel", "block"}},
            {"block_size", ParamType::integer, "128", "tile side of block scales", 1, 1 << 16, {}}};
}

Bytes EightBitFormat::tensor_bytes(const Tensor& t, const ModelSpec&, const Params& options) const {
    // Only Linear weights inside the decoder are quantized; embeddings, the LM head, norms and
    // biases keep 16 bit (transformers get_keys_to_not_convert; vLLM fp8 skips lm_head).
    if (!t.linear || t.embedding) return sixteen_bit_bytes(t);
    const Bytes n = mul_bytes(static_cast<Bytes>(t.numel()), static_cast<Bytes>(t.copies));
    if (kind_ == Kind::fp8_per_tensor) {
        const std::string& scales = options.string("scales");
        Bytes count = 1;  // fp32 scales per copy
        if (scales == "per_channel") {
            count = static_cast<Bytes>(t.rows);
        } else if (scales == "block") {
            // scale_inv: one fp32 per (block × block) tile, partial tiles included.
            const auto b = options.integer("block_size");
            count = static_cast<Bytes>(((t.rows + b - 1) / b) * ((t.cols + b - 1) / b));
        }
        return add_bytes(n, mul_bytes(mul_bytes(4, count), static_cast<Bytes>(t.copies)));
    }
    // LLM.int8: one fp32 scale per output row (bitsandbytes SCB).
    return add_bytes(n, mul_bytes(mul_bytes(4, static_cast<Bytes>(t.rows)), static_cast<Bytes>(t.copies)));
}

std::string_view EightBitFormat::describe() const {
    return kind_ == Kind::fp8_per_tensor
               ? "fp8 e4m3 linear weights + one fp32 scale per tensor (8 + 32/numel bits); embeddings, lm_head, norms bf16"
               : "int8 linear weights + one fp32 scale per output row (8 + 32/d_in bits); embeddings, lm_head, norms bf16";
}

std::string_view EightBitFormat::source() const {
    return kind_ == Kind::fp8_per_tensor
               ? "vLLM Fp8LinearMethod (per-tensor weight_scale, fp32); formulas.md §2.1"
               : "bitsandbytes int8_vectorwise_quant / Linear8bitLt (int8 + fp32 SCB per row); formulas.md §2.1";
}

}  // namespace vram::plugins
