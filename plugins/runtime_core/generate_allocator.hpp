// generate_allocator.hpp - the caching allocator's cached-but-free memory during transformers'
// generate() with a growing DynamicCache (issue 19, docs/allocator.md).
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "vram/component.hpp"

namespace vram::plugins {

// Symbols the hf profile sets for the allocator replay.
inline constexpr const char* kStaticCache = "kv_cache_static";
inline constexpr const char* kAllocExpandable = "alloc_expandable_segments";
inline constexpr const char* kAllocMaxSplit = "alloc_max_split_size";

/// What the replay of one generate() call reports.
struct GenerateReplay {
    Bytes peak_allocated = 0, peak_reserved = 0;
    std::int64_t events = 0;   ///< allocations replayed
    std::int64_t stride = 1;   ///< tokens added per replayed decode step
    bool out_of_memory = false;
};

/// Weights tensor by tensor, the prompt's prefill, then every decode step's torch.cat of each
/// layer's K and V, through the caching allocator model.
GenerateReplay replay_generate(const Context& ctx);

class HfCacheGrowthTerm final : public TermInfo<HfCacheGrowthTerm> {
public:
    static constexpr std::string_view kId = "hf.allocator.cache_growth";
    static constexpr Category kCategory = Category::allocator;
    static constexpr std::string_view kFormula =
        "peak reserved − peak allocated of the replayed allocations: weights, prefill of prompt_length tokens, "
        "then per decode step and layer K(n+1), V(n+1) allocated before K(n), V(n) are freed";
    static constexpr std::string_view kSource =
        "transformers cache_utils.py DynamicLayer.update (torch.cat per step); PyTorch "
        "c10/cuda/CUDACachingAllocator.cpp rules (vram/caching_allocator.hpp, docs/allocator.md)";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::vector<std::string> reads() const override;
};

}  // namespace vram::plugins
