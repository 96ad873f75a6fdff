// vram/training.hpp - training methods, objectives and optimizers
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>
#include <vector>

#include "vram/context.hpp"
#include "vram/export.hpp"
#include "vram/params.hpp"

namespace vram {

/// Training method plugin kind (full, lora, qlora, prefix ...): decides what is trainable.
/// Options come from the scenario block `training.<key>`.
class VRAM_API TrainingMethod {
public:
    virtual ~TrainingMethod();
    virtual std::string_view name() const = 0;   ///< "core.method.lora"
    virtual std::string_view key() const = 0;    ///< "lora"
    /// Options of the block training.<key()>; the host validates them before prepare().
    virtual std::vector<ParamSpec> params() const { return {}; }
    /// Other block names that hold the same options (QLoRA: "lora", since it is LoRA on a 4-bit
    /// base and people write its options there). One block at most may be given.
    virtual std::vector<std::string_view> option_block_aliases() const { return {}; }
    /// Sets Context::trainable_tensors, Sym::P_trainable and Context::method (MethodFacts: the
    /// dtype of what trains is required when anything trains), and the symbols it declared at
    /// registration. Runs once per preparation, after the weight format stage. Throws
    /// vram::ParamError with the option's key path ("training.lora.rank") for values the model
    /// cannot take.
    virtual void prepare(Context& ctx, const Params& options) const = 0;
};

/// Training objective plugin kind (sft, pretrain, dpo, grpo): sequences per step, extra models.
class VRAM_API TrainingObjective {
public:
    virtual ~TrainingObjective();
    virtual std::string_view name() const = 0;   ///< "core.objective.dpo"
    virtual std::string_view key() const = 0;    ///< "dpo"
    /// Options of the block training.<key()>; the host validates them before prepare().
    virtual std::vector<ParamSpec> params() const { return {}; }
    /// Adjusts Sym::b / Sym::s / Sym::G, fills Context::objective (ObjectiveFacts) and sets the
    /// symbols it declared at registration. Runs after the method's prepare(). Throws
    /// vram::ParamError like TrainingMethod::prepare.
    virtual void prepare(Context& ctx, const Params& options) const = 0;
};

/// Optimizer plugin kind: bytes of optimizer state for the trainable tensors.
class VRAM_API Optimizer {
public:
    virtual ~Optimizer();
    virtual std::string_view name() const = 0;   ///< "core.optimizer.adamw"
    virtual std::string_view key() const = 0;    ///< "adamw"
    /// State bytes for Context::trainable_tensors (unsharded), given the state dtype size.
    virtual double state_bytes(const Context& ctx) const = 0;
    /// One line for --explain ("m and v in fp32: 8 bytes per parameter").
    virtual std::string_view describe() const = 0;
    /// Citation of the state layout (optimizer code, paper).
    virtual std::string_view source() const = 0;
    /// Name of the scenario block holding this optimizer's options (`training.<block>`; GaLore's
    /// rank and targets: "galore"); empty = the optimizer takes none. Optimizers may share one.
    virtual std::string_view option_block() const { return {}; }
    /// Options of that block; the host validates them before prepare().
    virtual std::vector<ParamSpec> params() const { return {}; }
    /// Sets the symbols it declared at registration from its options, so that state_bytes() and
    /// the terms can read them. Runs once per preparation, after the objective's prepare().
    /// Throws vram::ParamError with the option's key path.
    virtual void prepare(Context& ctx, const Params& options) const;
};

}  // namespace vram
