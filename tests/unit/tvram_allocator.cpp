// tvram_allocator.cpp - issue 19's allocator model: the replay of PyTorch's CUDA caching
// allocator (framework/allocator, SDK vram/caching_allocator.hpp). Each expected number is
// worked out by hand from the rules of c10/cuda/CUDACachingAllocator.cpp quoted above it.
// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include "vram/caching_allocator.hpp"

using namespace vram;

namespace {
constexpr Bytes KiB = 1024, MiB = 1024 * 1024;
}

BOOST_AUTO_TEST_SUITE(allocator)

// round_size: at least kMinBlockSize (512 B), else up to a multiple of 512 B.
// get_allocation_size: <= 1 MiB → a 2 MiB small segment; < 10 MiB → a 20 MiB segment; from
// 10 MiB the request rounded up to 2 MiB.
BOOST_AUTO_TEST_CASE(issue19_request_rounding_and_segment_sizes_follow_the_allocator) {
    BOOST_TEST(allocator_round_size(1) == 512u);
    BOOST_TEST(allocator_round_size(512) == 512u);
    BOOST_TEST(allocator_round_size(513) == 1024u);
    BOOST_TEST(allocator_segment_size(1 * MiB) == 2 * MiB);
    BOOST_TEST(allocator_segment_size(1 * MiB + 512) == 20 * MiB);
    BOOST_TEST(allocator_segment_size(10 * MiB - 512) == 20 * MiB);
    BOOST_TEST(allocator_segment_size(10 * MiB) == 10 * MiB);
    BOOST_TEST(allocator_segment_size(11 * MiB + 1) == 12 * MiB);
}

// Three 400 KiB tensors: small pool; the first opens a 2 MiB segment and is split off it (the
// rest 1,638,400 B ≥ 512 B stays cached); the next two are cut from that rest.
// reserved = 2 MiB = 2,097,152 B; allocated = 3 · 409,600 = 1,228,800 B.
BOOST_AUTO_TEST_CASE(issue19_small_tensors_share_a_2_mib_segment) {
    CachingAllocatorModel a;
    for (int i = 0; i < 3; ++i) BOOST_TEST(a.allocate(400 * KiB) > 0);
    BOOST_TEST(a.stats().reserved == 2097152u);
    BOOST_TEST(a.stats().allocated == 1228800u);
    BOOST_TEST(a.stats().segments == 1);
}

// 5 MiB requests: each 20 MiB segment is split (rest > 1 MiB) into four 5 MiB blocks; the fifth
// tensor opens a second segment: reserved 40 MiB, allocated 25 MiB.
// An 11 MiB request gets a 12 MiB segment whose 1 MiB rest is not > 1 MiB: not split, so the
// block — and PyTorch's allocated counter — is the whole 12 MiB.
BOOST_AUTO_TEST_CASE(issue19_large_requests_split_20_mib_segments_and_keep_small_rests) {
    CachingAllocatorModel a;
    for (int i = 0; i < 5; ++i) a.allocate(5 * MiB);
    BOOST_TEST(a.stats().reserved == 40 * MiB);
    BOOST_TEST(a.stats().allocated == 25 * MiB);
    CachingAllocatorModel b;
    b.allocate(11 * MiB);
    BOOST_TEST(b.stats().reserved == 12 * MiB);
    BOOST_TEST(b.stats().allocated == 12 * MiB);
    BOOST_TEST(b.stats().requested == 11 * MiB);
}

// A tensor that grows by concatenation (a DynamicCache layer under torch.cat): each step
// allocates the longer copy before the shorter one is freed.
//   A = 100 MiB → segment 100 MiB; B = 101 MiB → segment 102 MiB; free A (100 MiB cached);
//   C = 102 MiB: the cached 100 MiB block is too small → segment 102 MiB; free B.
//   reserved = 100 + 102 + 102 = 304 MiB while only C (102 MiB) is live;
//   peak allocated = B + C = 102 + 102 = 204 MiB (B's block is its whole 102 MiB segment: the
//   1 MiB rest is not split off).
BOOST_AUTO_TEST_CASE(issue19_a_growing_tensor_leaves_its_shorter_copies_cached) {
    CachingAllocatorModel a;
    auto x = a.allocate(100 * MiB);
    auto y = a.allocate(101 * MiB);
    a.release(x);
    auto z = a.allocate(102 * MiB);
    a.release(y);
    BOOST_TEST(a.stats().reserved == 304 * MiB);
    BOOST_TEST(a.stats().allocated == 102 * MiB);
    BOOST_TEST(a.stats().peak_allocated == 204 * MiB);
    BOOST_TEST(a.stats().peak_reserved == 304 * MiB);
    // A 202 MiB tensor now: the cached blocks are 100 MiB and 102 MiB in different segments
    // (never merged across segments) → a new 202 MiB segment: reserved 506 MiB.
    a.allocate(202 * MiB);
    BOOST_TEST(a.stats().reserved == 506 * MiB);
    (void)z;
    // empty_cache returns the two free segments (100 + 102 MiB): reserved 102 + 202 = 304 MiB.
    a.empty_cache();
    BOOST_TEST(a.stats().reserved == 304 * MiB);
}

