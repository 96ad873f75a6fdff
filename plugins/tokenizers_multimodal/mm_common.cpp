// mm_common.cpp - plan-to-count, tokenizer selection for the components, input checks.
// SPDX-License-Identifier: Apache-2.0
#include "mm_common.hpp"

#include "vram/bytes.hpp"

namespace vram::plugins::mm {

TokenCount MmTokenizer::count(const ModelSpec& model, const InputSpec& input) const {
    const Plan p = plan(model, input);
    TokenCount c;
    c.tokens = p.tokens;
    c.encoder_patches = p.encoder_positions();
    c.arithmetic = p.arithmetic;
    return c;
}

const MmTokenizer* select(const ModelSpec& model, const InputSpec& input) {
    // Stateless objects: one set for the whole process is enough.
    static const std::vector<std::unique_ptr<MmTokenizer>> own = make_tokenizers();
    const MmTokenizer* best = nullptr;
    int best_score = 0;
    for (const auto& t : own) {
        if (!input.tokenizer.empty()) {
            if (t->key() == input.tokenizer || t->name() == input.tokenizer) return t.get();
            continue;
        }
        if (t->modality() != input.modality) continue;
        const int sc = t->score(model);
        if (sc > best_score) best_score = sc, best = t.get();
    }
    return best;
}

Params read_options(const InputSpec& input, const std::vector<ParamSpec>& specs) {
    return Params::validate(&input.options, specs, "options");
}

void require_modality(const ModalityTokenizer& t, const InputSpec& input) {
    if (input.modality != t.modality())
        throw ParamError("tokenizer", "'" + std::string(t.key()) + "' counts " + std::string(t.modality()) +
                                          " inputs, not " + input.modality + "; allowed: a " + input.modality +
                                          " tokenizer (vram plugins lists them)");
}

void require_size(const InputSpec& input) {
    if (input.width <= 0)
        throw ParamError("width", "missing; an " + input.modality + " input needs width and height in pixels");
    if (input.height <= 0)
        throw ParamError("height", "missing; an " + input.modality + " input needs width and height in pixels");
}

void require_seconds(const InputSpec& input) {
    if (!(input.seconds > 0))
        throw ParamError("seconds", "missing or 0; an " + input.modality + " input needs its duration in seconds (> 0)");
}

std::int64_t or_default(std::int64_t value, std::int64_t fallback) { return value > 0 ? value : fallback; }

std::int64_t round_half_even_div(std::int64_t n, std::int64_t f) {
    std::int64_t q = n / f;
    const std::int64_t r2 = 2 * (n % f);
    if (r2 > f || (r2 == f && (q % 2) != 0)) ++q;
    return q;
}

std::string num(std::int64_t v) {
    return v < 0 ? "-" + format_count(static_cast<std::uint64_t>(-v)) : format_count(static_cast<std::uint64_t>(v));
}

}  // namespace vram::plugins::mm
