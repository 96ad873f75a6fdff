// vram/component.hpp - a formula component: one term of the memory breakdown
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

#include "vram/bytes.hpp"
#include "vram/context.hpp"
#include "vram/export.hpp"

namespace vram {

/// The fixed vocabulary of breakdown categories (docs/formulas.md).
enum class Category : unsigned char {
    weights, kv_cache, activations, logits, gradients, optimizer_states, master_weights,
    adapters, reference_model, generation, encoder, buffers, overhead, other
};
/// "weights", "kv_cache" ...
VRAM_API const char* to_string(Category category) noexcept;
/// Parses a category name; returns false when unknown.
VRAM_API bool parse_category(std::string_view text, Category& out) noexcept;

/// One term of the breakdown. A pure function of the Context: no state, no I/O.
/// Bytes are per GPU, for the rank the Context describes (Sym::stage).
class VRAM_API Component {
public:
    virtual ~Component();
    /// Dotted unique id, "core.weights", "acme.method.dora.magnitude".
    virtual std::string_view id() const = 0;
    virtual Category category() const = 0;
    /// The formula in symbols, e.g. "P_total × bytes_w / t".
    virtual std::string_view formula() const = 0;
    /// Where the formula comes from (paper, code path, measurement).
    virtual std::string_view source() const = 0;
    /// Whether the term exists in this scenario (e.g. only for training, only for vLLM).
    virtual bool applies(const Context& ctx) const = 0;
    /// Bytes per GPU. Hot path: no allocation, no logging. Throws vram::Error on bad input.
    virtual Bytes evaluate(const Context& ctx) const = 0;
    /// The formula with the numbers of this scenario substituted (for --explain).
    virtual std::string substitute(const Context& ctx) const = 0;
    /// Phase the term is live in: "" = the whole run. Terms of different named phases do not
    /// coexist (GRPO generation vs training step): the peak takes the largest phase.
    virtual std::string_view phase() const { return {}; }
};

}  // namespace vram
