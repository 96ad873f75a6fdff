// vram/component.hpp - a formula component: one term of the memory breakdown
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vram/bytes.hpp"
#include "vram/context.hpp"
#include "vram/export.hpp"

namespace vram {

/// The fixed vocabulary of breakdown categories (docs/formulas.md). The memory views
/// (docs/allocator.md) read them: `allocator` is what the caching allocator holds beyond the live
/// tensors (reserved − allocated), `overhead` what the process holds outside the allocator (CUDA
/// context, library workspaces, NCCL, engine non-torch memory); every other category is tensors.
enum class Category : unsigned char {
    weights, kv_cache, activations, logits, gradients, optimizer_states, master_weights,
    adapters, reference_model, generation, encoder, buffers, overhead, allocator, other
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
    /// Plugin symbols the term reads by name (built-ins need no listing). Checked at load: a
    /// name no loaded plugin declared refuses the plugin, with the file and the name.
    virtual std::vector<std::string> reads() const { return {}; }
    /// Bytes the term keeps in CPU memory on this GPU's behalf instead (activations offloaded to
    /// the host): the `host_bytes` view, never part of the GPU total. 0 for most terms.
    virtual Bytes host_bytes(const Context&) const { return 0; }
};

/// The base of every term: one compute() yields the bytes and, when asked, the formula with
/// this scenario's numbers, so the two can never disagree.
class VRAM_API TermBase : public Component {
public:
    ~TermBase() override;
    /// Bytes per GPU for the rank `ctx` describes. When `explain` is not null, also writes the
    /// substituted formula there ("2 × 4096 × 2 B = 16,384 B"). Hot path when null: no allocation.
    virtual Bytes compute(const Context& ctx, std::string* explain) const = 0;
    Bytes evaluate(const Context& ctx) const final { return compute(ctx, nullptr); }
    std::string substitute(const Context& ctx) const final {
        std::string text;
        compute(ctx, &text);
        return text;
    }
};

/// Mixin (LLVM's PassInfoMixin): a term's identity as static data of the derived class,
///   struct MyTerm : TermInfo<MyTerm> {
///       static constexpr std::string_view kId = "acme.dora.norm_buffer", kFormula = "...", kSource = "...";
///       static constexpr Category kCategory = Category::buffers;
///       bool applies(const Context&) const override;  Bytes compute(const Context&, std::string*) const override;
///   };
/// A phase() or reads() of its own is declared as usual.
template <class Derived>
class TermInfo : public TermBase {
public:
    std::string_view id() const final { return Derived::kId; }
    Category category() const final { return Derived::kCategory; }
    std::string_view formula() const final { return Derived::kFormula; }
    std::string_view source() const final { return Derived::kSource; }
};

}  // namespace vram
