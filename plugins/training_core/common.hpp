// common.hpp - what the training terms share: the framework convention that decides the dtype of
// each model state, ZeRO/FSDP divisors, offload, and the rank-local view of the trainable tensors.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "vram/component.hpp"
#include "vram/context.hpp"

namespace vram::plugins::training {

/// Whose bookkeeping of mixed-precision model states the estimate follows (docs/training.md).
enum class Convention { hf = 0, deepspeed = 1, megatron = 2 };

// Symbols the full method declares and sets (docs/training.md, "symbols"); only this plugin reads them.
inline constexpr const char* kConvention = "convention";           ///< 0 hf, 1 deepspeed, 2 megatron
inline constexpr const char* kBucketView = "ddp_bucket_view";      ///< 1: DDP gradient_as_bucket_view
inline constexpr const char* kReduceBucket = "ds_reduce_bucket";    ///< DeepSpeed reduce_bucket_size, elements
inline constexpr const char* kPrefetchBucket = "ds_prefetch_bucket";  ///< stage3_prefetch_bucket_size, elements
inline constexpr const char* kMaxLive = "ds_max_live";                ///< stage3_max_live_parameters, elements
inline constexpr const char* kReuseDistance = "ds_reuse_distance";    ///< stage3_max_reuse_distance, elements
inline constexpr const char* kPersistThreshold = "ds_persistence";    ///< stage3_param_persistence_threshold
// Megatron's precision-aware optimizer (--use-precision-aware-optimizer): bytes per element of
// what Transformer Engine's FusedAdam keeps; 0 (unset) = Megatron's default fp32 bookkeeping.
inline constexpr const char* kExpAvgBytes = "megatron_exp_avg_bytes";        ///< exp_avg dtype, bytes
inline constexpr const char* kExpAvgSqBytes = "megatron_exp_avg_sq_bytes";   ///< exp_avg_sq dtype, bytes
inline constexpr const char* kMainParamBytes = "megatron_main_param_bytes";  ///< master copy, bytes
inline constexpr const char* kMainGradBytes = "megatron_main_grad_bytes";    ///< main_grad buffer, bytes

/// Value of one of this plugin's declared symbols, `fallback` when no stage set it.
double symbol_or(const Context& ctx, const char* name, double fallback);

/// The convention a scenario implies when no method chose one: FSDP is PyTorch (hf), ZeRO is
/// DeepSpeed, tensor/pipeline parallelism is Megatron, anything else the HF Trainer.
Convention auto_convention(const Scenario& s) noexcept;
Convention convention(const Context& ctx);
const char* convention_name(Convention c) noexcept;

/// Bytes per trainable parameter of each model state, unsharded (formulas.md §5.1).
struct StateDtypes {
    Convention conv = Convention::hf;
    bool amp = false;          ///< training.mixed_precision fp16|bf16
    double param = 2;          ///< stored trainable parameter (bytes_trainable)
    double grad = 2;           ///< gradients autograd writes (param.grad, Megatron main_grad)
    double grad32 = 0;         ///< extra fp32 gradient copy (DeepSpeed partition, Megatron fp16 main grads)
    bool grad32_sharded = true;///< the fp32 copy is partitioned by ZeRO-1 / the distributed optimizer
    bool grad_sharded_by_zero = true;  ///< ZeRO-2/3 partition `grad` (false: Megatron's grad buffer)
    double master = 0;         ///< fp32 master copy
    double state = 4;          ///< bytes per optimizer-state element
    double autocast = 0;       ///< half-precision copy autocast makes of each fp32 Linear weight
};
StateDtypes state_dtypes(const Context& ctx);

/// The ranks that share one copy of a sharded state when ZeRO stage >= `stage` (FSDP full_shard
/// counts as 3, shard_grad_op as 2), else 1. Dense parameters: dp·cp — Megatron's distributed
/// optimizer shards over the data-parallel group with context parallelism
/// (parallel_state.get_data_parallel_group(with_context_parallel=True)), torchtitan's FSDP mesh
/// is dp_shard × cp, DeepSpeed shards over its sequence-data-parallel group.
double zero_divisor(const Context& ctx, int stage) noexcept;
/// The same for routed experts: the expert-data-parallel group, dp·cp / ep ranks (Megatron-Core
/// parallel_state expert data parallel group: world / (pp · ep · expert-tp) with expert-tp = t;
/// DeepSpeed MoE's expert_data_parallel_group, world / ep). Issue 18: dividing expert states by
/// dp instead left out ~18 GiB per GPU on Qwen3-30B-A3B PP2 EP8.
double expert_zero_divisor(const Context& ctx, int stage) noexcept;
/// Routed-expert tensors (sharded over ep, and over the expert-data-parallel group).
bool routed_expert(const Tensor& t) noexcept;

/// Whether model tensor j is a Linear weight stored quantized (fewer than 2 bytes per weight):
/// what a GPTQ / AWQ base's kernels dequantize.
bool quantized_linear(const Context& ctx, std::size_t j) noexcept;
/// Trainable parameters on this rank, each divided by the group that shares it at ZeRO `stage`:
/// dense / zero_divisor + routed experts / expert_zero_divisor.
double sharded_trainable_on_rank(const Context& ctx, int stage);
bool offload_optimizer(const Context& ctx) noexcept;
bool offload_parameters(const Context& ctx) noexcept;

/// Trainable parameters on the rank the context describes (TP/PP/EP placement).
double trainable_on_rank(const Context& ctx);

/// The trainable tensors as the rank's optimizer sees them: only this pipeline stage, Linear and
/// embedding rows split over t, routed experts split over ep.
std::vector<Tensor> rank_local_tensors(const Context& ctx);

/// The checkpointing key combinations the libraries refuse or that mean nothing (a ParamError,
/// one line each).
void check_checkpoint_keys(const Context& ctx);
/// training.torch_compile on a model or convention whose compiled graph vram does not state.
void check_compile_keys(const Context& ctx);

/// " / dp=8 (ZeRO-3)"-style suffix for --explain; empty when `divisor` is 1.
std::string zero_suffix(const Context& ctx, int stage);

}  // namespace vram::plugins::training
