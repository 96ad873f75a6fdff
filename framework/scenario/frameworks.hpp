// frameworks.hpp - runtime.framework: the training frameworks' own defaults, applied to the keys a
// scenario leaves unset (docs/training.md "Frameworks").
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

namespace vram {

/// One default a framework sets: a scenario key path, its value as `--set` writes it, and where
/// the framework's code says so.
struct FrameworkDefault {
    const char* path;
    const char* value;
    const char* source;
    /// Applied only together with this key's default (null: on its own): the recompute layers
    /// belong to the framework's checkpointing, not to one the scenario chose.
    const char* with = nullptr;
    /// Applied only when the scenario sets this key to this value, as "path=value"
    /// ("training.objective=ppo"; null: whatever the scenario says).
    const char* when = nullptr;
};

struct TrainingFramework {
    const char* name;
    const char* description;
    std::vector<FrameworkDefault> defaults;
};

/// Every framework runtime.framework accepts, in the order `vram schema` lists them.
const std::vector<TrainingFramework>& training_frameworks();
const TrainingFramework* find_training_framework(const std::string& name);

}  // namespace vram
