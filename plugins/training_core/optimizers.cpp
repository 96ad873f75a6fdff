// optimizers.cpp - bytes of optimizer state per trainable tensor (formulas.md §5.1).
// SPDX-License-Identifier: Apache-2.0
#include "optimizers.hpp"

#include <algorithm>

#include "vram/error.hpp"

#include "common.hpp"

namespace vram::plugins::training {

namespace {
// bitsandbytes optim/optimizer.py (Optimizer2State.init_state): tensors with fewer than
// min_8bit_size = 4096 elements keep fp32 state; larger ones get uint8 state1/state2 and one
// fp32 absmax per block of 256 elements (blocks = ceil(n / 256)) for each state.
constexpr std::int64_t kMin8bitSize = 4096;
constexpr std::int64_t kBlock = 256;
}  // namespace

double tensor_state_bytes(StateLayout layout, std::int64_t rows, std::int64_t cols, double elem) noexcept {
    const auto n = static_cast<double>(rows) * static_cast<double>(cols);
    switch (layout) {
        case StateLayout::none: return 0;
        case StateLayout::one_full:
        case StateLayout::muon: return n * elem;  // a hidden matrix under Muon (state_bytes routes the rest)
        case StateLayout::two_full: return 2 * n * elem;
        case StateLayout::two_8bit: {
            if (rows * cols < kMin8bitSize) return 2 * n * 4;
            const auto blocks = static_cast<double>((rows * cols + kBlock - 1) / kBlock);
            return 2 * (n * 1 + blocks * 4);
        }
        case StateLayout::factored:
            // torch.optim.Adafactor / transformers Adafactor (beta1 None): a >= 2-D tensor keeps
            // a row vector and a column vector of second moments; a 1-D tensor keeps a full one.
            if (cols > 1) return (static_cast<double>(rows) + static_cast<double>(cols)) * elem;
            return n * elem;
    }
    return 0;
}

double LayoutOptimizer::state_bytes(const Context& ctx) const {
    // Full-precision states are fp32 under mixed precision (DeepSpeed, Megatron, torch.autocast
    // over fp32 weights) and like the parameter in pure 16-bit training.
    const double elem = state_dtypes(ctx).state;
    double total = 0;
    for (const Tensor& t : ctx.trainable_tensors) {
        // Muon orthogonalizes hidden 2-D matrices only; embeddings, the output head and 1-D gains
        // and biases go to AdamW (Megatron emerging_optimizers.py _is_nonlinear_or_embedding:
        // is_embedding_or_output_parameter or len(shape) != 2 -> 'adam'; Keller Jordan's
        // MuonWithAuxAdam the same split).
        StateLayout layout = layout_;
        if (layout == StateLayout::muon && (t.embedding || t.cols <= 1)) layout = StateLayout::two_full;
        total += static_cast<double>(t.copies) * tensor_state_bytes(layout, t.rows, t.cols, elem);
    }
    return total;
}

// ---- GaLore ------------------------------------------------------------------------------------

GaloreShape galore_shape(std::int64_t rows, std::int64_t cols, std::int64_t rank) noexcept {
    GaloreShape g;
    const std::int64_t k = std::min(rows, cols), r = std::min(rank, k);
    if (rows >= cols) {
        g.low_rows = rows, g.low_cols = r;
        g.projector_elements = static_cast<double>(r) * static_cast<double>(cols);
    } else {
        g.low_rows = r, g.low_cols = cols;
        g.projector_elements = static_cast<double>(rows) * static_cast<double>(r);
    }
    g.svd_fp32_elements = static_cast<double>(rows) * static_cast<double>(k) + static_cast<double>(k) * static_cast<double>(cols);
    return g;
}

bool galore_projects(const Context& ctx, const Tensor& t) noexcept {
    const OptimizerFacts& f = ctx.optimizer_facts;
    if (f.projection_rank <= 0 || !t.linear || t.cols <= 1) return false;
    for (const std::string& m : f.projected_modules)
        if (t.name.find(m) != std::string::npos) return true;
    return false;
}

std::vector<ParamSpec> GaloreOptimizer::params() const {
    return {
        {"rank", ParamType::integer, "128", "rank r of the projected gradient and states (ms-swift galore_rank, "
         "transformers optim_args rank)", 1, 1 << 20, {}},
        {"targets", ParamType::string_list, "attn,mlp", "substrings of the Linear weights' names GaLore projects "
         "(ms-swift galore_target_modules: attention and MLP; transformers optim_target_modules)", 0, 0, {}},
        {"layerwise", ParamType::boolean, "false", "one optimizer per parameter stepped in its post-accumulate-grad "
         "hook, which frees the gradient at once (transformers galore_adamw_layerwise, GaLore torchrun_main.py "
         "L355-367); ms-swift's galore_optim_per_parameter keeps every gradient (a plain loop over optimizers)", 0, 0, {}},
    };
}

void GaloreOptimizer::prepare(Context& ctx, const Params& options) const {
    OptimizerFacts& f = ctx.optimizer_facts;
    f.projection_rank = options.integer("rank");
    f.projected_modules = options.strings("targets");
    f.steps_per_parameter = options.flag("layerwise");
    if (f.projected_modules.empty())
        throw ParamError("training.galore.targets", "empty; name the Linear weights to project, e.g. [attn, mlp]");
    if (ctx.scenario().parallelism.zero > 0 || ctx.scenario().parallelism.fsdp != "none")
        throw ParamError("training.optimizer", key_ + " projects whole 2-D gradients; ZeRO and FSDP hand the "
                                                   "optimizer flat shards, which GaLore's projector cannot take "
                                                   "(galore_projector.py uses grad.shape); allowed: parallelism.zero 0 "
                                                   "without FSDP");
}

double GaloreOptimizer::state_bytes(const Context& ctx) const {
    const double elem = state_dtypes(ctx).state;
    double total = 0;
    for (const Tensor& t : ctx.trainable_tensors) {
        double one = 0;
        if (galore_projects(ctx, t)) {
            const GaloreShape g = galore_shape(t.rows, t.cols, ctx.optimizer_facts.projection_rank);
            // The inner optimizer's states are zeros_like(low-rank gradient) (adamw.py L105-109);
            // the factor is cast back to the gradient's dtype, except for an fp32 gradient, where
            // Vh[:r] / U[:, :r] stays a view of the whole fp32 factor (galore_projector.py L69-96).
            one = tensor_state_bytes(layout_, g.low_rows, g.low_cols, elem);
            const std::int64_t k = std::min(t.rows, t.cols);
            one += elem >= 4 ? static_cast<double>(t.rows >= t.cols ? k * t.cols : t.rows * k) * 4
                             : g.projector_elements * elem;
        } else {
            one = tensor_state_bytes(layout_, t.rows, t.cols, elem);
        }
        total += static_cast<double>(t.copies) * one;
    }
    return total;
}

}  // namespace vram::plugins::training
