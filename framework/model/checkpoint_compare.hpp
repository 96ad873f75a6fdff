// model/checkpoint_compare.hpp - a hub checkpoint's safetensors headers against the family's
// tensor list, layer by layer, so that a wrong family file is caught on first use (issue 17).
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "hub/hub.hpp"
#include "vram/export.hpp"
#include "vram/model.hpp"

namespace vram {

/// A tensor named in a difference. Inside the decoder stack the name is the one within the layer
/// ("self_attn.q_norm.weight"), outside it the full name ("model.embed_tokens.weight").
struct NamedShape {
    std::string name;
    std::vector<std::int64_t> shape;
    std::int64_t copies = 1;         ///< copies missing (routed experts: some of the family entry's)
    std::int64_t family_copies = 1;  ///< copies the family entry stands for (1 for a checkpoint tensor)
};

/// A tensor both sides have, with a different number of elements.
struct ShapeDifference {
    std::string name;
    std::vector<std::int64_t> family_shape;
    std::int64_t family_copies = 1;
    std::vector<std::int64_t> checkpoint_shape;
};

/// One place where family and checkpoint differ: a decoder layer, or the tensors outside the stack.
struct CheckpointDifference {
    std::string where;                    ///< "layer 3", "outside the layers"
    std::int32_t layer = -1;              ///< -1: outside the decoder stack
    std::int64_t family_elements = 0;     ///< Σ numel · copies of the family's tensors there
    std::int64_t checkpoint_elements = -1;  ///< Σ elements of the checkpoint's; -1: not comparable (packed)
    std::vector<NamedShape> missing_in_family;      ///< checkpoint tensors no family tensor claims
    std::vector<NamedShape> missing_in_checkpoint;  ///< family tensors the checkpoint lacks
    std::vector<ShapeDifference> different_shape;
};

/// Checkpoint tensors left out of the comparison as a group, with why ("vision_tower.": the
/// family does not model it; "layers 61..61": beyond num_hidden_layers).
struct NotAttributed {
    std::string what;   ///< "visual.", "model.layers.61 and above"
    std::string why;    ///< "beyond num_hidden_layers = 61 (multi-token prediction)"
    std::size_t tensors = 0;
    std::int64_t elements = 0;
};

struct CheckpointComparison {
    // The checkpoint as read (CheckpointInfo's totals).
    std::string source;
    std::size_t files = 0;
    std::size_t tensors = 0;
    std::uint64_t bytes = 0;
    std::uint64_t elements = 0;
    std::string quantization;   ///< config.json's quant_method, "" when none

    /// true: elements are compared; false: packed quantized tensors hold several parameters per
    /// stored element, so tensors are compared by presence (and by shape where stored unpacked).
    bool by_elements = true;
    std::string reason;         ///< why not by elements ("" when by_elements)
    std::int64_t family_elements = 0;      ///< Σ numel · copies of the family's tensors
    std::int64_t checkpoint_elements = 0;  ///< Σ elements of the checkpoint tensors compared
    std::size_t family_tensors = 0;        ///< family entries (an expert entry counts once)
    std::size_t checkpoint_tensors = 0;    ///< checkpoint tensors compared
    std::vector<CheckpointDifference> differences;  ///< outside the layers first, then by layer
    std::vector<NotAttributed> not_attributed;
    std::vector<std::string> notes;        ///< what was set aside and why (buffers, scales, tied head)

    bool matches() const noexcept { return differences.empty(); }
};

/// Compares the checkpoint's tensors with the family's (docs/hub.md "Checkpoint against family").
/// Names are matched within each decoder layer (the checkpoint's layer index parsed from the first
/// `<stack>.<digits>.` of the name, stack one of layers, h, blocks, block, layer) and by full name
/// or name suffix outside; routed experts `experts.E.x` count as copies of the family's `experts.x`.
VRAM_API CheckpointComparison compare_checkpoint(const ModelSpec& model, const CheckpointInfo& checkpoint);

}  // namespace vram
