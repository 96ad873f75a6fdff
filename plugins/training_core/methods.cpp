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
    // "auto" is what transformers fills in for a DeepSpeed config's "auto" (integrations/
    // deepspeed.py HfTrainerDeepSpeedConfig.trainer_config_finalize): h², 0.9·h², 10·h.
    ParamSpec bucket{"reduce_bucket_size", ParamType::number, "500000000",
                     "DeepSpeed zero_optimization.reduce_bucket_size in elements (default 5e8; auto = h², as "
                     "transformers fills it): ZeRO keeps one contiguous 16-bit gradient bucket of this size",
                     1, 1e12, {"auto"}};
    // Megatron-Core's precision-aware optimizer (megatron/core/optimizer/optimizer_config.py,
    // arguments.py --use-precision-aware-optimizer and the four dtypes with their defaults).
    ParamSpec aware{"precision_aware_optimizer", ParamType::boolean, "false",
                    "Megatron --use-precision-aware-optimizer: Transformer Engine's FusedAdam keeps the master weights "
                    "and both Adam moments in the dtypes below (megatron convention, bf16, adamw)",
                    0, 0, {}};
    ParamSpec exp_avg{"exp_avg_dtype", ParamType::string, "fp32",
                      "Megatron --exp-avg-dtype (precision-aware optimizer): dtype of Adam's first moment", 0, 0,
                      {"fp32", "fp16", "bf16", "fp8"}};
    ParamSpec exp_avg_sq{"exp_avg_sq_dtype", ParamType::string, "fp32",
                         "Megatron --exp-avg-sq-dtype (precision-aware optimizer): dtype of Adam's second moment", 0, 0,
                         {"fp32", "fp16", "bf16", "fp8"}};
    ParamSpec main_params{"main_params_dtype", ParamType::string, "fp32",
                          "Megatron --main-params-dtype (precision-aware optimizer): dtype of the master weights", 0, 0,
                          {"fp32", "fp16"}};
    ParamSpec main_grads{"main_grads_dtype", ParamType::string, "fp32",
                         "Megatron --main-grads-dtype (precision-aware optimizer): dtype of the main_grad buffer", 0, 0,
                         {"fp32", "bf16"}};
    ParamSpec remainders{"store_param_remainders", ParamType::boolean, "true",
                         "Megatron OptimizerConfig.store_param_remainders (default true, Transformer Engine >= 2.1): "
                         "an fp32 master of a bf16 parameter is kept as its 16 low bits only (the high 16 are the bf16 "
                         "parameter itself)",
                         0, 0, {}};
    // DeepSpeed ZeRO-3's parameter coordinator (deepspeed/runtime/zero/config.py L215-244 at edaa7221).
    ParamSpec prefetch{"stage3_prefetch_bucket_size", ParamType::number, "50000000",
                       "DeepSpeed stage3_prefetch_bucket_size in elements (default 5e7; HF \"auto\" = 0.9·h²): "
                       "parameters all-gathered ahead of their module",
                       0, 1e13, {"auto"}};
    ParamSpec live{"stage3_max_live_parameters", ParamType::number, "1000000000",
                   "DeepSpeed stage3_max_live_parameters (default 1e9): gathered parameters beyond which ZeRO-3 "
                   "stops prefetching (the module in use is gathered regardless)",
                   0, 1e13, {}};
    ParamSpec reuse{"stage3_max_reuse_distance", ParamType::number, "1000000000",
                    "DeepSpeed stage3_max_reuse_distance (default 1e9): a gathered module used again within this "
                    "many parameters of the trace is kept gathered",
                    0, 1e13, {}};
    ParamSpec persist{"stage3_param_persistence_threshold", ParamType::number, "100000",
                      "DeepSpeed stage3_param_persistence_threshold (default 1e5; HF \"auto\" = 10·h): tensors "
                      "this small are never partitioned, full size on every rank",
                      0, 1e13, {"auto"}};
    return {conv,       view,        bucket,   aware,  exp_avg, exp_avg_sq, main_params,
            main_grads, remainders, prefetch, live,   reuse,   persist};
}

