// dora.cpp - example third-party plugin: the DoRA training method (weight-decomposed LoRA).
//
// DoRA (Liu et al. 2024, arXiv 2402.09353; PEFT `use_dora=True`) trains, per adapted Linear
// d_in -> d_out, the LoRA pair A (r x d_in) and B (d_out x r) plus a magnitude vector m (d_out):
//     trainable = sum over adapted matrices of r * (d_in + d_out) + d_out        (formulas.md 6.1)
//
// It talks to the framework only through typed facts (vram/plan.hpp): it fills MethodFacts the
// way the built-in LoRA does, so the framework's gradient, optimizer-state, adapter-weight and
// activation terms treat it exactly like LoRA. What DoRA keeps beyond LoRA is stated per adapted
// Linear: peft tuners/lora/dora.py DoraLinearLayer.forward computes
//     (m / ||W + s·BA|| - 1) * (x Wᵀ)  +  (m / ||W + s·BA||) * lora_B(lora_A(x)) * s
// and both products need the other factor for the magnitude's gradient, so autograd keeps the
// base output x Wᵀ and the LoRA output lora_B(lora_A(x)): 2 · d_out elements per token.
// Its forward also materializes B @ A (through lora_B(lora_A(eye))) and W + s · B @ A to take the
// column norm: a transient buffer, the term DoraNormBuffer below.
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
#include <vram/plan.hpp>
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

vram::Tensor adapter(const vram::Tensor& base, const std::string& suffix, std::int64_t rows, std::int64_t cols) {
    vram::Tensor a;
    a.name = base.name + suffix;
    a.group = "adapters";
    a.layer = base.layer;
    a.rows = rows;
    a.cols = cols;
    a.copies = base.copies;  // one adapter per copy: targeting expert Linears adapts every expert
    a.active_copies = base.active_copies;
    return a;
}

class DoraMethod final : public vram::TrainingMethod {
public:
    std::string_view name() const override { return "acme.method.dora"; }
    std::string_view key() const override { return "dora"; }

    std::vector<vram::ParamSpec> params() const override {
        return {
            {"rank", vram::ParamType::integer, "16", "LoRA rank r of every adapted matrix", 1, 1 << 16, {}},
            // PEFT's default for llama-style models.
            {"targets", vram::ParamType::string_list, "q_proj,v_proj", "PEFT module names to adapt, or all-linear",
             0, 0, {}},
            {"dropout", vram::ParamType::number, "0", "lora_dropout (PEFT default 0)", 0, 1, {}},
            // PEFT's get_peft_model(autocast_adapter_dtype=True), the default, keeps adapters in fp32.
            {"dtype", vram::ParamType::string, "fp32", "adapter storage dtype", 0, 0, {"fp32", "bf16", "fp16"}},
        };
    }

