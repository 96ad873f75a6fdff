// vram/registrar.hpp - what a plugin sees while it registers (implemented by the host)
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <string>

#include "vram/attention.hpp"
#include "vram/component.hpp"
#include "vram/export.hpp"
#include "vram/gpu_catalog.hpp"
#include "vram/logger.hpp"
#include "vram/model_adapter.hpp"
#include "vram/runtime.hpp"
#include "vram/tokenizer.hpp"
#include "vram/training.hpp"
#include "vram/weight_format.hpp"

namespace vram {

/// Registration interface. Everything added is staged and committed only when the plugin's
/// register function returns without throwing (all-or-nothing). Ownership passes to the host,
/// which keeps the plugin library mapped while any object lives.
class VRAM_API Registrar {
public:
    virtual ~Registrar();
    // Each add() takes ownership of a non-null object and stages it under its name() (and its
    // key() / aliases() where the kind has them). A name or key taken by another plugin, or an
    // empty name, fails the whole plugin's load with a PluginLoadError naming both plugins.
    /// A breakdown term, by id() ("acme.dora.norm_buffer").
    virtual void add(std::unique_ptr<Component> item) = 0;
    /// A config.json reader for its model_types().
    virtual void add(std::unique_ptr<ModelAdapter> item) = 0;
    /// A KV layout for the layer kinds it scores above 0.
    virtual void add(std::unique_ptr<AttentionVariant> item) = 0;
    /// A storage format selected by precision.weights (key() and aliases()).
    virtual void add(std::unique_ptr<WeightFormat> item) = 0;
    /// A training method selected by training.method (key()).
    virtual void add(std::unique_ptr<TrainingMethod> item) = 0;
    /// A training objective selected by training.objective (key()).
    virtual void add(std::unique_ptr<TrainingObjective> item) = 0;
    /// An optimizer selected by training.optimizer (key()).
    virtual void add(std::unique_ptr<Optimizer> item) = 0;
    /// A tokenizer for one modality, chosen by score() or by inputs[].tokenizer (key()).
    virtual void add(std::unique_ptr<ModalityTokenizer> item) = 0;
    /// An engine profile selected by runtime.engine (key()).
    virtual void add(std::unique_ptr<RuntimeProfile> item) = 0;
    /// A source of GPU specs for hardware.gpu and `vram gpus`.
    virtual void add(std::unique_ptr<GpuCatalog> item) = 0;
    /// Declares a symbol the plugin sets (Context::set(ctx.symbol(name), v)) and formulas may read:
    /// name, unit and meaning (the owner is this plugin). A name taken by a built-in or another
    /// plugin fails the load naming both. Components may read only declared symbols.
    virtual void declare(const std::string& name, const std::string& unit, const std::string& meaning) = 0;
    /// The host's logger; valid during registration only (do not keep the reference).
    virtual Logger& log() = 0;
};

}  // namespace vram
