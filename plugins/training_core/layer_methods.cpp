// layer_methods.cpp - methods that train whole decoder layers of an otherwise frozen model:
// LISA (a few of the model's own layers at a time) and LLaMA-Pro (inserted copies of layers).
// docs/methods.md "Layer methods".
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>

#include "common.hpp"
#include "methods.hpp"
#include "vram/error.hpp"

namespace vram::plugins::training {

namespace {
double count(const std::vector<Tensor>& tensors) {
    double n = 0;
    for (const Tensor& t : tensors) n += static_cast<double>(t.numel()) * static_cast<double>(t.copies);
    return n;
}
}  // namespace

// ---- LISA -----------------------------------------------------------------------------------

std::vector<ParamSpec> LisaMethod::params() const {
    std::vector<ParamSpec> p = FullMethod().params();
    p.push_back({"activated_layers", ParamType::integer, "2",
                 "decoder layers trainable at a time (ms-swift lisa_activated_layers, LMFlow lisa_activated_layers)",
                 1, 1 << 20, {}});
    p.push_back({"step_interval", ParamType::integer, "20",
                 "steps between re-sampling the active layers (ms-swift lisa_step_interval); no effect on memory", 1,
                 1 << 30, {}});
    return p;
}

// ms-swift swift/callbacks/lisa.py: the callback freezes the first nn.ModuleList it finds (the
// decoder layers) and unfreezes `activated_layers` random ones; everything else (embeddings, final
// norm, LM head) stays trainable as in full fine-tuning. The HF Trainer builds its optimizer once,
// over the parameters that require grad at that moment (Trainer.create_optimizer filters
// p.requires_grad), so Adam states exist for the layers active at the start plus the non-layer
// tensors, and later switches train layers without states of their own. vram takes the first
// `activated_layers` layers (the most loaded pipeline stage when p > 1).
void LisaMethod::prepare(Context& ctx, const Params& options) const {
    prepare_full_bookkeeping(ctx, options, "training lisa, full fine-tuning's bookkeeping");
    const ModelSpec& m = ctx.model();
    const std::int64_t n = options.integer("activated_layers");
    if (n > m.layers)
        throw ParamError("training.lisa.activated_layers", std::to_string(n) + " layers, but the model has " +
                                                               std::to_string(m.layers) + "; allowed: 1 to " +
                                                               std::to_string(m.layers));
    std::vector<Tensor> trainable;
    for (const Tensor& t : m.tensors)
        if (t.layer < 0 || t.layer < n) trainable.push_back(t);
    ctx.trainable_tensors = std::move(trainable);
    ctx.set(Sym::P_trainable, count(ctx.trainable_tensors));
    ctx.method.explain = "LISA: " + std::to_string(n) + " of " + std::to_string(m.layers) +
                         " decoder layers trainable at a time, plus every tensor outside the decoder stack";
    ctx.notes.push_back("training lisa: " + format_count(static_cast<std::uint64_t>(ctx[Sym::P_trainable])) +
                        " parameters trainable (" + std::to_string(n) +
                        " decoder layers + embeddings, final norm, LM head); optimizer states only for them, as "
                        "ms-swift's callback and the HF Trainer build the optimizer once (LMFlow keeps states for "
                        "every layer ever activated: use method full for that bound)");
}

// ---- LLaMA-Pro ------------------------------------------------------------------------------

std::vector<ParamSpec> LlamaProMethod::params() const {
    return {
        {"num_new_blocks", ParamType::integer, "4",
         "decoder layers added (ms-swift llamapro_num_new_blocks, default 4); must divide the layer count", 1, 1 << 20,
         {}},
        {"num_groups", ParamType::integer, "0",
         "groups the new blocks are spread over (ms-swift llamapro_num_groups; 0 = num_new_blocks: one copy after "
         "every L / num_new_blocks layers)", 0, 1 << 20, {}},
    };
}

// ms-swift swift/tuners/llamapro.py: after every L / num_groups layers a deepcopy of the layer
// before it is inserted (its o_proj and down_proj zeroed), the original model is frozen and only
// the copies train (mark_trainable_callback), in the model's dtype (tuner.py casts only fp16
// trainables to fp32). The copies are new weights (adapter_params), with gradients and optimizer
// states; each saves a whole trainable layer's activations.
void LlamaProMethod::prepare(Context& ctx, const Params& options) const {
    const ModelSpec& m = ctx.model();
    const std::int64_t k = options.integer("num_new_blocks");
    const std::int64_t groups = options.integer("num_groups") > 0 ? options.integer("num_groups") : k;
    if (m.layers % k != 0)
        throw ParamError("training.llama-pro.num_new_blocks",
                         std::to_string(k) + " does not divide the model's " + std::to_string(m.layers) +
                             " layers (llamapro.py asserts num_hidden_layers % num_new_blocks == 0)");
    if (groups > m.layers || m.layers / groups * groups != m.layers)
        throw ParamError("training.llama-pro.num_groups",
                         std::to_string(groups) + " groups for " + std::to_string(m.layers) + " layers; allowed: a "
                         "divisor of the layer count");
    const double bytes = ctx[Sym::bytes_w];
    if (bytes != 4 && bytes != 2)
        throw ParamError("precision.weights", "'" + ctx.scenario().precision.weights +
                                                  "' stores a quantized base; LLaMA-Pro copies layers and trains them, "
                                                  "allowed: fp32, bf16, fp16");
    // Copies follow layers stride - 1, 2·stride - 1 ... (at most k of them).
    const std::int64_t stride = m.layers / groups;
    std::vector<Tensor> copies;
    std::int64_t added = 0;
    for (std::int64_t i = stride - 1; i < m.layers && added < k; i += stride, ++added) {
        for (const Tensor& t : m.tensors)
            if (t.layer == i) copies.push_back(t);
        ctx.method.adapter_activations.push_back(
            {static_cast<std::int32_t>(i), 1, trainable_layer_elements(ctx, static_cast<std::size_t>(i)), 0});
    }
    const double params = count(copies);
    ctx.trainable_tensors = std::move(copies);
    ctx.set(Sym::P_trainable, params);
    ctx.method.frozen_base = true;
    ctx.method.trainable_bytes = ctx.scenario().precision.weights == "fp16" ? 4 : bytes;
    ctx.method.adapter_params = static_cast<std::int64_t>(params);
    ctx.method.kept_inputs = KeptInputs{false, false, false, false};
    ctx.method.explain = "LLaMA-Pro: " + std::to_string(added) + " copied decoder layers (" +
                         format_count(static_cast<std::uint64_t>(params)) + " parameters) train, the model is frozen";
    ctx.notes.push_back("training llama-pro: " + std::to_string(added) + " new blocks, one after every " +
                        std::to_string(stride) + " layers, " + format_count(static_cast<std::uint64_t>(params)) +
                        " trainable parameters stored beside the frozen model");
}

}  // namespace vram::plugins::training
