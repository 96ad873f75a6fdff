// frameworks.cpp - what each training framework does when its user sets nothing: only settings
// vram models, each with the framework's file and line (last 2025 releases: transformers
// training_args.py, TRL v0.26.2, torchtitan v0.2.1, Megatron-LM core_v0.15.0, ms-swift v3.12.0,
// LLaMA-Factory v0.9.4, Axolotl v0.13.0, Unsloth December-2025 with unsloth-zoo f586292; OpenRLHF
// v0.11.0; verl's FSDP workers as docs/methods.md "PPO" cites them).
// SPDX-License-Identifier: Apache-2.0
#include "scenario/frameworks.hpp"

namespace vram {

const std::vector<TrainingFramework>& training_frameworks() {
    static const std::vector<TrainingFramework> table = {
        {"hf", "transformers Trainer: vram's own defaults (no checkpointing, bf16/fp16 off, adamw_torch)",
         {}},
        {"trl", "TRL SFTTrainer / DPOTrainer / GRPOTrainer",
         {{"training.gradient_checkpointing", "full",
           "trl/trainer/sft_config.py L118-119 (gradient_checkpointing=True; dpo_config.py L241-242, grpo_config.py "
           "L327-328)"},
          {"workload.sequence_length", "1024", "trl/trainer/sft_config.py L194-195 (max_length=1024)"}}},
        {"torchtitan", "torchtitan (FSDP2, fp32 parameters with bf16 compute)",
         {{"precision.weights", "fp32", "torchtitan/config/job_config.py L267 (training.dtype float32)"},
          {"training.mixed_precision", "bf16", "job_config.py L274 (mixed_precision_param bfloat16)"},
          {"training.objective", "pretrain", "torchtitan trains language models from scratch (train.py)"},
          {"parallelism.fsdp", "full_shard",
           "torchtitan/models/llama3/infra/parallelize.py L286 (fully_shard on every block)"},
          {"training.gradient_checkpointing", "full",
           "job_config.py L629-632 (mode selective, selective_ac_option '2': every 2nd block checkpointed)"},
          {"training.recompute_method", "interval", "job_config.py L632 (selective_ac_option '2')",
           "training.gradient_checkpointing"},
          {"training.recompute_num_layers", "2", "job_config.py L632", "training.gradient_checkpointing"},
          {"workload.sequence_length", "2048", "job_config.py L253 (training.seq_len 2048)"},
          {"runtime.adamw_implementation", "fused", "job_config.py L135-151 (optimizer.implementation fused)"}}},
        {"megatron", "Megatron-LM / Megatron-Core (pretrain_gpt.py)",
         {{"training.full.convention", "megatron", "megatron/training/arguments.py (Megatron's own bookkeeping)"},
          {"training.objective", "pretrain", "pretrain_gpt.py"}}},
        {"ms-swift", "ms-swift (transformers / DeepSpeed path)",
         {{"training.gradient_checkpointing", "full", "swift/trainers/arguments.py L101 (gradient_checkpointing=True)"}}},
        {"ms-swift-megatron", "ms-swift Megatron-SWIFT",
         {{"training.full.convention", "megatron", "swift/megatron (Megatron-Core)"},
          {"training.gradient_checkpointing", "selective",
           "swift/megatron/argument/megatron_args.py L406 (recompute_granularity 'selective')"},
          {"parallelism.zero", "1", "megatron_args.py L476 (use_distributed_optimizer=True)"},
          {"workload.batching", "padding_free", "megatron_args.py L325 (padding_free=True)"},
          {"training.encoder_gradient_checkpointing", "full", "megatron_args.py L366 (vit_gradient_checkpointing=True)"}}},
        {"llama-factory", "LLaMA-Factory",
         {{"training.gradient_checkpointing", "full",
           "src/llamafactory/hparams/model_args.py L144-145 (disable_gradient_checkpointing=False)"},
          {"workload.sequence_length", "2048", "src/llamafactory/hparams/data_args.py L46-47 (cutoff_len 2048)"}}},
        {"axolotl", "Axolotl",
         {{"runtime.adamw_implementation", "fused",
           "src/axolotl/utils/schemas/training.py L77-78 (optimizer adamw_torch_fused)"},
          {"workload.sequence_length", "512", "src/axolotl/utils/schemas/config.py L442-443 (sequence_len 512)"}}},
        {"unsloth", "Unsloth (FastLanguageModel.get_peft_model)",
         {{"training.gradient_checkpointing", "full",
           "unsloth/models/llama.py L2595 (use_gradient_checkpointing='unsloth')"},
          {"training.activation_offload", "checkpoints",
           "unsloth_zoo gradient_checkpointing.py (UnslothCheckpointFunction: each layer input to pinned CPU memory)",
           "training.gradient_checkpointing"}}},
        {"openrlhf", "OpenRLHF (Ray, DeepSpeed workers, vLLM rollout engines)",
         {{"parallelism.zero", "2", "openrlhf/cli/train_ppo_ray.py L308 (--ds.zero_stage 2)"},
          {"training.mixed_precision", "bf16", "train_ppo_ray.py L312-315 (--ds.param_dtype bf16)"},
          {"workload.sequence_length", "2048", "train_ppo_ray.py L379 (--data.max_len 2048)"},
          {"training.ppo.layout", "openrlhf", "train_ppo_ray.py (one Ray placement group per role)", nullptr,
           "training.objective=ppo"}}},
        {"verl", "verl (FSDP workers, colocated vLLM rollout)",
         {{"parallelism.fsdp", "full_shard", "verl/trainer/config/ppo_trainer.yaml (actor.strategy fsdp)"},
          {"precision.weights", "fp32", "verl/workers/fsdp_workers.py (model_dtype fp32 for the actor)"},
          {"training.mixed_precision", "bf16", "fsdp_workers.py (mixed_precision param_dtype bf16)"},
          {"training.ppo.layout", "verl", "verl/trainer/ppo/ray_trainer.py (hybrid engine)", nullptr,
           "training.objective=ppo"}}},
    };
    return table;
}

const TrainingFramework* find_training_framework(const std::string& name) {
    for (const auto& f : training_frameworks())
        if (name == f.name) return &f;
    return nullptr;
}

}  // namespace vram
