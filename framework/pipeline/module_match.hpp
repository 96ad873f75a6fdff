// pipeline/module_match.hpp - which tensors a list of module names (precision.modules_to_not_convert)
// names, the way the loaders that read such lists match them.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <regex>
#include <string>
#include <vector>

#include "vram/model.hpp"

namespace vram {

/// Matches a tensor's module path, "model.layers.N.<name>" for decoder layers and the name alone
/// elsewhere, less a trailing ".weight" / ".bias":
///  - a name without dots matches any component of the path ("self_attn": every attention,
///    "lm_head"); a dotted name matches a leading run of components ("model.layers.0.mlp": one
///    layer's MLP, not "layers.0"): vLLM's is_layer_skipped_bnb (bitsandbytes.py), which the
///    Unsloth loader extends the same way;
///  - "re:PATTERN" matches from the start of the path (compressed-tensors' re.match of `ignore`).
class ModuleMatcher {
public:
    explicit ModuleMatcher(const std::vector<std::string>& entries);
    bool empty() const noexcept { return components_.empty() && prefixes_.empty() && patterns_.empty(); }
    bool matches(const Tensor& t) const;
    /// The path matched: "model.layers.3.self_attn.q_proj" for a layer's q_proj.weight.
    static std::string module_path(const Tensor& t);

private:
    std::vector<std::string> components_;  ///< ".name." of names without dots
    std::vector<std::string> prefixes_;    ///< dotted names
    std::vector<std::regex> patterns_;
};

}  // namespace vram
