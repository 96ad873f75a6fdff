// optimizers.cpp - bytes of optimizer state per trainable tensor (formulas.md §5.1).
// SPDX-License-Identifier: Apache-2.0
#include "optimizers.hpp"

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

}  // namespace vram::plugins::training
