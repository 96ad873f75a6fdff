// float_formats.hpp - unquantized and 8-bit weight formats: fp32, bf16, fp16, fp8, int8.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "vram/weight_format.hpp"

namespace vram::plugins {

/// Every tensor stored in one floating dtype (fp32 4 B, bf16/fp16 2 B).
class DenseFloatFormat final : public WeightFormat {
public:
    DenseFloatFormat(std::string key, double bytes, std::vector<std::string> aliases)
        : key_(std::move(key)), name_("core.format." + key_), bytes_(bytes), aliases_(std::move(aliases)) {}
    std::string_view name() const override { return name_; }
    std::string_view key() const override { return key_; }
    std::vector<std::string> aliases() const override { return aliases_; }
    double compute_bytes() const override { return bytes_; }
    std::string_view compute_dtype() const override { return key_; }
    Bytes tensor_bytes(const Tensor& t, const ModelSpec& m, const Params& options) const override;
    std::string_view describe() const override;
    std::string_view source() const override { return "numel · dtype bytes (PyTorch storage)"; }

private:
    std::string key_, name_;
    double bytes_;
    std::vector<std::string> aliases_;
};

/// 8-bit linear weights with their scales; embeddings, LM head, norms and biases stay bf16.
class EightBitFormat final : public WeightFormat {
public:
    enum class Kind { fp8_per_tensor, int8_per_row };
    explicit EightBitFormat(Kind kind) : kind_(kind) {}
    std::string_view name() const override;
    std::string_view key() const override;
    std::vector<std::string> aliases() const override;
    /// fp8: `scales` (per_tensor | per_channel | block) and `block_size` (128 for 128 × 128 tiles).
    std::vector<ParamSpec> params() const override;
    double compute_bytes() const override { return 2; }
    std::string_view compute_dtype() const override { return "bf16"; }
    Bytes tensor_bytes(const Tensor& t, const ModelSpec& m, const Params& options) const override;
    std::string_view describe() const override;
    std::string_view source() const override;

private:
    Kind kind_;
};

/// Bytes of a tensor kept in 16 bit (the unquantized part of every quantized format).
Bytes sixteen_bit_bytes(const Tensor& t);

}  // namespace vram::plugins
