// optimizers.hpp - optimizer state layouts (formulas.md §5.1).
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "vram/training.hpp"

namespace vram::plugins::training {

/// How an optimizer lays out its state per parameter tensor.
enum class StateLayout {
    none,          ///< SGD without momentum
    one_full,      ///< SGD momentum, Lion: one buffer like the parameter
    two_full,      ///< AdamW: exp_avg, exp_avg_sq
    two_8bit,      ///< bitsandbytes 8-bit Adam: uint8 state1/state2 + fp32 absmax per 256
    factored,      ///< Adafactor: row and column second moments for >= 2-D tensors
    muon,          ///< Muon: one momentum buffer per hidden 2-D matrix; AdamW's two for the rest
};

/// What every built-in optimizer states about itself, and the layout its states follow.
class LayoutOptimizerBase : public Optimizer {
public:
    LayoutOptimizerBase(std::string name, std::string key, StateLayout layout, std::string describe, std::string source)
        : name_(std::move(name)), key_(std::move(key)), layout_(layout), describe_(std::move(describe)),
          source_(std::move(source)) {}
    std::string_view name() const override { return name_; }
    std::string_view key() const override { return key_; }
    std::string_view describe() const override { return describe_; }
    std::string_view source() const override { return source_; }

protected:
    std::string name_, key_;
    StateLayout layout_;
    std::string describe_, source_;
};

/// One optimizer plugin; all share the same arithmetic, parametrised by the layout.
class LayoutOptimizer final : public LayoutOptimizerBase {
public:
    using LayoutOptimizerBase::LayoutOptimizerBase;
    double state_bytes(const Context& ctx) const override;
};

/// GaLore (Zhao et al. 2024, arXiv 2403.03507): the gradient of each targeted matrix is projected
/// to rank r before the inner optimizer sees it, so that optimizer's state has the low-rank shape;
/// every other trainable tensor keeps the inner optimizer's full state. Options in training.galore.
/// The layout is the inner optimizer's, applied to the projected shapes.
class GaloreOptimizer final : public LayoutOptimizerBase {
public:
    using LayoutOptimizerBase::LayoutOptimizerBase;
    double state_bytes(const Context& ctx) const override;
    std::string_view option_block() const override { return "galore"; }
    std::vector<ParamSpec> params() const override;
    void prepare(Context& ctx, const Params& options) const override;
};

/// The shapes GaLore works with for one rows × cols matrix at rank r (galore_projector.py 'std'):
/// rows >= cols keeps the right factor Vh[:r] (r × cols) and a rows × r gradient, otherwise the
/// left factor U[:, :r] (rows × r) and an r × cols gradient.
struct GaloreShape {
    std::int64_t low_rows = 0, low_cols = 0;  ///< the projected gradient (and the states)
    double projector_elements = 0;            ///< elements of the kept factor
    double svd_fp32_elements = 0;             ///< U and Vh of torch.linalg.svd(full_matrices=False)
};
GaloreShape galore_shape(std::int64_t rows, std::int64_t cols, std::int64_t rank) noexcept;
/// Whether GaLore projects this trainable tensor under the scenario's options.
bool galore_projects(const Context& ctx, const Tensor& t) noexcept;

/// State bytes of one tensor of `numel` elements (rows × cols) under a layout; `elem` is the
/// bytes of a full-precision state element (fp32 4, or the parameter dtype).
double tensor_state_bytes(StateLayout layout, std::int64_t rows, std::int64_t cols, double elem) noexcept;

}  // namespace vram::plugins::training
