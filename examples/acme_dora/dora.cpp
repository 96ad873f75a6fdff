// dora.cpp - example third-party plugin: the DoRA training method (weight-decomposed LoRA).
//
// DoRA (Liu et al. 2024, arXiv 2402.09353; PEFT `use_dora=True`) trains, per adapted Linear
// d_in -> d_out, the LoRA pair A (r x d_in) and B (d_out x r) plus a magnitude vector m (d_out):
//     trainable = sum over adapted matrices of r * (d_in + d_out) + d_out        (formulas.md 6.1)
// Its forward pass also materializes B @ A and W + s * B @ A (d_out x d_in each) to take the
// column norm (PEFT tuners/lora/dora.py, DoraLinearLayer.forward): a transient buffer that LoRA
// does not have.
//
// Scenario:
//   training: {method: dora, dora: {rank: 16, targets: [q_proj, v_proj]}}
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <vram/bytes.hpp>
#include <vram/component.hpp>
#include <vram/error.hpp>
#include <vram/plugin_api.hpp>
#include <vram/training.hpp>

namespace {

bool is_targeted(const vram::Tensor& t, const std::vector<std::string>& targets) {
    if (!t.linear || t.module.empty()) return false;
    for (const auto& name : targets) {
        // "all-linear" is PEFT's spelling for every Linear except the output head.
        if (name == "all-linear") return t.group != "lm_head" && !t.embedding;
        if (name == t.module) return true;
    }
    return false;
}

class DoraMethod final : public vram::TrainingMethod {
public:
    std::string_view name() const override { return "acme.method.dora"; }
    std::string_view key() const override { return "dora"; }

    std::vector<vram::ParamSpec> params() const override {
        vram::ParamSpec rank;
        rank.key = "rank";
        rank.type = vram::ParamType::integer;
        rank.default_value = "16";
        rank.help = "LoRA rank r of every adapted matrix";
        rank.min = 1;
        vram::ParamSpec targets;
        targets.key = "targets";
        targets.type = vram::ParamType::string_list;
        targets.default_value = "q_proj,v_proj";  // PEFT's default for llama-style models
        targets.help = "PEFT module names to adapt, or all-linear";
        return {rank, targets};
    }

    void prepare(vram::Context& ctx, const vram::Params& options) const override {
        const std::int64_t r = options.integer("rank");
        const std::vector<std::string> targets = options.strings("targets");
        const vram::ModelSpec& model = ctx.model();
        ctx.trainable_tensors.clear();
        std::int64_t trainable = 0, magnitude = 0, matrices = 0;
        for (const auto& t : model.tensors) {
            if (!is_targeted(t, targets)) continue;
            const std::int64_t d_out = t.rows, d_in = t.cols;
            // One adapter per copy: targeting expert linears adapts every expert.
            auto add = [&](const char* suffix, std::int64_t rows, std::int64_t cols) {
                vram::Tensor a;
                a.name = t.name + suffix;
                a.group = "adapters";
                a.layer = t.layer;
                a.rows = rows;
                a.cols = cols;
                a.copies = t.copies;
                a.active_copies = t.active_copies;
                ctx.trainable_tensors.push_back(a);
                trainable += rows * cols * t.copies;
            };
            add(".lora_A", r, d_in);
            add(".lora_B", d_out, r);
            add(".lora_magnitude_vector", d_out, 1);
            magnitude += d_out * t.copies;
            matrices += t.copies;
        }
        if (matrices == 0) {
            std::vector<std::string> modules;
            for (const auto& t : model.tensors)
                if (t.linear && !t.module.empty() && std::find(modules.begin(), modules.end(), t.module) == modules.end())
                    modules.push_back(t.module);
            std::string list;
            for (const auto& m : modules) list += (list.empty() ? "" : ", ") + m;
            throw vram::ParamError("training.dora.targets",
                                   "no linear module of " + model.name + " matches; modules: " + list + ", all-linear");
        }
        ctx.set(vram::Sym::P_trainable, static_cast<double>(trainable));
        // Own symbols: formulas in scenario `components:` can read them (vram symbols lists them).
        ctx.set(ctx.define("dora_rank", "", "DoRA rank r"), static_cast<double>(r));
        ctx.set(ctx.define("dora_magnitude", "parameters", "DoRA magnitude-vector parameters (sum of d_out)"),
                static_cast<double>(magnitude));
        ctx.set(ctx.define("dora_matrices", "matrices", "Linear weights DoRA adapts"), static_cast<double>(matrices));
        std::int64_t largest = 0;
        for (const auto& t : model.tensors)
            if (is_targeted(t, targets)) largest = std::max(largest, t.rows * t.cols);
        ctx.set(ctx.define("dora_largest", "parameters", "largest adapted matrix, d_out x d_in"),
                static_cast<double>(largest));
    }
};

/// The transient norm buffer: B @ A and W + s * B @ A of the largest adapted matrix, in the
/// adapters' fp32 (PEFT upcasts adapters to fp32 by default, autocast_adapter_dtype=True).
class DoraNormBuffer final : public vram::Component {
public:
    std::string_view id() const override { return "acme.dora.norm_buffer"; }
    vram::Category category() const override { return vram::Category::buffers; }
    std::string_view formula() const override { return "2 × dora_largest × 4 B / t"; }
    std::string_view source() const override {
        return "PEFT tuners/lora/dora.py DoraLinearLayer.forward: lora_weight = B @ A and W + s * lora_weight, "
               "one adapted layer at a time";
    }
    bool applies(const vram::Context& ctx) const override {
        return ctx[vram::Sym::training] != 0 && ctx.scenario().training.method == "dora";
    }
    vram::Bytes evaluate(const vram::Context& ctx) const override {
        const auto i = ctx.find("dora_largest");
        const double t = std::max(1.0, ctx[vram::Sym::t]);
        return vram::to_bytes(i ? 2.0 * ctx.value(*i) * 4.0 / t : 0.0, "acme.dora.norm_buffer");
    }
    std::string substitute(const vram::Context& ctx) const override {
        const auto i = ctx.find("dora_largest");
        return "2 × " + vram::format_number(i ? ctx.value(*i) : 0) + " × 4 B / " + vram::format_number(ctx[vram::Sym::t]) +
               " = " + vram::format_count(evaluate(ctx)) + " B";
    }
};

}  // namespace

VRAM_PLUGIN(acme_dora, "1.0.0") {
    reg.add(std::make_unique<DoraMethod>());
    reg.add(std::make_unique<DoraNormBuffer>());
}
