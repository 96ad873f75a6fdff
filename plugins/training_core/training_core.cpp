// training_core.cpp - plugin entry: the full method, sft/pretrain objectives, the optimizers and
// the training terms (docs/training.md).
// SPDX-License-Identifier: Apache-2.0
#include "methods.hpp"
#include "model_states.hpp"
#include "optimizers.hpp"
#include "adapters.hpp"
#include "vram/plugin_api.hpp"

VRAM_PLUGIN(vram_training_core, "0.1.0") {
    using namespace vram::plugins::training;
    reg.declare(kConvention, "", "model-state convention of the full method: 0 hf, 1 deepspeed, 2 megatron");
    reg.declare(kBucketView, "flag", "1 when DDP gradients are views of its all-reduce buckets (gradient_as_bucket_view)");
    reg.declare(kReduceBucket, "elements", "DeepSpeed reduce_bucket_size");
    reg.declare(kPrefetchBucket, "elements", "DeepSpeed stage3_prefetch_bucket_size");
    reg.declare(kMaxLive, "elements", "DeepSpeed stage3_max_live_parameters");
    reg.declare(kReuseDistance, "elements", "DeepSpeed stage3_max_reuse_distance");
    reg.declare(kPersistThreshold, "elements", "DeepSpeed stage3_param_persistence_threshold");
    reg.declare(kExpAvgBytes, "bytes", "Megatron precision-aware optimizer: bytes per exp_avg element");
    reg.declare(kExpAvgSqBytes, "bytes", "Megatron precision-aware optimizer: bytes per exp_avg_sq element");
    reg.declare(kMainParamBytes, "bytes", "Megatron precision-aware optimizer: bytes of master weight per parameter");
    reg.declare(kMainGradBytes, "bytes", "Megatron precision-aware optimizer: bytes per main_grad element");
    reg.add(std::make_unique<FullMethod>());
    reg.add(std::make_unique<LisaMethod>());
    reg.add(std::make_unique<LlamaProMethod>());
    reg.add(std::make_unique<SftObjective>());
    reg.add(std::make_unique<PretrainObjective>());

    const std::string torch = "torch.optim ";
    const std::string bnb = "bitsandbytes optim/optimizer.py (Optimizer2State: uint8 state1/state2, fp32 absmax per "
                            "256-element block, fp32 state for tensors < min_8bit_size = 4096 elements)";
    const std::string paging = "; paged: states allocated as CUDA unified memory (cudaMallocManaged via "
                               "bitsandbytes get_paged) that the driver evicts to CPU RAM under pressure: the same bytes "
                               "while resident, invisible to torch.cuda.max_memory_allocated (QLoRA paper §2)";
    reg.add(std::make_unique<LayoutOptimizer>("core.optimizer.adamw", "adamw", StateLayout::two_full,
                                              "exp_avg and exp_avg_sq: 2 states per parameter",
                                              torch + "AdamW: state = zeros_like(param) ×2; formulas.md §5.1"));
    reg.add(std::make_unique<LayoutOptimizer>("core.optimizer.adamw-8bit", "adamw-8bit", StateLayout::two_8bit,
                                              "2 uint8 states + fp32 absmax per 256 (2.03 B/param); < 4096 elements fp32",
                                              bnb));
    reg.add(std::make_unique<LayoutOptimizer>("core.optimizer.paged-adamw", "paged-adamw", StateLayout::two_full,
                                              "exp_avg and exp_avg_sq in paged (unified) memory",
                                              "bitsandbytes PagedAdamW" + paging));
    reg.add(std::make_unique<LayoutOptimizer>("core.optimizer.paged-adamw-8bit", "paged-adamw-8bit",
                                              StateLayout::two_8bit, "8-bit AdamW states in paged (unified) memory",
                                              bnb + paging));
    reg.add(std::make_unique<LayoutOptimizer>("core.optimizer.sgd", "sgd", StateLayout::none, "no state",
                                              torch + "SGD with momentum=0 keeps no momentum_buffer"));
    reg.add(std::make_unique<LayoutOptimizer>("core.optimizer.sgd-momentum", "sgd-momentum", StateLayout::one_full,
                                              "momentum_buffer: 1 state per parameter",
                                              torch + "SGD momentum_buffer = clone(grad); transformers "
                                                      "model_memory_anatomy.md '4 bytes ... SGD with momentum'"));
    reg.add(std::make_unique<LayoutOptimizer>("core.optimizer.adafactor", "adafactor", StateLayout::factored,
                                              "factored second moments: rows + cols per >= 2-D tensor, full for 1-D",
                                              torch + "Adafactor / transformers Adafactor (beta1=None): row_var and "
                                                      "col_var for >= 2-D params (Shazeer & Stern 2018)"));
    reg.add(std::make_unique<LayoutOptimizer>(
        "core.optimizer.muon", "muon", StateLayout::muon,
        "Muon momentum (1 state) for hidden 2-D matrices; AdamW (2 states) for embeddings, output head, 1-D tensors",
        "Muon (Jordan et al. 2024; torch.optim.Muon: momentum_buffer = zeros_like(grad), 2-D params only); "
        "Megatron-Core optimizer/emerging_optimizers.py routes is_embedding_or_output_parameter and non-2-D params "
        "to Adam (_is_nonlinear_or_embedding); Moonlight (arXiv 2502.16982) the same split"));
    reg.add(std::make_unique<LayoutOptimizer>("core.optimizer.lion", "lion", StateLayout::one_full,
                                              "exp_avg: 1 state per parameter",
                                              "lion-pytorch / bitsandbytes Lion: one momentum buffer like the parameter "
                                              "(Chen et al. 2023, arXiv 2302.06675)"));

    const std::string galore =
        "GaLore (Zhao et al. 2024, arXiv 2403.03507; jiaweizzhao/GaLore @ 2cc66f8 galore_torch/galore_projector.py "
        "L12-96, adamw.py L83-109; ms-swift swift/optimizers/galore): a targeted m x n gradient is projected to rank "
        "r (m >= n: grad @ Vh[:r]^T, m x r; else U[:, :r]^T @ grad, r x n), the inner optimizer's states are "
        "zeros_like that low-rank gradient, plus the kept factor; other tensors keep full states";
    reg.add(std::make_unique<GaloreOptimizer>("core.optimizer.galore-adamw", "galore-adamw", StateLayout::two_full,
                                              "AdamW on rank-r projected gradients of the targeted matrices: 2 states "
                                              "of r x max(m, n) + the r x min(m, n) projector; full AdamW elsewhere",
                                              galore));
    reg.add(std::make_unique<GaloreOptimizer>("core.optimizer.galore-adamw-8bit", "galore-adamw-8bit",
                                              StateLayout::two_8bit,
                                              "bitsandbytes 8-bit AdamW on rank-r projected gradients (GaLoreAdamW8bit; "
                                              "Q-GaLore's QGaLoreAdamW8bit keeps the same states)",
                                              galore + "; bitsandbytes 8-bit blocks over the low-rank shape"));
    reg.add(std::make_unique<GaloreOptimizer>("core.optimizer.galore-adafactor", "galore-adafactor",
                                              StateLayout::factored,
                                              "Adafactor on rank-r projected gradients: factored second moments of "
                                              "the low-rank shape",
                                              galore + "; Adafactor row and column factors over the low-rank shape"));
    reg.add(std::make_unique<GradientsTerm>());
    reg.add(std::make_unique<Fp32GradientsTerm>());
    reg.add(std::make_unique<OptimizerStatesTerm>());
    reg.add(std::make_unique<AdamStepTemporariesTerm>());
    reg.add(std::make_unique<GaloreSvdTerm>());
    reg.add(std::make_unique<MasterWeightsTerm>());
    reg.add(std::make_unique<MegatronBufferRemapTerm>());
    reg.add(std::make_unique<AutocastCopyTerm>());
    reg.add(std::make_unique<Fp8WeightCopyTerm>());
    reg.add(std::make_unique<GatheredParamsTerm>());
    reg.add(std::make_unique<FsdpPipelineGradsTerm>());
    reg.add(std::make_unique<DdpBucketsTerm>());
    reg.add(std::make_unique<DeepSpeedBucketTerm>());
    reg.add(std::make_unique<ActivationsTerm>());
    reg.add(std::make_unique<LogitsTerm>());
    reg.add(std::make_unique<AdapterWeightsTerm>());
    reg.add(std::make_unique<TrainedCopyWeightsTerm>());
    reg.add(std::make_unique<TrainedCopyGradientsTerm>());
    reg.add(std::make_unique<TrainedCopyStatesTerm>());
    reg.add(std::make_unique<AwqBackwardDequantTerm>());
    reg.add(std::make_unique<AdapterActivationsTerm>());
}
