// checkpoint.cpp - tensor bytes and compute dtype of a hub checkpoint.
// SPDX-License-Identifier: Apache-2.0
#include "pipeline/checkpoint.hpp"

namespace vram {

void spread_checkpoint_bytes(const CheckpointInfo& checkpoint, const ModelSpec& model,
                             std::vector<Bytes>& tensor_bytes) {
    // long double: the running share must not drift by a byte over thousands of tensors.
    const long double total = static_cast<long double>(checkpoint.bytes);
    const long double params = static_cast<long double>(parameter_count(model));
    long double cum = 0;
    Bytes assigned = 0;
    for (std::size_t i = 0; i < model.tensors.size(); ++i) {
        cum += static_cast<long double>(model.tensors[i].numel()) * static_cast<long double>(model.tensors[i].copies);
        const Bytes upto = i + 1 == model.tensors.size() ? checkpoint.bytes
                                                          : static_cast<Bytes>(total * cum / params);
        tensor_bytes[i] = upto - assigned;
        assigned = upto;
    }
}

std::string checkpoint_compute_dtype(const CheckpointInfo& checkpoint) {
    std::uint64_t best = 0;
    std::string dtype = "bf16";
    for (const auto& [d, n] : checkpoint.bytes_by_dtype) {
        const char* mapped = d == "BF16" ? "bf16" : d == "F16" ? "fp16" : d == "F32" ? "fp32" : nullptr;
        if (mapped && n > best) best = n, dtype = mapped;
    }
    return dtype;
}

}  // namespace vram
