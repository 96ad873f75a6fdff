// vram/sharding.hpp - which parameters live on which GPU rank
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <vector>

#include "vram/bytes.hpp"
#include "vram/context.hpp"
#include "vram/export.hpp"
#include "vram/model.hpp"

namespace vram {

/// Pipeline stage (0-based) holding decoder layer `layer` when `layers` are split over `p`
/// stages in contiguous blocks of ceil(layers / p) (Megatron's default even split).
VRAM_API std::int64_t pipeline_stage_of(std::int64_t layer, std::int64_t layers, std::int64_t p) noexcept;

/// Whether `t` lives on pipeline stage `stage`: layer tensors on their block; embeddings and
/// encoder towers on the first stage; final norm and LM head on the last (a tied head keeps a
/// copy of the embedding there, as Megatron does).
VRAM_API bool on_pipeline_stage(const Tensor& t, const ModelSpec& m, std::int64_t stage, std::int64_t p) noexcept;

/// Ranks one copy of `t` is split over: Linear weights and embeddings by tensor parallelism
/// (`t_size`), routed experts additionally by expert parallelism; 1-D tensors, MoE routers,
/// MLA's down-projections (q_a_proj, kv_a_proj_with_mqa) and DeepSeek sparse attention's
/// indexer (`*.indexer.*`) are replicated.
VRAM_API double tensor_parallel_divisor(const Tensor& t, std::int64_t t_size, std::int64_t ep) noexcept;

/// Stored weight bytes on the GPU of the rank the context describes (Sym::stage, t, p, ep), using
/// Context::tensor_bytes, less what the engine keeps in host memory (offloaded_tensors).
/// ZeRO-3 / FSDP full_shard sharding is not applied here.
VRAM_API double weight_bytes_on_rank(const Context& ctx);

/// Which of ModelSpec::tensors the engine keeps in host memory on the rank the context describes
/// (EngineFacts::weight_offload_budget): the decoder-layer tensors of the rank's stage in
/// ModelSpec order, each moved while the bytes moved before it (this rank's shares) are under the
/// budget. Embeddings, the LM head, final norm and encoder towers stay. Empty without a budget.
VRAM_API std::vector<bool> offloaded_tensors(const Context& ctx);

/// Bytes of this rank's share of the offloaded tensors (the host copy the engine keeps).
VRAM_API double offloaded_weight_bytes_on_rank(const Context& ctx);

/// The most bytes of one decoder layer among them: what an engine that copies an offloaded
/// layer back to the GPU for its forward (torch.func.functional_call) holds at once.
VRAM_API double largest_offloaded_layer_bytes(const Context& ctx);

/// Parameters of `tensors` on the rank the context describes (same rules).
VRAM_API double parameters_on_rank(const Context& ctx, const std::vector<Tensor>& tensors);

}  // namespace vram
