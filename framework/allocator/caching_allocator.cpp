// caching_allocator.cpp - replay of PyTorch's CUDA caching allocator rules
// (c10/cuda/CUDACachingAllocator.cpp, DeviceCachingAllocator): two pools of cached blocks
// (small <= 1 MiB, large), best fit by (size, address), segments from cudaMalloc sized by
// get_allocation_size, blocks split when the rest is worth keeping (should_split), freed blocks
// merged with free neighbours in their segment (free_block / try_merge_blocks), and cached
// segments returned to the driver only by empty_cache or when a cudaMalloc fails
// (release_cached_blocks). One stream, no graphs pools, no roundup_power2_divisions.
// SPDX-License-Identifier: Apache-2.0
#include "vram/caching_allocator.hpp"

#include <algorithm>
#include <deque>
#include <set>
#include <unordered_map>
#include <vector>

namespace vram {

using namespace allocator_rules;

Bytes allocator_round_size(Bytes size) {
    if (size < kMinBlockSize) return kMinBlockSize;
    return (size + kMinBlockSize - 1) / kMinBlockSize * kMinBlockSize;
}

Bytes allocator_segment_size(Bytes size) {
    if (size <= kSmallSize) return kSmallBuffer;
    if (size < kMinLargeAlloc) return kLargeBuffer;
    return (size + kRoundLarge - 1) / kRoundLarge * kRoundLarge;
}

namespace {

struct Block {
    Bytes size = 0;
    Bytes requested = 0;
    std::uint64_t address = 0;
    bool small = false;
    bool allocated = false;
    Block* prev = nullptr;  // neighbours inside the same segment, by address
    Block* next = nullptr;
};

struct ByFit {
    bool operator()(const Block* a, const Block* b) const {
        if (a->size != b->size) return a->size < b->size;
        return a->address < b->address;
    }
};

}  // namespace

struct CachingAllocatorModel::Impl {
    CachingAllocatorConfig config;
    CachingAllocatorStats stats;
    std::deque<Block> storage;         // stable addresses for Block*
    std::vector<Block*> spare;         // storage entries free for reuse
    std::set<Block*, ByFit> small_pool, large_pool;
    std::unordered_map<Handle, Block*> live;
    Handle next_handle = 1;
    std::uint64_t next_address = 0;    // segments never overlap: a fresh range per cudaMalloc
    // Expandable segments: the one growing segment of each pool and its mapped end.
    Block* expandable_tail[2] = {nullptr, nullptr};

    Block* new_block() {
        if (!spare.empty()) {
            Block* b = spare.back();
            spare.pop_back();
            *b = Block{};
            return b;
        }
        storage.emplace_back();
        return &storage.back();
    }
    std::set<Block*, ByFit>& pool(bool small) { return small ? small_pool : large_pool; }

    void note_peaks() {
        stats.peak_allocated = std::max(stats.peak_allocated, stats.allocated);
        stats.peak_reserved = std::max(stats.peak_reserved, stats.reserved);
        stats.peak_requested = std::max(stats.peak_requested, stats.requested);
    }

    // get_free_block: the smallest cached block that holds the request, with max_split_size's
    // two refusals (an oversize block is not cut for a smaller request; a large request does not
    // take a block 20 MiB or more larger than itself).
    Block* find_free(bool small, Bytes size) {
        auto& p = pool(small);
        Block probe;
        probe.size = size;
        probe.address = 0;
        auto it = p.lower_bound(&probe);
        if (it == p.end()) return nullptr;
        Block* b = *it;
        const Bytes max_split = config.max_split_size;
        if (max_split > 0) {
            if (size < max_split && b->size >= max_split) return nullptr;
            if (size >= max_split && b->size >= size + kLargeBuffer) return nullptr;
        }
        p.erase(it);
        return b;
    }

    bool room_for(Bytes bytes) const { return config.capacity == 0 || stats.reserved + bytes <= config.capacity; }

    // release_cached_blocks: every cached block that is a whole segment goes back to the driver.
    void release_cached() {
        for (bool small : {true, false}) {
            auto& p = pool(small);
            for (auto it = p.begin(); it != p.end();) {
                Block* b = *it;
                if (b->prev == nullptr && b->next == nullptr) {
                    if (expandable_tail[small ? 1 : 0] == b) expandable_tail[small ? 1 : 0] = nullptr;
                    stats.reserved -= b->size;
                    --stats.segments;
                    spare.push_back(b);
                    it = p.erase(it);
                } else {
                    ++it;
                }
            }
        }
    }

    // alloc_block: a new segment of get_allocation_size bytes; on failure the cache is emptied and
    // the cudaMalloc retried once.
    Block* new_segment(bool small, Bytes size) {
        const Bytes segment = allocator_segment_size(size);
        if (!room_for(segment)) {
            release_cached();
            if (!room_for(segment)) return nullptr;
        }
        Block* b = new_block();
        b->size = segment;
        b->small = small;
        b->address = next_address;
        next_address += segment;
        stats.reserved += segment;
        ++stats.segments;
        return b;
    }

