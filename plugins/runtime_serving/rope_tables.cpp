// rope_tables.cpp - the rotary cos/sin tables vLLM and SGLang precompute once per model setup
// (framework/model/rotary.cpp derives their shape from the config): part of what the engines
// log as the model's memory, and so of what their KV pools are sized after.
// SPDX-License-Identifier: Apache-2.0
#include "serving.hpp"
#include "vram/bytes.hpp"
#include "vram/sharding.hpp"

namespace vram::plugins {

double rope_table_bytes(const Context& ctx) {
    const ModelSpec& m = ctx.model();
    return static_cast<double>(m.rope_tables) * static_cast<double>(m.rope_positions) *
           static_cast<double>(m.rotary_dim) * ctx[Sym::bytes_act];
}

double engine_model_bytes(const Context& ctx) { return weight_bytes_on_rank(ctx) + rope_table_bytes(ctx); }

template <class Self>
Bytes RopeTableTermBase<Self>::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes = to_bytes(rope_table_bytes(ctx), Self::kId.data());
    if (explain) {
        const ModelSpec& m = ctx.model();
        *explain = std::to_string(m.rope_tables) + " table" + (m.rope_tables == 1 ? "" : "s") + " · " +
                   format_count(static_cast<std::uint64_t>(m.rope_positions)) + " positions · " +
                   std::to_string(m.rotary_dim) + " rotary dims · " + format_number(ctx[Sym::bytes_act]) +
                   " B = " + format_count(bytes) + " B";
    }
    return bytes;
}

template class RopeTableTermBase<VllmRopeTableTerm>;
template class RopeTableTermBase<SglangRopeTableTerm>;

bool VllmRopeTableTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] == 0 && vllm_engine(ctx) && rope_table_bytes(ctx) > 0;
}
bool SglangRopeTableTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] == 0 && sglang_engine(ctx) && rope_table_bytes(ctx) > 0;
}

}  // namespace vram::plugins
