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

}  // namespace vram::plugins
