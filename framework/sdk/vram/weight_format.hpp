// vram/weight_format.hpp - storage formats: real bytes per tensor, scales included
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vram/bytes.hpp"
#include "vram/export.hpp"
#include "vram/model.hpp"
#include "vram/params.hpp"

namespace vram {

/// Weight format plugin kind (bf16, fp8, nf4, gptq, gguf-q4_k_m ...).
class VRAM_API WeightFormat {
public:
    virtual ~WeightFormat();
    /// Dotted name, "core.format.nf4".
    virtual std::string_view name() const = 0;
    /// What users write in precision.weights ("nf4"); aliases() adds other spellings.
    virtual std::string_view key() const = 0;
    virtual std::vector<std::string> aliases() const { return {}; }
    /// Options read from the precision block (group_size ...).
    virtual std::vector<ParamSpec> params() const { return {}; }
    /// Bytes of the compute dtype activations use with this format (2 for bf16 and the
    /// 4-bit formats that dequantize to bf16, 4 for fp32).
    virtual double compute_bytes() const = 0;
    /// Name of that compute dtype ("bf16", "fp32").
    virtual std::string_view compute_dtype() const = 0;
    /// Stored bytes of `tensor` (all its copies) in this format.
    virtual Bytes tensor_bytes(const Tensor& tensor, const ModelSpec& model,
                               const Params& options) const = 0;
    /// One line: bits per weight and which tensors stay 16-bit.
    virtual std::string_view describe() const = 0;
    /// Citation of the layout.
    virtual std::string_view source() const = 0;
};

}  // namespace vram