    void prepare(vram::Context& ctx, const vram::Params& options) const override {
        const std::int64_t r = options.integer("rank");
        const std::vector<std::string> targets = options.strings("targets");
        const bool dropout = options.number("dropout") > 0;
        const vram::ModelSpec& model = ctx.model();

        std::vector<const vram::Tensor*> linears;
        for (const auto& t : model.tensors)
            if (is_targeted(t, targets)) linears.push_back(&t);
        if (linears.empty()) {
            std::vector<std::string> modules;
            for (const auto& t : model.tensors)
                if (t.linear && !t.module.empty() && std::find(modules.begin(), modules.end(), t.module) == modules.end())
                    modules.push_back(t.module);
            std::string list;
            for (const auto& m : modules) list += (list.empty() ? "" : ", ") + m;
            throw vram::ParamError("training.dora.targets",
                                   "no linear module of " + model.name + " matches; modules: " + list + ", all-linear");
        }

        // What trains.
        vram::MethodFacts& facts = ctx.method;
        ctx.trainable_tensors.clear();
        std::int64_t trainable = 0, magnitude = 0, largest = 0;
        for (const vram::Tensor* t : linears) {
            const std::int64_t d_out = t->rows, d_in = t->cols;
            ctx.trainable_tensors.push_back(adapter(*t, ".lora_A.weight", r, d_in));
            ctx.trainable_tensors.push_back(adapter(*t, ".lora_B.weight", d_out, r));
            ctx.trainable_tensors.push_back(adapter(*t, ".lora_magnitude_vector", d_out, 1));
            trainable += (r * (d_in + d_out) + d_out) * t->copies;
            magnitude += d_out * t->copies;
            largest = std::max(largest, d_out * d_in);

            // What autograd keeps for this Linear beyond the frozen base: LoRA's (lora_A's rank-r
            // output; with dropout the dropped input and its mask) plus DoRA's two d_out products.
            vram::AdapterActivation saved;
            saved.layer = t->layer;
            saved.token_copies = t->active_copies;
            saved.elements = static_cast<double>(r + 2 * d_out + (dropout ? d_in : 0));
            saved.mask_bytes = dropout ? static_cast<double>(d_in) : 0.0;
            facts.adapter_activations.push_back(saved);
        }
        ctx.set(vram::Sym::P_trainable, static_cast<double>(trainable));
        facts.frozen_base = true;
        facts.trainable_bytes = options.string("dtype") == "fp32" ? 4.0 : 2.0;
        facts.adapter_params = trainable;
        facts.kept_inputs = vram::kept_inputs_of_adapters(model, linears, dropout);

        // Our own symbols, declared at registration: formulas and --explain can read them.
        ctx.set(ctx.symbol("dora_rank"), static_cast<double>(r));
        ctx.set(ctx.symbol("dora_magnitude"), static_cast<double>(magnitude));
        ctx.set(ctx.symbol("dora_matrices"), static_cast<double>(linears.size()));
        ctx.set(ctx.symbol("dora_largest"), static_cast<double>(largest));
        ctx.notes.push_back("training.dora: r=" + std::to_string(r) + " on " + std::to_string(linears.size()) +
                            " Linears: " + vram::format_count(static_cast<std::uint64_t>(trainable)) +
                            " trainable parameters in " + options.string("dtype") + " (magnitudes " +
                            vram::format_count(static_cast<std::uint64_t>(magnitude)) + ")");
    }
};

/// The transient norm buffer: B @ A and W + s * B @ A of the largest adapted matrix, in the
/// adapters' fp32 (PEFT upcasts adapters to fp32 by default, autocast_adapter_dtype=True).
class DoraNormBuffer final : public vram::TermInfo<DoraNormBuffer> {
public:
    static constexpr std::string_view kId = "acme.dora.norm_buffer";
    static constexpr vram::Category kCategory = vram::Category::buffers;
    static constexpr std::string_view kFormula = "2 × dora_largest × 4 B / t";
    static constexpr std::string_view kSource =
        "PEFT tuners/lora/dora.py DoraLinearLayer.forward: lora_weight = B @ A and W + s * lora_weight, one "
        "adapted layer at a time";
    std::vector<std::string> reads() const override { return {"dora_largest"}; }
    bool applies(const vram::Context& ctx) const override {
        return ctx[vram::Sym::training] != 0 && ctx.scenario().training.method == "dora";
    }
    vram::Bytes compute(const vram::Context& ctx, std::string* explain) const override {
        const double largest = ctx.get("dora_largest");
        const double t = std::max(1.0, ctx[vram::Sym::t]);
        const vram::Bytes bytes = vram::to_bytes(2.0 * largest * 4.0 / t, kId.data());
        if (explain)
            *explain = "2 × " + vram::format_number(largest) + " × 4 B / " + vram::format_number(t) + " = " +
                       vram::format_count(bytes) + " B";
        return bytes;
    }
};

}  // namespace

VRAM_PLUGIN(acme_dora, "2.0.0") {
    reg.declare("dora_rank", "", "DoRA rank r");
    reg.declare("dora_magnitude", "parameters", "DoRA magnitude-vector parameters (sum of d_out)");
    reg.declare("dora_matrices", "matrices", "Linear weights DoRA adapts");
    reg.declare("dora_largest", "parameters", "largest adapted matrix, d_out x d_in");
    reg.add(std::make_unique<DoraMethod>());
    reg.add(std::make_unique<DoraNormBuffer>());
}
