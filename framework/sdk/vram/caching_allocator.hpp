// vram/caching_allocator.hpp - a replay model of PyTorch's CUDA caching allocator
// (c10/cuda/CUDACachingAllocator.cpp): what `torch.cuda.max_memory_reserved()` reports for a
// sequence of tensor allocations and frees. Plugins describe what their phase allocates and
// frees (a decode step's torch.cat, a layer's saved activations); the model applies the
// allocator's rules to it. docs/allocator.md lists each rule with its source.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>

#include "vram/bytes.hpp"
#include "vram/export.hpp"

namespace vram {

/// The allocator's constants (CUDACachingAllocator.cpp, PyTorch 2.x).
namespace allocator_rules {
inline constexpr Bytes kMinBlockSize = 512;          ///< every request is rounded up to 512 B
inline constexpr Bytes kSmallSize = 1048576;         ///< requests <= 1 MiB use the small pool
inline constexpr Bytes kSmallBuffer = 2097152;       ///< small-pool segments are 2 MiB
inline constexpr Bytes kLargeBuffer = 20971520;      ///< 1-10 MiB requests get 20 MiB segments
inline constexpr Bytes kMinLargeAlloc = 10485760;    ///< from 10 MiB a segment fits the request
inline constexpr Bytes kRoundLarge = 2097152;        ///< ... rounded up to 2 MiB
}  // namespace allocator_rules

/// The request size a block gets: at least 512 B, a multiple of 512 B (round_size).
VRAM_API Bytes allocator_round_size(Bytes size);
/// The segment cudaMalloc'ed when no cached block fits (get_allocation_size).
VRAM_API Bytes allocator_segment_size(Bytes size);

/// PYTORCH_CUDA_ALLOC_CONF settings the model follows.
struct CachingAllocatorConfig {
    /// expandable_segments:True — one segment per pool grows by mapping pages at its end
    /// (2 MiB for the small pool, 20 MiB for the large one) instead of new cudaMalloc segments.
    bool expandable_segments = false;
    /// max_split_size_mb: cached blocks of at least this size are not split for smaller
    /// requests (and a request of at least this size takes a cached block only if it wastes
    /// less than 20 MiB). 0 = unlimited, PyTorch's default.
    Bytes max_split_size = 0;
    /// Memory the allocator may hold (GPU memory less what lives outside it). When a new
    /// segment would exceed it, the allocator frees its cached free segments and retries
    /// (release_cached_blocks); a request that still does not fit is an out-of-memory error.
    /// 0 = unlimited.
    Bytes capacity = 0;
};

/// Counters as torch.cuda.memory_stats() names them (allocated_bytes.all.*, reserved_bytes.all.*).
/// `allocated` counts whole blocks, so it includes a block's rounding and the unsplit rest of
/// its segment, as PyTorch's counter does.
struct CachingAllocatorStats {
    Bytes allocated = 0, reserved = 0;
    Bytes peak_allocated = 0, peak_reserved = 0;
    /// Requested bytes live (the tensors' own sizes): what the tensors need before rounding.
    Bytes requested = 0, peak_requested = 0;
    std::int64_t segments = 0, allocations = 0;
    bool out_of_memory = false;  ///< a request failed even after the cache was emptied
};

/// The model. Allocation handles are returned by allocate() and given back to release().
class VRAM_API CachingAllocatorModel {
public:
    using Handle = std::int64_t;
    explicit CachingAllocatorModel(const CachingAllocatorConfig& config = {});
    ~CachingAllocatorModel();
    CachingAllocatorModel(const CachingAllocatorModel&) = delete;
    CachingAllocatorModel& operator=(const CachingAllocatorModel&) = delete;

    /// A tensor of `size` bytes; -1 when it does not fit even after emptying the cache (the
    /// stats then say out_of_memory). A size of 0 allocates nothing and returns 0 handles'
    /// worth of memory (PyTorch returns a null pointer).
    Handle allocate(Bytes size);
    /// Frees the tensor; its block goes back to the pool, merged with free neighbours.
    void release(Handle handle);
    /// torch.cuda.empty_cache(): returns every cached free segment to the driver.
    void empty_cache();
    const CachingAllocatorStats& stats() const;
    /// Zeroes the peaks to the current values (torch.cuda.reset_peak_memory_stats()).
    void reset_peaks();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace vram
