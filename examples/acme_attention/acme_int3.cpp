// acme_int3.cpp - example third-party plugin: a weight-format variant, "acme-int3".
//
// Layout (a made-up but realistic group quantizer, like GPTQ/AWQ at 3 bits): every Linear weight
// is stored as 3-bit codes plus, per group of `group_size` weights along d_in, one fp16 scale and
// one fp16 zero point:
//     bits per weight = 3 + 2 · 16 / group_size          (group 64: 3.5 bits)
// Embeddings, the output head, norms and biases stay in bf16 (2 bytes), as GPTQ/AWQ keep them.
// Weights are dequantized to bf16 for the matmuls, one layer at a time: the plugin also adds that
// scratch buffer as a component.
//
// Scenario:
//   precision: {weights: acme-int3, group_size: 64}
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <vram/bytes.hpp>
#include <vram/component.hpp>
#include <vram/plugin_api.hpp>
#include <vram/weight_format.hpp>

namespace {

class AcmeInt3 final : public vram::WeightFormat {
public:
    std::string_view name() const override { return "acme.format.int3"; }
    std::string_view key() const override { return "acme-int3"; }
    std::vector<std::string> aliases() const override { return {"acme_int3"}; }

    std::vector<vram::ParamSpec> params() const override {
        vram::ParamSpec group;
        group.key = "group_size";
        group.type = vram::ParamType::integer;
        group.default_value = "64";
        group.help = "weights per fp16 scale + zero pair";
        group.min = 8;
        return {group};
    }

    double compute_bytes() const override { return 2.0; }
    std::string_view compute_dtype() const override { return "bf16"; }

    vram::Bytes tensor_bytes(const vram::Tensor& tensor, const vram::ModelSpec&,
                             const vram::Params& options) const override {
        const auto n = static_cast<vram::Bytes>(tensor.numel()) * static_cast<vram::Bytes>(tensor.copies);
        if (!tensor.linear || tensor.embedding) return vram::mul_bytes(n, 2);
        // Exact integer arithmetic: n · (3·g + 32) bits / 8, rounded up to whole bytes.
        const auto g = static_cast<vram::Bytes>(options.integer("group_size"));
        const vram::Bytes bits = vram::mul_bytes(n, 3 * g + 32);
        const vram::Bytes per = 8 * g;
        return bits / per + (bits % per ? 1 : 0);
    }

    std::string_view describe() const override {
        return "3-bit codes + fp16 scale and zero per group (3.5 bits at group 64); embeddings, head, norms in bf16";
    }
    std::string_view source() const override { return "acme-int3 layout (example plugin, examples/acme_attention)"; }
};

/// The bf16 copy of the largest Linear weight while it is dequantized for its matmul.
class AcmeDequantBuffer final : public vram::TermInfo<AcmeDequantBuffer> {
public:
    static constexpr std::string_view kId = "acme.buffers.int3_dequant";
    static constexpr vram::Category kCategory = vram::Category::buffers;
    static constexpr std::string_view kFormula = "max Linear numel × 2 B / t";
    static constexpr std::string_view kSource = "acme-int3 kernels dequantize one weight at a time to bf16";
    bool applies(const vram::Context& ctx) const override { return ctx.weight_format == "acme-int3"; }
    vram::Bytes compute(const vram::Context& ctx, std::string* explain) const override {
        std::int64_t largest = 0;
        for (const auto& t : ctx.model().tensors)
            if (t.linear && !t.embedding) largest = std::max(largest, t.numel());
        const double t = std::max(1.0, ctx[vram::Sym::t]);
        const vram::Bytes bytes = vram::to_bytes(static_cast<double>(largest) * 2.0 / t, kId.data());
        if (explain)
            *explain = "largest Linear × 2 B / " + vram::format_number(ctx[vram::Sym::t]) + " = " +
                       vram::format_count(bytes) + " B";
        return bytes;
    }
};

}  // namespace

VRAM_PLUGIN(acme_attention, "1.0.0") {
    reg.add(std::make_unique<AcmeInt3>());
    reg.add(std::make_unique<AcmeDequantBuffer>());
}