namespace {
double dtype_bytes(const std::string& dtype) {
    if (dtype == "fp32") return 4;
    if (dtype == "fp8") return 1;
    return 2;  // fp16, bf16
}

// Megatron's precision-aware optimizer: what TE's FusedAdam keeps per parameter. Megatron allows
// it with Adam only (optimizer_config.py: "--use-precision-aware-optimizer only supported with
// adam") and asserts the four dtypes are fp32 without it.
void prepare_precision_aware(Context& ctx, const Params& options, Convention c) {
    const Scenario& s = ctx.scenario();
    const char* keys[] = {"exp_avg_dtype", "exp_avg_sq_dtype", "main_params_dtype", "main_grads_dtype"};
    if (!options.flag("precision_aware_optimizer")) {
        for (const char* key : keys)
            if (options.string(key) != "fp32")
                throw ParamError(std::string("training.full.") + key,
                                 "'" + options.string(key) + "' needs training.full.precision_aware_optimizer: true "
                                 "(Megatron asserts fp32 without --use-precision-aware-optimizer); allowed: fp32");
        return;
    }
    if (c != Convention::megatron)
        throw ParamError("training.full.precision_aware_optimizer",
                         std::string("true under the ") + convention_name(c) +
                             " convention; Megatron's precision-aware optimizer needs training.full.convention megatron");
    if (s.training.mixed_precision != "bf16")
        throw ParamError("training.full.precision_aware_optimizer",
                         "true with training.mixed_precision " + s.training.mixed_precision +
                             "; vram models it for bf16 training; allowed: training.mixed_precision bf16");
    if (s.training.optimizer != "adamw")
        throw ParamError("training.full.precision_aware_optimizer",
                         "true with training.optimizer " + s.training.optimizer +
                             "; Megatron supports it with Adam only; allowed: training.optimizer adamw");
    const std::string& master = options.string("main_params_dtype");
    // TE FusedAdam store_param_remainders: an fp32 master of a bf16 parameter keeps only its low
    // 16 bits (the parameter holds the high 16), so 2 bytes instead of 4.
    // Under FP8 training other than delayed scaling Megatron keeps the fp32 master itself and TE
    // stores no remainders (optimizer_config.py L407-413 use_precision_aware_optimizer_no_fp8_or_ds_fp8;
    // optimizer/__init__.py L571-588).
    const std::string& fp8 = s.training.fp8_recipe;
    const bool te_master = fp8 == "none" || fp8 == "delayed";
    const double master_bytes =
        master == "fp32" && te_master && options.flag("store_param_remainders") ? 2 : dtype_bytes(master);
    ctx.set(ctx.symbol(kExpAvgBytes), dtype_bytes(options.string("exp_avg_dtype")));
    ctx.set(ctx.symbol(kExpAvgSqBytes), dtype_bytes(options.string("exp_avg_sq_dtype")));
    ctx.set(ctx.symbol(kMainParamBytes), master_bytes);
    ctx.set(ctx.symbol(kMainGradBytes), dtype_bytes(options.string("main_grads_dtype")));
}
}  // namespace

void FullMethod::prepare(Context& ctx, const Params& options) const {
    prepare_full_bookkeeping(ctx, options,
                             "training full: all " + format_count(static_cast<std::uint64_t>(ctx[Sym::P_total])) +
                                 " parameters trainable");
}

void prepare_full_bookkeeping(Context& ctx, const Params& options, const std::string& what) {
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
    // DeepSpeed sizes; "auto" as transformers resolves it from the model's hidden size.
    const double h = static_cast<double>(ctx.model().hidden);
    const auto deepspeed = [&](const char* key, double automatic) {
        const ConfigNode* v = options.node().find(key);
        return v && v->is_string() ? automatic : options.number(key);
    };
    ctx.set(ctx.symbol(kReduceBucket), deepspeed("reduce_bucket_size", h * h));
    ctx.set(ctx.symbol(kPrefetchBucket), deepspeed("stage3_prefetch_bucket_size", 0.9 * h * h));
    ctx.set(ctx.symbol(kMaxLive), options.number("stage3_max_live_parameters"));
    ctx.set(ctx.symbol(kReuseDistance), options.number("stage3_max_reuse_distance"));
    ctx.set(ctx.symbol(kPersistThreshold), deepspeed("stage3_param_persistence_threshold", 10 * h));
    prepare_precision_aware(ctx, options, c);

    std::string note = what + "; convention " + convention_name(c) +
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
        if (options.flag("precision_aware_optimizer"))
            note += "; precision-aware optimizer (Transformer Engine FusedAdam): master " +
                    format_number(ctx.get(kMainParamBytes)) + " B" +
                    (ctx.get(kMainParamBytes) == 2 && options.string("main_params_dtype") == "fp32"
                         ? std::string(" (fp32 kept as 16-bit remainders of the bf16 weight)")
                         : std::string()) +
                    ", exp_avg " + options.string("exp_avg_dtype") + ", exp_avg_sq " +
                    options.string("exp_avg_sq_dtype") + ", main_grad " + options.string("main_grads_dtype");
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
