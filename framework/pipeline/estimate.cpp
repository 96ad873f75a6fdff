// estimate.cpp - the Estimator API over the pipeline's units (see estimator_impl.hpp), and the
// Estimate snapshot: every rank role, phase and term, the serving and training figures, and the
// symbols, copied out of the Context once so that reports never read live state.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>

#include "model/model_loader.hpp"
#include "pipeline/estimator_impl.hpp"
#include "vram/sharding.hpp"

namespace vram {
namespace {

std::string rank_label(std::int64_t role, std::int64_t stages, std::int64_t gpus) {
    if (stages <= 1) return gpus > 1 ? "each GPU" : "GPU";
    if (role == 0) return "pipeline stage 0 (first)";
    if (role == stages - 1) return "pipeline stage " + std::to_string(role) + " (last)";
    return "pipeline stage " + std::to_string(role) + " (middle)";
}

}  // namespace

Estimator::Impl::Impl(const Registry& r, Scenario s, std::string dir)
    : registry(r), scenario(std::move(s)), preset_dir(std::move(dir)),
      model(load_model(r, scenario, preset_dir, &checkpoint)), ctx(model, scenario, &r.symbols) {}

Estimate Estimator::Impl::snapshot() {
    Estimate out;
    std::vector<Bytes> values(components.size());
    PhasePeak phases;
    // Every pipeline stage, not only the roles the hot path evaluates (first, second, last: the
    // second bounds every middle stage, so fit and sweep need no more): a report lists each
    // stage, and identical neighbours are grouped there, never dropped.
    const auto stages = std::max<std::int64_t>(1, static_cast<std::int64_t>(ctx[Sym::p]));
    std::vector<std::int64_t> every;
    for (std::int64_t st = 0; st < stages; ++st) every.push_back(st);
    for (auto role : every) {
        RankBreakdown rb;
        rb.stage = role;
        rb.label = rank_label(role, static_cast<std::int64_t>(ctx[Sym::p]), count);
        rb.total = evaluate_role(role, values.data(), phases);
        for (std::size_t j = 0; j < phases.size(); ++j)
            rb.phases.push_back({std::string(phases.phase(j)), phases.bytes(j)});
        if (const std::size_t top = phases.peak_index(); top < phases.size()) rb.peak_phase = std::string(phases.phase(top));
        for (std::size_t i = 0; i < components.size(); ++i) {
            const Component* c = components[i];
            if (!c->applies(ctx)) continue;
            Term t;
            t.id = std::string(c->id());
            t.category = c->category();
            t.bytes = values[i];
            t.formula = std::string(c->formula());
            t.substituted = c->substitute(ctx);
            t.source = std::string(c->source());
            t.phase = std::string(c->phase());
            rb.terms.push_back(std::move(t));
        }
        out.ranks.push_back(std::move(rb));
    }
    for (std::size_t i = 0; i < out.ranks.size(); ++i)
        if (out.ranks[i].total > out.ranks[out.most_loaded].total) out.most_loaded = i;
    const RankBreakdown& top = out.ranks[out.most_loaded];
    out.total_bytes = top.total;
    out.gpu = gpu;
    out.gpu_memory_bytes = have_gpu ? usable : 0;
    out.gpu_count = count;
    out.utilization = usable ? static_cast<double>(out.total_bytes) / static_cast<double>(usable) : 0;
    // The engine's verdict is taken at every rank. The serving figures and the symbols below are
    // those of the most loaded GPU: a runtime profile may read the rank (its weight bytes) when
    // it sizes the KV pool.
    const bool admits = admitted(&out.refusal);
    ctx.set(Sym::stage, static_cast<double>(top.stage));
    out.fits = have_gpu && out.total_bytes <= usable && admits;
    if (!have_gpu) out.refusal.clear();
    // Memory views: the terms resident at the peak, by what holds them.
    const std::string_view peak_phase = top.peak_phase;
    for (const auto& t : top.terms) {
        if (!t.phase.empty() && t.phase != peak_phase) continue;
        if (t.category == Category::overhead) continue;
        if (t.category == Category::allocator) out.memory.reserved_peak = add_bytes(out.memory.reserved_peak, t.bytes);
        else out.memory.allocated_peak = add_bytes(out.memory.allocated_peak, t.bytes);
    }
    out.memory.reserved_peak = add_bytes(out.memory.reserved_peak, out.memory.allocated_peak);
    out.memory.device = out.total_bytes;
    out.memory.host = static_cast<Bytes>(std::llround(ctx.engine.host_bytes));
    for (const Component* c : components)
        if (c->applies(ctx)) out.memory.host = add_bytes(out.memory.host, c->host_bytes(ctx));
    for (const auto& t : top.terms)
        if (t.category == Category::kv_cache) out.kv_cache_bytes += t.bytes;
    if (!scenario.training_run() && have_gpu) {
        // Tokens of KV cache one GPU holds: every layer counted as full attention, as vLLM's
        // "GPU KV cache size" does without the hybrid allocator.
        std::vector<KvGroup> full = ctx.kv_groups;
        for (auto& g : full) g.window = 0;
        const auto t = static_cast<std::int64_t>(ctx[Sym::t]), p = static_cast<std::int64_t>(ctx[Sym::p]);
        const Bytes per_token = kv_bytes_per_sequence(full, 1, ctx[Sym::bytes_kv], t, p) -
                                kv_bytes_per_sequence(full, 0, ctx[Sym::bytes_kv], t, p);
        const double other = static_cast<double>(out.total_bytes - out.kv_cache_bytes);
        out.max_kv_tokens = runtime->max_kv_tokens(ctx, other, static_cast<double>(per_token));
        const double per_seq = ctx[Sym::s];
        out.max_concurrency = per_seq > 0 ? out.max_kv_tokens / per_seq : 0;
    }
    out.trainable_parameters = static_cast<std::int64_t>(ctx[Sym::P_trainable]);
    out.tokens_per_sequence = static_cast<std::int64_t>(ctx[Sym::s]);
    out.micro_batch_samples = micro_batch_samples;
    if (!micro_batch_samples.empty()) out.micro_batch_rows = static_cast<std::int64_t>(ctx[Sym::b]);
    out.modality_tokens = ctx.tokens_by_modality;
    out.encoder_frame_modalities = encoder_frame_modalities;
    out.notes = ctx.notes;
    for (const Component* c : unknown_components) {
        const std::string name = to_string(c->category());
        if (c->applies(ctx) && std::find(out.unknown.begin(), out.unknown.end(), name) == out.unknown.end())
            out.unknown.push_back(name);
    }
    out.attention = ctx.attention_label;
    out.kv_bytes_per_token = static_cast<std::int64_t>(ctx[Sym::kv_per_token]);
    out.weight_format = ctx.weight_format;
    out.kv_dtype = ctx.kv_dtype;
    out.compute_dtype = ctx.compute_dtype;
    out.symbols.reserve(ctx.symbol_count());
    for (std::size_t i = 0; i < ctx.symbol_count(); ++i) {
        const SymbolInfo& info = ctx.info(i);
        out.symbols.push_back({info.name, info.unit, info.meaning, ctx.is_set(i), ctx.value(i), ctx.origin(i)});
    }
    return out;
}

Estimator::Estimator(const Registry& registry, Scenario scenario, const std::string& preset_dir)
    : impl_(std::make_unique<Impl>(registry, std::move(scenario), preset_dir)) {
    impl_->resolve();
    impl_->prepare();
}

Estimator::~Estimator() = default;
Scenario& Estimator::scenario() noexcept { return impl_->scenario; }
const ModelSpec& Estimator::model() const noexcept { return impl_->model; }
const Context& Estimator::context() const noexcept { return impl_->ctx; }
void Estimator::revalidate() { impl_->resolve(); }
void Estimator::prepare() { impl_->prepare(); }
Bytes Estimator::evaluate_peak() { return impl_->evaluate_peak(); }
std::int64_t Estimator::gpu_count() const noexcept { return impl_->count; }
Bytes Estimator::usable_bytes() const noexcept { return impl_->have_gpu ? impl_->usable : 0; }
bool Estimator::fits(Bytes peak) {
    return impl_->have_gpu && peak <= impl_->usable && impl_->admitted(nullptr);
}
std::string Estimator::refusal() {
    std::string reason;
    impl_->admitted(&reason);
    return reason;
}
std::int64_t Estimator::resolve_count() {
    impl_->resolve_count_auto();
    return impl_->count;
}
Bytes Estimator::evaluate_categories(CategoryBytes& per_category) { return impl_->evaluate_categories(per_category); }

Estimate Estimator::estimate() {
    impl_->resolve_count_auto();
    return impl_->snapshot();
}

}  // namespace vram
