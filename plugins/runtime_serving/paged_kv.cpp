// paged_kv.cpp - the KV bytes a batch needs in a paged pool, shared by the engines that page their
// cache (vLLM blocks, SGLang pages, TensorRT-LLM tokens_per_block): a sequence holds whole pages.
// SPDX-License-Identifier: Apache-2.0
#include "serving.hpp"
#include "vram/bytes.hpp"
#include "vram/sharding.hpp"

namespace vram::plugins {

std::int64_t paged_tokens(const Context& ctx, std::int64_t page) {
    const auto s = static_cast<std::int64_t>(ctx[Sym::s]);
    return (s + page - 1) / page * page;
}

Bytes paged_kv_bytes(const Context& ctx, std::int64_t page) {
    const Bytes per_seq = kv_bytes_per_sequence(ctx.kv_groups, paged_tokens(ctx, page), ctx[Sym::bytes_kv],
                                                static_cast<std::int64_t>(ctx[Sym::t]),
                                                static_cast<std::int64_t>(ctx[Sym::p]));
    return mul_bytes(static_cast<Bytes>(ctx[Sym::b]), per_seq);
}

// FlashMLA's fp8 sparse-attention record (vLLM FlashMLASparseBackend.get_kv_cache_shape:
// "fp8_ds_mla" = 656 bytes; SGLang model_runner_kv_cache_mixin.py calculate_mla_kv_cache_dim:
// kv_lora_rank + kv_lora_rank // 128 · 4 + qk_rope_head_dim · 2 = 512 + 16 + 128).
double dsa_fp8_latent_extra_per_token(const Context& ctx) {
    const ModelSpec& m = ctx.model();
    if (m.index_head_dim <= 0 || m.kv_lora_rank <= 0 || ctx[Sym::bytes_kv] != 1.0) return 0;
    const double per_layer =
        static_cast<double>(m.kv_lora_rank / 128 * 4) + static_cast<double>(m.qk_rope_head_dim) * (2.0 - 1.0);
    const auto p = std::max<std::int64_t>(1, static_cast<std::int64_t>(ctx[Sym::p]));
    return per_layer * static_cast<double>((m.layers + p - 1) / p);
}

}  // namespace vram::plugins