// Freed neighbours merge: two 5 MiB blocks cut from one 20 MiB segment, both freed, leave one
// free 20 MiB block, which then serves a 15 MiB request without a new segment.
BOOST_AUTO_TEST_CASE(issue19_freed_neighbours_merge_within_a_segment) {
    CachingAllocatorModel a;
    auto x = a.allocate(5 * MiB);
    auto y = a.allocate(5 * MiB);
    a.release(x);
    a.release(y);
    a.allocate(15 * MiB);
    BOOST_TEST(a.stats().reserved == 20 * MiB);
    BOOST_TEST(a.stats().segments == 1);
}

// Capacity: with 250 MiB for the allocator, the growing-tensor sequence's C (102 MiB) would make
// reserved 304 MiB; the failed cudaMalloc frees the cached whole segment A (100 MiB) and the
// retry succeeds: reserved 102 + 102 = 204 MiB. A 300 MiB tensor then fails even after emptying
// the cache: out of memory.
BOOST_AUTO_TEST_CASE(issue19_a_full_gpu_empties_the_cache_before_failing) {
    CachingAllocatorConfig config;
    config.capacity = 250 * MiB;
    CachingAllocatorModel a(config);
    auto x = a.allocate(100 * MiB);
    a.allocate(101 * MiB);
    a.release(x);
    BOOST_TEST(a.allocate(102 * MiB) > 0);
    BOOST_TEST(a.stats().reserved == 204 * MiB);
    BOOST_TEST(!a.stats().out_of_memory);
    BOOST_TEST(a.allocate(300 * MiB) == -1);
    BOOST_TEST(a.stats().out_of_memory);
}

// max_split_size_mb:64: a cached 100 MiB block is not cut for a 5 MiB request (it would be
// without the setting), so the 5 MiB tensor opens a 20 MiB segment: reserved 100 + 20 = 120 MiB.
BOOST_AUTO_TEST_CASE(issue19_max_split_size_keeps_large_blocks_whole) {
    CachingAllocatorModel plain;
    plain.release(plain.allocate(100 * MiB));
    plain.allocate(5 * MiB);
    BOOST_TEST(plain.stats().reserved == 100 * MiB);
    CachingAllocatorConfig config;
    config.max_split_size = 64 * MiB;
    CachingAllocatorModel capped(config);
    capped.release(capped.allocate(100 * MiB));
    capped.allocate(5 * MiB);
    BOOST_TEST(capped.stats().reserved == 120 * MiB);
}

// expandable_segments: the large pool's one segment grows in 20 MiB pages. 5 MiB → map 20 MiB;
// 30 MiB → the free 15 MiB tail plus 20 MiB more (35 MiB ≥ 30): reserved 40 MiB, one segment —
// where the default allocator holds 20 + 30 = 50 MiB in two segments.
BOOST_AUTO_TEST_CASE(issue19_expandable_segments_grow_one_segment_in_pages) {
    CachingAllocatorConfig config;
    config.expandable_segments = true;
    CachingAllocatorModel a(config);
    a.allocate(5 * MiB);
    a.allocate(30 * MiB);
    BOOST_TEST(a.stats().reserved == 40 * MiB);
    BOOST_TEST(a.stats().segments == 1);
    CachingAllocatorModel plain;
    plain.allocate(5 * MiB);
    plain.allocate(30 * MiB);
    BOOST_TEST(plain.stats().reserved == 50 * MiB);
}

BOOST_AUTO_TEST_SUITE_END()
