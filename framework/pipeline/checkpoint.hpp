// pipeline/checkpoint.hpp - real tensor sizes from a hub checkpoint's safetensors headers, used
// in place of a weight format's arithmetic (internal).
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "hub/hub.hpp"
#include "vram/bytes.hpp"
#include "vram/model.hpp"

namespace vram {

/// Spreads the checkpoint's exact byte total over the model's tensors in proportion to their
/// parameters (so that TP/PP placement can split it); the bytes sum to the checkpoint total
/// exactly. `tensor_bytes` must have one slot per tensor.
void spread_checkpoint_bytes(const CheckpointInfo& checkpoint, const ModelSpec& model,
                             std::vector<Bytes>& tensor_bytes);
/// The 16/32-bit float dtype holding most of the checkpoint's bytes ("bf16" when none does).
std::string checkpoint_compute_dtype(const CheckpointInfo& checkpoint);

}  // namespace vram
