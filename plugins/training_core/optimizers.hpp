// optimizers.hpp - optimizer state layouts (formulas.md §5.1).
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

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

/// One optimizer plugin; all share the same arithmetic, parametrised by the layout.
class LayoutOptimizer final : public Optimizer {
public:
    LayoutOptimizer(std::string name, std::string key, StateLayout layout, std::string describe, std::string source)
        : name_(std::move(name)), key_(std::move(key)), layout_(layout), describe_(std::move(describe)),
          source_(std::move(source)) {}
    std::string_view name() const override { return name_; }
    std::string_view key() const override { return key_; }
    double state_bytes(const Context& ctx) const override;
    std::string_view describe() const override { return describe_; }
    std::string_view source() const override { return source_; }

private:
    std::string name_, key_;
    StateLayout layout_;
    std::string describe_, source_;
};

/// State bytes of one tensor of `numel` elements (rows × cols) under a layout; `elem` is the
/// bytes of a full-precision state element (fp32 4, or the parameter dtype).
double tensor_state_bytes(StateLayout layout, std::int64_t rows, std::int64_t cols, double elem) noexcept;

}  // namespace vram::plugins::training
