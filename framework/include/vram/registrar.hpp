// vram/registrar.hpp - what a plugin sees while it registers (implemented by the host)
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>

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
    virtual void add(std::unique_ptr<Component> item) = 0;
    virtual void add(std::unique_ptr<ModelAdapter> item) = 0;
    virtual void add(std::unique_ptr<AttentionVariant> item) = 0;
    virtual void add(std::unique_ptr<WeightFormat> item) = 0;
    virtual void add(std::unique_ptr<TrainingMethod> item) = 0;
    virtual void add(std::unique_ptr<TrainingObjective> item) = 0;
    virtual void add(std::unique_ptr<Optimizer> item) = 0;
    virtual void add(std::unique_ptr<ModalityTokenizer> item) = 0;
    virtual void add(std::unique_ptr<RuntimeProfile> item) = 0;
    virtual void add(std::unique_ptr<GpuCatalog> item) = 0;
    virtual Logger& log() = 0;
};

}  // namespace vram
