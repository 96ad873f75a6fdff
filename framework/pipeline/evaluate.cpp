// evaluate.cpp - the hot path: every component's bytes for one rank role, summed into the
// rank's peak over phases (PhasePeak). Pure: reads the prepared Context, sets only the rank
// being evaluated (Sym::stage), never allocates after the first call.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <array>

#include "pipeline/estimator_impl.hpp"

namespace vram {

void PhasePeak::add(std::string_view phase, Bytes bytes) {
    if (phase.empty()) {
        always_ = add_bytes(always_, bytes);
        return;
    }
    std::size_t j = 0;
    while (j < n_ && phases_[j].first != phase) ++j;
    if (j == n_) {
        if (n_ == phases_.size()) throw EstimateError("more than 8 phases");
        phases_[n_++] = {phase, 0};
    }
    phases_[j].second = add_bytes(phases_[j].second, bytes);
}

std::size_t PhasePeak::peak_index() const noexcept {
    std::size_t top = n_;
    for (std::size_t j = 0; j < n_; ++j)
        if (top == n_ || phases_[j].second > phases_[top].second) top = j;
    return top;
}

Bytes PhasePeak::peak() const noexcept {
    const std::size_t top = peak_index();
    return add_bytes(always_, top == n_ ? 0 : phases_[top].second);
}

bool PhasePeak::at_peak(std::string_view phase) const noexcept {
    if (phase.empty()) return true;
    const std::size_t top = peak_index();
    return top != n_ && phases_[top].first == phase;
}

Bytes Estimator::Impl::evaluate_role(std::int64_t stage, Bytes* values, PhasePeak& phases) {
    ctx.set(Sym::stage, static_cast<double>(stage));
    phases.clear();
    // Cached-but-free blocks (category allocator) are added last: the caching allocator releases
    // them before it reports out of memory (CUDACachingAllocator.cpp release_cached_blocks on a
    // failed cudaMalloc), so they take the total no further than the GPU's memory.
    std::array<std::pair<std::size_t, Bytes>, 4> cached{};
    std::size_t n_cached = 0;
    for (std::size_t i = 0; i < components.size(); ++i) {
        const Component* c = components[i];
        Bytes v = 0;
        bool applies = false;
        try {
            applies = c->applies(ctx);
            if (applies) v = c->evaluate(ctx);
        } catch (const ScenarioError&) {
            throw;  // scenario formulas already name the file, the component and the column
        } catch (const Error& e) {
            // Errors name the scenario and the component; only reached when estimation fails.
            throw EstimateError(scenario.file + ": " + std::string(c->id()) + ": " + e.what());
        } catch (const std::exception& e) {
            throw EstimateError(scenario.file + ": component " + std::string(c->id()) + " threw: " + e.what());
        }
        if (values) values[i] = v;
        if (applies && c->category() == Category::allocator && c->phase().empty() && n_cached < cached.size()) {
            cached[n_cached++] = {i, v};
            continue;
        }
        // A term that does not apply is absent, not a zero-byte phase: reports name the peak
        // phase, and a phase with no term on this rank must never be it.
        if (applies) phases.add(c->phase(), v);
    }
    const double capacity = ctx[Sym::gpu_mem];
    Bytes room = capacity > 0 && static_cast<double>(phases.peak()) < capacity ? static_cast<Bytes>(capacity) - phases.peak() : 0;
    for (std::size_t k = 0; k < n_cached; ++k) {
        const Bytes v = capacity > 0 ? std::min(cached[k].second, room) : cached[k].second;
        room -= std::min(room, v);
        if (values) values[cached[k].first] = v;
        phases.add({}, v);
    }
    return phases.peak();
}

Bytes Estimator::Impl::evaluate_peak() {
    PhasePeak phases;
    Bytes peak = 0;
    for (auto role : roles) peak = std::max(peak, evaluate_role(role, nullptr, phases));
    return peak;
}

// Every rank role must admit the scenario (a pipeline stage whose KV pool is empty stops the
// engine as surely as the first one). Leaves Sym::stage at the last role checked.
bool Estimator::Impl::admitted(std::string* reason) {
    if (!runtime) return true;
    for (auto role : roles) {
        ctx.set(Sym::stage, static_cast<double>(role));
        if (!runtime->admits(ctx, reason)) return false;
    }
    return true;
}

// Per-category bytes of the most loaded rank: the terms resident at its peak.
Bytes Estimator::Impl::evaluate_categories(CategoryBytes& out) {
    values_buf.resize(components.size());
    PhasePeak phases;
    Bytes peak = 0;
    std::size_t top = 0;
    for (std::size_t r = 0; r < roles.size(); ++r) {
        const Bytes v = evaluate_role(roles[r], nullptr, phases);
        if (r == 0 || v > peak) peak = v, top = r;
    }
    evaluate_role(roles[top], values_buf.data(), phases);
    out.fill(0);
    for (std::size_t i = 0; i < components.size(); ++i) {
        if (!phases.at_peak(components[i]->phase())) continue;
        auto& slot = out[static_cast<std::size_t>(components[i]->category())];
        slot = add_bytes(slot, values_buf[i]);
    }
    return peak;
}

}  // namespace vram
