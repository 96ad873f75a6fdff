// kv_cache.cpp - KV cache of the sequences in flight (formulas.md §3).
// SPDX-License-Identifier: Apache-2.0
#include "terms.hpp"

namespace vram::plugins {

bool KvCacheTerm::applies(const Context& ctx) const { return ctx[Sym::training] == 0 && hf_engine(ctx); }

Bytes KvCacheTerm::compute(const Context& ctx, std::string* explain) const {
    const Bytes per_seq = kv_bytes_per_sequence(ctx.kv_groups, static_cast<std::int64_t>(ctx[Sym::s]), ctx[Sym::bytes_kv],
                                                static_cast<std::int64_t>(ctx[Sym::t]),
                                                static_cast<std::int64_t>(ctx[Sym::p]));
    const Bytes bytes = mul_bytes(static_cast<Bytes>(ctx[Sym::b]), per_seq);
    if (!explain) return bytes;
    std::string s = format_number(ctx[Sym::b]) + " × [";
    bool first = true;
    for (const auto& g : ctx.kv_groups) {
        s += (first ? "" : " + ") + std::to_string(g.layers) + " layers · " + std::to_string(g.elements_per_token) +
             " · " + format_number(ctx[Sym::bytes_kv]) + " B";
        if (g.own_dtype_bytes_per_token > 0) s += " (+ " + std::to_string(g.own_dtype_bytes_per_token) + " B)";
        if (g.fixed_tokens > 0) s += " · " + std::to_string(g.fixed_tokens) + " (fixed)";
        else if (g.window > 0) s += " · min(" + format_number(ctx[Sym::s]) + ", " + std::to_string(g.window) + ")";
        else s += " · " + format_number(ctx[Sym::s]);
        if (g.state_bytes > 0) s += " + state " + std::to_string(g.state_bytes) + " B";
        first = false;
    }
    s += "]";
    if (ctx[Sym::t] > 1) s += " with t=" + format_number(ctx[Sym::t]);
    if (ctx[Sym::p] > 1) s += ", layers / p=" + format_number(ctx[Sym::p]);
    *explain = s + " = " + format_count(bytes) + " B";
    return bytes;
}

}  // namespace vram::plugins
