// quant_formats.hpp - quantized weight formats with their real bytes: bitsandbytes NF4 (+double
// quant), w8a8 int8, int4 (W4A16), GPTQ, AWQ and the llama.cpp GGUF types (formulas.md §2).
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "vram/weight_format.hpp"

namespace vram::plugins {

/// Which tensors a quantization scheme leaves in 16 bit.
bool is_router(const Tensor& t) noexcept;
/// Encoder towers and projectors of multimodal models (GPTQ/AWQ/compressed-tensors quantize the
/// language model's decoder layers only).
bool is_tower(const Tensor& t) noexcept;
/// Bytes of every copy of `t` in 16 bit.
Bytes bytes16(const Tensor& t);

/// bitsandbytes 4-bit (NF4/FP4): blocks of 64 weights with an fp32 absmax, or with double
/// quantization an 8-bit absmax and an fp32 second-level absmax per 256 blocks.
class Bnb4BitFormat final : public WeightFormat {
public:
    explicit Bnb4BitFormat(bool double_quant) : double_quant_(double_quant) {}
    std::string_view name() const override { return double_quant_ ? "core.format.nf4-dq" : "core.format.nf4"; }
    std::string_view key() const override { return double_quant_ ? "nf4-dq" : "nf4"; }
    std::vector<std::string> aliases() const override;
    double compute_bytes() const override { return 2; }
    std::string_view compute_dtype() const override { return "bf16"; }
    Bytes tensor_bytes(const Tensor& t, const ModelSpec& m, const Params& options) const override;
    std::string_view describe() const override;
    std::string_view source() const override;

private:
    bool double_quant_;
};

/// MXFP4 (OCP Microscaling): 4-bit E2M1 values in blocks of 32 sharing one 8-bit E8M0 scale, on
/// the routed experts' Linear weights only, as gpt-oss is published; everything else bf16.
class Mxfp4Format final : public WeightFormat {
public:
    std::string_view name() const override { return "core.format.mxfp4"; }
    std::string_view key() const override { return "mxfp4"; }
    double compute_bytes() const override { return 2; }
    std::string_view compute_dtype() const override { return "bf16"; }
    Bytes tensor_bytes(const Tensor& t, const ModelSpec& m, const Params& options) const override;
    std::string_view describe() const override;
    std::string_view source() const override;
};

/// Group-wise integer formats of the vLLM kernels: gptq (g_idx, packed zeros), awq (packed
/// zeros), int4 (compressed-tensors W4A16, symmetric) and w8a8 (int8 per output channel).
class GroupQuantFormat final : public WeightFormat {
public:
    enum class Kind { gptq, awq, int4, w8a8 };
    explicit GroupQuantFormat(Kind kind) : kind_(kind) {}
    std::string_view name() const override;
    std::string_view key() const override;
    std::vector<std::string> aliases() const override;
    std::vector<ParamSpec> params() const override;
    double compute_bytes() const override { return 2; }
    std::string_view compute_dtype() const override { return kind_ == Kind::w8a8 ? "bf16" : "fp16"; }
    Bytes tensor_bytes(const Tensor& t, const ModelSpec& m, const Params& options) const override;
    std::string_view describe() const override;
    std::string_view source() const override;

private:
    Kind kind_;
};

/// ggml tensor types used by the GGUF file types below.
enum class GgmlType { f32, f16, q4_0, q4_1, q5_0, q5_1, q8_0, q4_k, q5_k, q6_k };
const char* to_string(GgmlType type) noexcept;
/// Bytes of a rows × cols tensor (cols = ne[0], the quantized row) stored as `type`.
Bytes ggml_bytes(GgmlType type, std::int64_t rows, std::int64_t cols);

/// A llama.cpp file type ("ftype"): a base type plus llama-quant.cpp's per-tensor rules.
class GgufFormat final : public WeightFormat {
public:
    enum class Ftype { q4_0, q8_0, q4_k_m, q5_k_m, q6_k };
    explicit GgufFormat(Ftype ftype) : ftype_(ftype) {}
    std::string_view name() const override;
    std::string_view key() const override;
    std::vector<std::string> aliases() const override;
    double compute_bytes() const override { return 2; }
    std::string_view compute_dtype() const override { return "fp16"; }
    Bytes tensor_bytes(const Tensor& t, const ModelSpec& m, const Params& options) const override;
    std::string_view describe() const override;
    std::string_view source() const override;
    /// The ggml type llama-quant.cpp gives `t` under this file type.
    GgmlType tensor_type(const Tensor& t, const ModelSpec& m) const;

private:
    Ftype ftype_;
};

}  // namespace vram::plugins
