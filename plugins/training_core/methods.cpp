// methods.cpp - the `full` method (all tensors trainable, framework convention of the model
// states) and the sft / pretrain objectives (formulas.md §5, §9).
// SPDX-License-Identifier: Apache-2.0
#include "methods.hpp"

#include "common.hpp"
#include "vram/error.hpp"

namespace vram::plugins::training {

std::vector<ParamSpec> FullMethod::params() const {
    ParamSpec conv{"convention", ParamType::string, "auto",
                   "whose mixed-precision bookkeeping to follow: hf (transformers Trainer / torch.autocast / FSDP), "
                   "deepspeed (fp16/bf16 engine + ZeRO), megatron (Megatron-LM / Megatron-Core); auto: fsdp -> hf, "
                   "zero > 0 -> deepspeed, tensor or pipeline > 1 -> megatron, else hf",
                   0, 0, {"auto", "hf", "deepspeed", "megatron"}};
    ParamSpec view{"gradient_as_bucket_view", ParamType::boolean, "false",
                   "torch DDP gradient_as_bucket_view (false by default in torch and accelerate: DDP then keeps its "
                   "all-reduce buckets as a second copy of the gradients)",
                   0, 0, {}};
    ParamSpec bucket{"reduce_bucket_size", ParamType::number, "500000000",
                     "DeepSpeed zero_optimization.reduce_bucket_size in elements (default 5e8): ZeRO keeps one "
                     "contiguous 16-bit gradient bucket of this size",
                     1, 1e12, {}};
    return {conv, view, bucket};
}

void FullMethod::prepare(Context& ctx, const Params& options) const {
    const ModelSpec& m = ctx.model();
    const Scenario& s = ctx.scenario();
    ctx.trainable_tensors = m.tensors;
    ctx.set(Sym::P_trainable, ctx[Sym::P_total]);

    // Every weight receives a gradient, so the stored format must be a float one: bytes per
    // parameter exactly 4 (fp32) or 2 (bf16/fp16). Quantized storage cannot be trained in full.
    const double bytes = ctx[Sym::bytes_w];
    if (bytes != 4 && bytes != 2)
        throw ParamError("precision.weights",
                            "'" + s.precision.weights + "' stores " + format_number(bytes) +
                                " bytes per parameter and cannot be trained with training.method full; allowed: "
                                "fp32, bf16, fp16 (or training.method qlora / lora for a quantized base)");

    std::string name = options.string("convention");
    Convention c = auto_convention(s);
    if (name == "hf") c = Convention::hf;
    else if (name == "deepspeed") c = Convention::deepspeed;
    else if (name == "megatron") c = Convention::megatron;
    const bool amp = s.training.mixed_precision != "none";
    if (amp && bytes == 4 && c != Convention::hf)
        throw ParamError("precision.weights",
                            std::string("fp32 with training.mixed_precision ") +
                                s.training.mixed_precision + " under the " + convention_name(c) +
                                " convention, which keeps 16-bit model weights and an fp32 master copy in the "
                                "optimizer; allowed: precision.weights bf16 or fp16 (or training.full.convention hf "
                                "for torch.autocast over fp32 weights)");
    if (c == Convention::megatron && (s.parallelism.zero > 1 || s.parallelism.fsdp != "none"))
        throw ParamError("parallelism.zero",
                            std::to_string(s.parallelism.zero) +
                                " under the megatron convention; allowed: 0, or 1 for Megatron's distributed optimizer");

    ctx.method.trainable_bytes = bytes;
    ctx.set(ctx.symbol(kConvention), static_cast<double>(static_cast<int>(c)));
    ctx.set(ctx.symbol(kBucketView), options.flag("gradient_as_bucket_view") ? 1.0 : 0.0);
    ctx.set(ctx.symbol(kReduceBucket), options.number("reduce_bucket_size"));

    std::string note = "training full: all " + format_count(static_cast<std::uint64_t>(ctx[Sym::P_total])) +
                       " parameters trainable; convention " + convention_name(c) +
                       (name == "auto" ? " (auto from the parallelism layout)" : "") + ": ";
    if (!amp) {
        note += "no mixed precision: weights, gradients and optimizer states in " + s.precision.weights +
                " (torch optimizers allocate state like the parameter), no master copy";
    } else if (c == Convention::hf) {
        if (bytes == 4)
            note += "torch.autocast over fp32 weights: fp32 weights (= master) 4 + fp32 grads 4 + optimizer states "
                    "in fp32, plus a " + s.training.mixed_precision +
                    " copy of every Linear weight autocast keeps for backward (2): the transformers docs' "
                    "'18 bytes per parameter' for AdamW";
        else
            note += "the model is stored in " + s.precision.weights + ", so autocast has nothing to cast: this is "
                    "pure 16-bit training (weights, grads and optimizer states all " + s.precision.weights +
                    "); for AMP with fp32 weights set precision.weights: fp32";
    } else if (c == Convention::deepspeed) {
        note += "DeepSpeed " + s.training.mixed_precision +
                " engine: 16-bit weights 2 + 16-bit grads 2 + fp32 grad partition 4 + fp32 master 4 + fp32 optimizer "
                "states (estimate_zero2/3_model_states_mem_needs)";
    } else {
        note += "Megatron " + s.training.mixed_precision + ": 16-bit weights 2 + " +
                (s.training.mixed_precision == "bf16" ? std::string("fp32 main_grad 4")
                                                      : std::string("fp16 grads 2 + fp32 grad copy 4")) +
                " + fp32 master 4 + fp32 optimizer states (docs/user-guide/features/dist_optimizer.md)";
    }
    ctx.notes.push_back(note);
}

void SftObjective::prepare(Context& ctx, const Params&) const {
    ctx.notes.push_back("objective sft: one sequence of s tokens per sample; the LM head produces logits for every "
                        "position (prompt tokens are masked in the labels, not skipped), so logits are b·s·V");
}

void PretrainObjective::prepare(Context& ctx, const Params&) const {
    ctx.notes.push_back("objective pretrain: packed sequences of s tokens, next-token loss at every position: "
                        "logits b·s·V");
}

}  // namespace vram::plugins::training