    // Expandable segments: map pages at the end of the pool's segment until its free tail holds
    // the request (try_allocate_expandable_block / ExpandableSegment::map). Pages are the
    // segment granularity: 2 MiB (small pool) or 20 MiB (large pool).
    Block* grow_expandable(bool small, Bytes size) {
        const Bytes page = small ? kSmallBuffer : kLargeBuffer;
        Block*& tail = expandable_tail[small ? 1 : 0];
        Bytes have = 0;
        if (tail && !tail->allocated) have = tail->size;
        const Bytes need = (size - have + page - 1) / page * page;
        if (!room_for(need)) {
            release_cached();
            if (!room_for(need)) return nullptr;
        }
        stats.reserved += need;
        if (tail && !tail->allocated) {
            pool(small).erase(tail);
            tail->size += need;
            return tail;
        }
        Block* b = new_block();
        b->size = need;
        b->small = small;
        if (tail) {
            b->address = tail->address + tail->size;
            b->prev = tail;
            tail->next = b;
        } else {
            b->address = next_address;
            next_address += (Bytes{1} << 48);  // the reserved virtual range of the segment
            ++stats.segments;
        }
        tail = b;
        return b;
    }

    // should_split: the small pool keeps any rest of at least 512 B, the large pool a rest above
    // 1 MiB (and, with max_split_size, only for requests below it).
    bool should_split(const Block* b, Bytes size) const {
        const Bytes rest = b->size - size;
        if (b->small) return rest >= kMinBlockSize;
        const bool below_max = config.max_split_size == 0 || size < config.max_split_size;
        return below_max && rest > kSmallSize;
    }

    Handle allocate(Bytes requested) {
        if (requested == 0) return 0;
        const Bytes size = allocator_round_size(requested);
        const bool small = size <= kSmallSize;
        Block* b = find_free(small, size);
        if (!b) b = config.expandable_segments ? grow_expandable(small, size) : new_segment(small, size);
        if (!b) {
            stats.out_of_memory = true;
            return -1;
        }
        if (should_split(b, size)) {
            Block* rest = new_block();
            rest->size = b->size - size;
            rest->small = b->small;
            rest->address = b->address + size;
            rest->prev = b;
            rest->next = b->next;
            if (b->next) b->next->prev = rest;
            b->next = rest;
            b->size = size;
            if (config.expandable_segments && expandable_tail[small ? 1 : 0] == b) expandable_tail[small ? 1 : 0] = rest;
            pool(small).insert(rest);
        }
        b->allocated = true;
        b->requested = requested;
        stats.allocated += b->size;
        stats.requested += requested;
        ++stats.allocations;
        note_peaks();
        const Handle h = next_handle++;
        live.emplace(h, b);
        return h;
    }

    // free_block: back to the pool, merged with a free previous and next block of its segment.
    void release(Handle h) {
        const auto it = live.find(h);
        if (it == live.end()) return;
        Block* b = it->second;
        live.erase(it);
        stats.allocated -= b->size;
        stats.requested -= b->requested;
        b->allocated = false;
        b->requested = 0;
        auto& p = pool(b->small);
        Block*& tail = expandable_tail[b->small ? 1 : 0];
        if (Block* prev = b->prev; prev && !prev->allocated) {
            p.erase(prev);
            prev->size += b->size;
            prev->next = b->next;
            if (b->next) b->next->prev = prev;
            if (tail == b) tail = prev;
            spare.push_back(b);
            b = prev;
        }
        if (Block* next = b->next; next && !next->allocated) {
            p.erase(next);
            b->size += next->size;
            b->next = next->next;
            if (next->next) next->next->prev = b;
            if (tail == next) tail = b;
            spare.push_back(next);
        }
        p.insert(b);
    }
};

CachingAllocatorModel::CachingAllocatorModel(const CachingAllocatorConfig& config) : impl_(std::make_unique<Impl>()) {
    impl_->config = config;
}
CachingAllocatorModel::~CachingAllocatorModel() = default;

CachingAllocatorModel::Handle CachingAllocatorModel::allocate(Bytes size) { return impl_->allocate(size); }
void CachingAllocatorModel::release(Handle handle) { impl_->release(handle); }
void CachingAllocatorModel::empty_cache() { impl_->release_cached(); }
const CachingAllocatorStats& CachingAllocatorModel::stats() const { return impl_->stats; }
void CachingAllocatorModel::reset_peaks() {
    auto& s = impl_->stats;
    s.peak_allocated = s.allocated;
    s.peak_reserved = s.reserved;
    s.peak_requested = s.requested;
}

}  // namespace vram
