// model_states.hpp - gradients, optimizer states, master weights and the buffers that scale with
// the parameters (formulas.md §5.1-5.2), and the activations and logits of the step. Every term
// reads the model-state convention this plugin declares (common.hpp), some a setting besides.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common.hpp"

namespace vram::plugins::training {

class GradientsTerm final : public TermInfo<GradientsTerm> {
public:
    static constexpr std::string_view kId = "training.gradients";
    static constexpr Category kCategory = Category::gradients;
    static constexpr std::string_view kFormula = "P_trainable(rank) × bytes(grad) / (dp under ZeRO-2/3 or FSDP)";
    static constexpr std::string_view kSource =
        "one gradient per trainable parameter in the dtype autograd writes: the parameter dtype (torch), 16-bit "
        "(DeepSpeed), fp32 main_grad (Megatron bf16); partitioned by ZeRO-2/3 and FSDP (ZeRO paper "
        "arXiv 1910.02054 §5; DeepSpeed estimate_zero2/3_model_states_mem_needs; torch FSDP ShardingStrategy); "
        "0 on the GPU when ZeRO-2/3 offloads the optimizer (DeepSpeed estimator: GPU = 2Ψ). formulas.md §5.1-5.2";
    bool applies(const Context& ctx) const override;
    std::vector<std::string> reads() const override { return {kConvention}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

class Fp32GradientsTerm final : public TermInfo<Fp32GradientsTerm> {
public:
    static constexpr std::string_view kId = "training.gradients.fp32";
    static constexpr Category kCategory = Category::gradients;
    static constexpr std::string_view kFormula = "P_trainable(rank) × 4 / (dp under ZeRO-1+ / distributed optimizer)";
    static constexpr std::string_view kSource =
        "fp32 copy of the gradients the optimizer steps with: DeepSpeed '4_grads_32bit' (estimate_zero2/3_"
        "model_states_mem_needs), Megatron fp16 '4 + 16/d' (docs/user-guide/features/dist_optimizer.md); "
        "formulas.md §5.1";
    bool applies(const Context& ctx) const override;
    std::vector<std::string> reads() const override { return {kConvention}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

class OptimizerStatesTerm final : public TermInfo<OptimizerStatesTerm> {
public:
    static constexpr std::string_view kId = "training.optimizer_states";
    static constexpr Category kCategory = Category::optimizer_states;
    static constexpr std::string_view kFormula =
        "optimizer.state_bytes(trainable tensors on this rank) / (dp under ZeRO-1+ or FSDP)";
    static constexpr std::string_view kSource =
        "state layout of the scenario's optimizer (torch.optim AdamW/SGD/Adafactor, bitsandbytes 8-bit and paged "
        "optimizers, lion-pytorch), fp32 under mixed precision; partitioned by ZeRO-1/2/3 (ZeRO paper §5) and FSDP; "
        "on the CPU with parallelism.offload. formulas.md §5.1-5.2";
    bool applies(const Context& ctx) const override;
    std::vector<std::string> reads() const override { return {kConvention}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

/// Set by the hf runtime (runtime.adamw_implementation): 1 when torch's AdamW runs its
/// multi-tensor (foreach) path.
inline constexpr const char* kAdamwForeach = "adamw_foreach";

/// For each of `layers` layers of a pipeline stage, in order: the index of the recompute group
/// full checkpointing puts it in (training.recompute_method / recompute_num_layers), or -1 when
/// the layer keeps all its activations.
std::vector<std::int64_t> recompute_groups(const Context& ctx, std::int64_t layers);

/// Optimizer state bytes on this rank (what training.optimizer_states reports).
double optimizer_state_on_rank(const Context& ctx);

/// The optimizer step's out-of-place temporary of torch's foreach AdamW, in its own phase: the
/// step runs after backward freed the activations and logits.
class AdamStepTemporariesTerm final : public TermInfo<AdamStepTemporariesTerm> {
public:
    static constexpr std::string_view kId = "training.optimizer.step_temporaries";
    static constexpr Category kCategory = Category::buffers;
    static constexpr std::string_view kFormula =
        "optimizer_states / 2 (the exp_avg_sq-sized output of torch._foreach_sqrt) [torch AdamW foreach, hf]";
    static constexpr std::string_view kSource =
        "torch/optim/adam.py _multi_tensor_adam: exp_avg_sq_sqrt = torch._foreach_sqrt(device_exp_avg_sqs) for the "
        "whole (device, dtype) group; foreach is the CUDA default (PyTorch PR #95241); transformers' default optim "
        "is adamw_torch (foreach) before PyTorch 2.8 and adamw_torch_fused (in place) from it (PR #37358)";
    bool applies(const Context& ctx) const override;
    std::string_view phase() const override { return "optimizer_step"; }
    std::vector<std::string> reads() const override { return {kConvention, kAdamwForeach}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

/// GaLore's projection update: torch.linalg.svd of one gradient in fp32 during the step.
class GaloreSvdTerm final : public TermInfo<GaloreSvdTerm> {
public:
    static constexpr std::string_view kId = "training.optimizer.galore_svd";
    static constexpr Category kCategory = Category::buffers;
    static constexpr std::string_view kFormula =
        "max over projected matrices m x n (k = min(m, n)) of 4·(m·n [the fp32 copy of a 16-bit gradient] + m·k + "
        "k·n [U and Vh])";
    static constexpr std::string_view kSource =
        "GaLore galore_projector.py get_orthogonal_matrix (L69-81): matrix = grad.float(); U, s, Vh = "
        "torch.linalg.svd(matrix, full_matrices=False), every update_proj_gap steps and at the first, one parameter "
        "at a time inside the step; cuSOLVER's workspace is not counted";
    bool applies(const Context& ctx) const override;
    std::string_view phase() const override { return "optimizer_step"; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

class MasterWeightsTerm final : public TermInfo<MasterWeightsTerm> {
public:
    static constexpr std::string_view kId = "training.master_weights";
    static constexpr Category kCategory = Category::master_weights;
    static constexpr std::string_view kFormula = "P_trainable(rank) × 4 / (dp under ZeRO-1+)";
    static constexpr std::string_view kSource =
        "fp32 master copy of 16-bit trainable weights kept by the optimizer: ZeRO paper K=12 = 4 (master) + 8 "
        "(Adam); DeepSpeed '4_params_32bit'; Megatron dist_optimizer.md. torch.autocast keeps none (the fp32 "
        "weights are the master). formulas.md §5.1";
    bool applies(const Context& ctx) const override;
    std::vector<std::string> reads() const override { return {kConvention}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

/// Megatron's distributed optimizer: wrapping the model for data parallelism allocates the
/// contiguous bf16 param buffer and fp32 grad buffer, then moves each parameter into it
/// (param_and_grad_buffer.py), so the old parameters sit beside both new buffers for a moment,
/// before the optimizer has created its master copy or states.
class MegatronBufferRemapTerm final : public TermInfo<MegatronBufferRemapTerm> {
public:
    static constexpr std::string_view kId = "training.megatron.buffer_remap";
    static constexpr Category kCategory = Category::buffers;
    static constexpr std::string_view kFormula =
        "max(0, P_trainable(rank) × bytes_param − (master weights + optimizer states on the GPU)), phase setup";
    static constexpr std::string_view kSource =
        "Megatron-Core megatron/core/distributed/param_and_grad_buffer.py (core_v0.12.0 L619-655): with "
        "use_distributed_optimizer, torch.zeros param_data and grad_data for all the bucketed params, then for each "
        "param param.data = the buffer view, copy_(old), del old; the optimizer's fp32 master shards and its lazily "
        "created Adam states come later (distrib_optimizer.py, first step), so the set-up peak is weights + grads + "
        "the old parameters; the freed blocks stay reserved by the caching allocator";
    bool applies(const Context& ctx) const override;
    std::vector<std::string> reads() const override { return {kConvention}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::string_view phase() const override { return "setup"; }
};

class AutocastCopyTerm final : public TermInfo<AutocastCopyTerm> {
public:
    static constexpr std::string_view kId = "training.weights.autocast_copy";
    static constexpr Category kCategory = Category::weights;
    static constexpr std::string_view kFormula =
        "Σ fp32 Linear weights on this rank × 2 (half-precision copies autocast keeps for backward)";
    static constexpr std::string_view kSource =
        "torch.autocast casts fp32 Linear weights to fp16/bf16 per matmul (weight casts cached inside the autocast "
        "region; autograd saves them for backward): the '+2 bytes' of transformers model_memory_anatomy.md "
        "('mixed precision training: 6 bytes per parameter'). Embeddings and norms are not cast. formulas.md §5.1";
    bool applies(const Context& ctx) const override;
    std::vector<std::string> reads() const override { return {kConvention}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

class Fp8WeightCopyTerm final : public TermInfo<Fp8WeightCopyTerm> {
public:
    static constexpr std::string_view kId = "training.fp8.weight_copies";
    static constexpr Category kCategory = Category::weights;
    static constexpr std::string_view kFormula =
        "Σ decoder Linear weights on this rank × bytes of their FP8 form (rowwise + columnwise where the GPU needs "
        "both; block scales included)";
    static constexpr std::string_view kSource =
        "Transformer Engine module/linear.py: each weight is quantized for the forward GEMM and, with its "
        "columnwise usage, for the backward's dgrad; Megatron passes is_first_microbatch "
        "(megatron/core/extensions/transformer_engine.py L1338) so the quantized weight is cached in "
        "_fp8_workspaces for the run, and without it the quantized weight is saved for backward (wt_save). Not "
        "under FSDP2 (is_fsdp2: not saved) nor with --fp8-param-gather (the parameter is the FP8 tensor). "
        "docs/training.md §10";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

class FsdpPipelineGradsTerm final : public TermInfo<FsdpPipelineGradsTerm> {
public:
    static constexpr std::string_view kId = "training.fsdp.pipeline_unsharded_grads";
    static constexpr Category kCategory = Category::gradients;
    static constexpr std::string_view kFormula =
        "P_trainable(stage, unsharded) × bytes(reduce dtype: 4 under mixed precision, else the gradient dtype)";
    static constexpr std::string_view kSource =
        "torch/distributed/pipelining/stage.py backward_maybe_with_nosync: FSDP modules run every micro-batch "
        "backward but the last with set_requires_gradient_sync(False) and set_reshard_after_backward(False); "
        "FSDPParam keeps unsharded_accumulated_grad in reduce_dtype (torch/distributed/fsdp/_fully_shard/"
        "_fsdp_param.py); torchtitan mixed_precision_reduce = float32 (torchtitan/config/job_config.py)";
    std::string_view phase() const override { return "training"; }
    bool applies(const Context& ctx) const override;
    std::vector<std::string> reads() const override { return {kConvention}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

class GatheredParamsTerm final : public TermInfo<GatheredParamsTerm> {
public:
    static constexpr std::string_view kId = "training.buffers.zero3_gathered";
    static constexpr Category kCategory = Category::buffers;
    static constexpr std::string_view kFormula =
        "deepspeed: (peak of the ZeRO-3 fetch / prefetch / release replay + persistent × (1 − 1/dp)) × bytes_act; FSDP: (root unit + 2 × largest layer) × bytes_act + largest "
        "layer × bytes_act (its unsharded gradient); reshard_after_forward false: (root + all layers) × bytes_act + "
        "largest layer × bytes_act";
    static constexpr std::string_view kSource =
        "DeepSpeed deepspeed/runtime/zero/partitioned_param_coordinator.py (fetch the module in use, prefetch up to "
        "min(stage3_max_live_parameters - available, stage3_prefetch_bucket_size), release unless reused within "
        "stage3_max_reuse_distance), parameter_offload.py (tensors <= stage3_param_persistence_threshold never "
        "partitioned), stage3.py (the module's full gradient before the reduce bucket); defaults config.py "
        "L215-244; FSDP FULL_SHARD all-gathers one wrapped unit (a decoder layer under "
        "transformer_auto_wrap_policy) plus the prefetched next one, the root unit (embedding, head) stays "
        "gathered, and a unit's unsharded gradient lives until its reduce-scatter [DER from torch FSDP "
        "ShardingStrategy / BackwardPrefetch docs]; FSDP2 reshard_after_forward false (auto under pipeline "
        "parallelism, torchtitan apply_fsdp `not pp_enabled`) keeps every block gathered from its forward to its "
        "backward (FSDPParamGroup.reshard). formulas.md §5.2";
    bool applies(const Context& ctx) const override;
    std::vector<std::string> reads() const override { return {kConvention, kPrefetchBucket, kMaxLive, kReuseDistance, kPersistThreshold}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

class DdpBucketsTerm final : public TermInfo<DdpBucketsTerm> {
public:
    static constexpr std::string_view kId = "training.buffers.ddp_buckets";
    static constexpr Category kCategory = Category::buffers;
    static constexpr std::string_view kFormula = "P_trainable(rank) × bytes(grad)  (dp > 1, no ZeRO)";
    static constexpr std::string_view kSource =
        "torch DistributedDataParallel copies gradients into its all-reduce buckets unless "
        "gradient_as_bucket_view=True, which 'can reduce peak memory usage, where the saved memory size will be "
        "equal to the total gradients size' (torch.nn.parallel.DistributedDataParallel docs)";
    bool applies(const Context& ctx) const override;
    std::vector<std::string> reads() const override { return {kConvention, kBucketView}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

class DeepSpeedBucketTerm final : public TermInfo<DeepSpeedBucketTerm> {
public:
    static constexpr std::string_view kId = "training.buffers.deepspeed_bucket";
    static constexpr Category kCategory = Category::buffers;
    static constexpr std::string_view kFormula = "reduce_bucket_size × bytes(grad)  (deepspeed, ZeRO ≥ 1)";
    static constexpr std::string_view kSource =
        "DeepSpeed ZeRO with contiguous_gradients (default true) allocates an ipg bucket of reduce_bucket_size "
        "16-bit elements (stage_1_and_2.py / stage3.py; default 5e8, runtime/zero/config.py). overlap_comm "
        "multiplies bucket use further (transformers deepspeed.md: 4.5×), not modelled. formulas.md §5.2";
    bool applies(const Context& ctx) const override;
    std::vector<std::string> reads() const override { return {kConvention, kReduceBucket}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

// The dynamic terms of the optimisation step live in phase "training": objectives with another
// phase (GRPO generation) take the larger of the two, not the sum (formulas.md §9).
class ActivationsTerm final : public TermInfo<ActivationsTerm> {
public:
    static constexpr std::string_view kId = "training.activations";
    static constexpr Category kCategory = Category::activations;
    static constexpr std::string_view kFormula =
        "in_flight × [Σ_layers on stage A_layer (none) | Σ A_layer without s² (selective) | Σ b·s·h·bytes_act "
        "(full: per recompute group, training.recompute_method) | Σ op-SAC kept outputs (op)] + the largest recompute group "
        "(full, op: on the logits stage only what exceeds the logits) + embedding ids; activation_offload: the kept "
        "bytes go to the host, one layer's reloaded; A_layer = b·(s/cp)·[norms + bytes_act·(h·kept(attn_in) "
        "+ h·kept(mlp_in) + q + k + v + o + MLP) + masks + lse] (+ b·(s/cp)·s·n_q·(4 + bytes_act) without flash), split "
        "over t (and SP); norms = 2h·bytes_act (fused / LayerNorm), transformers' RMSNorm 2h·(4 + 4·[torch < 2.2] + "
        "bytes_res·[trainable]), without its fp32 upcast 2h·bytes_act·(1 + [torch < 2.2] + [trainable]); MLP = (3F gated | 1F plain) + F·kept(mlp_mid); kept(x) = trainable consumer or "
        "LoRA reading x undropped or bitsandbytes < 0.43.2 4-bit base; FP8 training (Transformer Engine): the "
        "trainable Linears' inputs at Fp8Facts::saved_input_bytes, o_proj's input once more";
    static constexpr std::string_view kSource =
        "tensors autograd saves per decoder layer, generalised from Korthikanti et al. 2022 (arXiv 2205.05198, "
        "34sbh + 5as²b) to GQA/MLA, gated MLPs (4F: gate, up, act, act·up) and MoE top-k (formulas.md §5.3 [DER]); "
        "flash/SDPA keeps no s² scores, only the fp32 log-sum-exp; transformers' LlamaRMSNorm saves its fp32 upcast "
        "(and x², which mean() kept before PyTorch 2.2, pytorch PR #109935); a frozen Linear's input is not saved "
        "(derivatives.yaml mm: self only for mat2's gradient) unless bitsandbytes < 0.43.2 MatMul4Bit keeps it "
        "(bitsandbytes PR #1270, CHANGELOG 0.43.2); full checkpointing keeps each layer's input and recomputes one "
        "layer; selective drops the s² terms (Megatron); TP splits all but norm/block inputs and masks unless "
        "sequence parallel; CP splits s; 1F1B pipeline stage i holds min(m, p − i) micro-batches (Megatron "
        "theoretical_memory_usage.py); recompute groups: Megatron megatron/core/recompute.py (uniform / block), "
        "torchtitan apply_ac (layer SAC every N-th block, op SAC save list: mm except every second, SDPA); offload: "
        "Unsloth's offloaded gradient checkpointing, torch.autograd.graph.save_on_cpu. Gradient accumulation adds "
        "none: b is the micro-batch";
    std::string_view phase() const override { return "training"; }
    bool applies(const Context& ctx) const override;
    Bytes host_bytes(const Context& ctx) const override;
    std::vector<std::string> reads() const override { return {kConvention}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

class LogitsTerm final : public TermInfo<LogitsTerm> {
public:
    static constexpr std::string_view kId = "training.logits";
    static constexpr Category kCategory = Category::logits;
    static constexpr std::string_view kFormula =
        "hf/deepspeed: b·(s·2·h·bytes_act + s_logits·max(bytes_act + 8, 12)·V/t), s_logits = logits_tokens "
        "(GRPO: C + 1) else s; megatron: b·s·(2·bytes_act·h/t + (bytes_act + 4)·V/t) with sequence parallel, "
        "b·s·(2·bytes_act·h + (bytes_act + 4)·V/t) without; last pipeline stage only";
    static constexpr std::string_view kSource =
        "transformers loss_utils.py ForCausalLMLoss (logits.float()) + torch cross_entropy = log_softmax + nll_loss "
        "(fp32 log-probs saved, fp32 gradients in backward) [DER]; Megatron megatron/core/tensor_parallel/"
        "cross_entropy.py VocabParallelCrossEntropy (.float() copy beside the 16-bit logits; the fp32 gradient "
        "cast back to the input dtype). Checkpointing does not shrink them. formulas.md §5.4";
    std::string_view phase() const override { return "training"; }
    bool applies(const Context& ctx) const override;
    std::vector<std::string> reads() const override { return {kConvention}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

}  // namespace vram::plugins::training
