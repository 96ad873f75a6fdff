// trtllm.cpp - TensorRT-LLM serving a trtllm-build engine (C++ runtime, executor API): after the
// engine, TensorRT's activation memory, the runtime buffers and the decoder are allocated, the KV
// cache takes kv_cache_free_gpu_mem_fraction of the memory still free (kvCacheManager.cpp
// calculateMaxNumBlocks). The buffers are sized by the build limits max_batch_size (N),
// max_num_tokens (T) and max_seq_len (L), not by the workload (docs/serving.md §2b).
// SPDX-License-Identifier: Apache-2.0
#include "trtllm.hpp"

#include <algorithm>
#include <cmath>

#include "serving.hpp"
#include "vram/error.hpp"
#include "vram/sharding.hpp"

namespace vram::plugins {
namespace {

constexpr const char* kBatch = "trtllm_max_batch_size";
constexpr const char* kTokens = "trtllm_max_num_tokens";
constexpr const char* kSeqLen = "trtllm_max_seq_len";
constexpr const char* kFraction = "trtllm_kv_fraction";
constexpr const char* kBlock = "trtllm_tokens_per_block";
constexpr const char* kExecContext = "trtllm_execution_context";
constexpr const char* kVocabBuffers = "trtllm_decoder_vocab_buffers";

double read(const Context& ctx, const char* name) { return ctx.get(name, 0.0); }

// The vocabulary the runtime pads to a multiple of the world size (modelConfig.h).
double padded_vocab(const Context& ctx) {
    const double world = std::max(1.0, ctx[Sym::t] * ctx[Sym::p]);
    return std::ceil(ctx[Sym::V] / world) * world;
}

bool tied(const Context& ctx) { return ctx.model().tied_embeddings && ctx.model().vocab > 0; }

double lm_head_copy(const Context& ctx) {
    if (!tied(ctx) || ctx[Sym::stage] < ctx[Sym::p] - 1) return 0;
    return ctx[Sym::V] * static_cast<double>(ctx.model().hidden) * ctx[Sym::bytes_act] / std::max(1.0, ctx[Sym::t]);
}

double execution_context_estimate(const Context& ctx) {
    return layer_forward_peak(ctx, read(ctx, kTokens)) + read(ctx, kBatch) * padded_vocab(ctx) * ctx[Sym::bytes_act];
}
double execution_context(const Context& ctx) {
    const double given = read(ctx, kExecContext);
    return given > 0 ? given : execution_context_estimate(ctx);
}

double runtime_buffers(const Context& ctx) {
    const double n = read(ctx, kBatch), l = read(ctx, kSeqLen);
    return n * padded_vocab(ctx) * 4 + 6 * n * l * 4 + read(ctx, kTokens) * 4;
}

double decoder_buffers(const Context& ctx) {
    const double n = read(ctx, kBatch), l = read(ctx, kSeqLen);
    return 16 * n * l + read(ctx, kVocabBuffers) * 4 * n * padded_vocab(ctx) + 65536 * n;
}

double kv_per_token(const Context& ctx) {
    return static_cast<double>(kv_bytes_per_sequence(ctx.kv_groups, 1, ctx[Sym::bytes_kv],
                                                     static_cast<std::int64_t>(ctx[Sym::t]),
                                                     static_cast<std::int64_t>(ctx[Sym::p])));
}

// Free memory when the KV manager measures it: what the engine, its activation memory, the
// buffers and the process's CUDA context and library state leave.
double free_for_kv(const Context& ctx) {
    return ctx[Sym::gpu_mem] - weight_bytes_on_rank(ctx) - lm_head_copy(ctx) - execution_context(ctx) -
           runtime_buffers(ctx) - decoder_buffers(ctx) - ctx[Sym::cuda_context];
}

// Tokens of the pool: maxTokens = fraction · free / bytes per token, then whole blocks (ceilDiv).
double pool_tokens(const Context& ctx) {
    const double per_token = kv_per_token(ctx), block = read(ctx, kBlock);
    const double free = free_for_kv(ctx);
    if (per_token <= 0 || block <= 0 || free <= 0) return 0;
    const double max_tokens = std::floor(read(ctx, kFraction) * free / per_token);
    return std::ceil(max_tokens / block) * block;
}

std::int64_t rounded_tokens(const Context& ctx) { return paged_tokens(ctx, static_cast<std::int64_t>(read(ctx, kBlock))); }
Bytes kv_needed(const Context& ctx) { return paged_kv_bytes(ctx, static_cast<std::int64_t>(read(ctx, kBlock))); }

bool serving(const Context& ctx) { return ctx[Sym::training] == 0 && trtllm_engine(ctx); }

}  // namespace

void declare_trtllm_symbols(Registrar& reg) {
    reg.declare(kBatch, "sequences", "TensorRT-LLM build max_batch_size (N)");
    reg.declare(kTokens, "tokens", "TensorRT-LLM build max_num_tokens (T)");
    reg.declare(kSeqLen, "tokens", "TensorRT-LLM build max_seq_len (L)");
    reg.declare(kFraction, "fraction", "TensorRT-LLM kv_cache_free_gpu_mem_fraction");
    reg.declare(kBlock, "tokens", "TensorRT-LLM tokens_per_block (KV page)");
    reg.declare(kExecContext, "B", "TensorRT-LLM execution context memory as given (0: estimated)");
    reg.declare(kVocabBuffers, "buffers", "vocabulary-sized fp32 buffers of the TensorRT-LLM decoder (5 in 0.12, 4 later)");
}

bool trtllm_engine(const Context& ctx) noexcept { return ctx.scenario().runtime.engine == "trtllm"; }

std::vector<ParamSpec> TrtllmRuntime::params() const {
    return {
        {"version", ParamType::string, "latest",
         "TensorRT-LLM release line: 0.12 (0.12 - 0.13: the decoder also keeps draft logits [N, V]; 64 tokens per "
         "block) or latest (0.14 and later: 32 tokens per block)", 0, 0, {"0.12", "latest"}},
        {"max_batch_size", ParamType::integer, "2048", "trtllm-build --max_batch_size (N; default 2048)", 1, 1 << 20, {}},
        {"max_num_tokens", ParamType::integer, "8192", "trtllm-build --max_num_tokens (T; default 8192)", 1, 1 << 24, {}},
        {"max_seq_len", ParamType::integer, "0",
         "trtllm-build --max_seq_len (L); 0 = the model's max_position_embeddings, trtllm-build's default", 0,
         1LL << 31, {}},
        {"kv_cache_free_gpu_mem_fraction", ParamType::number, "0.9",
         "share of the memory free after the engine and its buffers that the KV cache takes (default 0.9)", 0.01,
         0.999, {}},
        {"tokens_per_block", ParamType::integer, "0",
         "tokens per KV block; 0 = the version's default (64 for 0.12, 32 later)", 0, 4096, {}},
        {"execution_context_mib", ParamType::number, "0",
         "TensorRT activation memory of the engine, MiB, as the build or start-up log prints it ('Allocated X MiB "
         "for execution context memory'); 0 = estimated from max_num_tokens and max_batch_size", 0, 1 << 24, {}},
        {"cuda_context_mib", ParamType::number, "775",
         "what the process holds besides the engine, its buffers and the KV cache (CUDA context, cuBLAS and "
         "TensorRT state), MiB: 0.76 GiB in the worked example of docs/source/reference/memory.md (79.10 GiB total, "
         "70.48 available, engine 6695 MiB, context 1134 MiB, buffers 43.29 + 180.30 MB)", 0, 65536, {}},
    };
}

void TrtllmRuntime::prepare(Context& ctx, const Params& o) const {
    const bool v012 = o.string("version") == "0.12";
    std::int64_t seq_len = o.integer("max_seq_len");
    if (seq_len == 0) seq_len = ctx.model().max_positions > 0 ? ctx.model().max_positions : static_cast<std::int64_t>(ctx[Sym::s]);
    if (ctx[Sym::s] > static_cast<double>(seq_len))
        throw ParamError("runtime.max_seq_len", "sequences of " + format_number(ctx[Sym::s]) +
                                                    " tokens exceed the engine's max_seq_len " + std::to_string(seq_len) +
                                                    "; allowed: max_seq_len >= workload.sequence_length");
    std::int64_t block = o.integer("tokens_per_block");
    if (block == 0) block = v012 ? 64 : 32;
    ctx.set(ctx.symbol(kBatch), static_cast<double>(o.integer("max_batch_size")));
    ctx.set(ctx.symbol(kTokens), static_cast<double>(o.integer("max_num_tokens")));
    ctx.set(ctx.symbol(kSeqLen), static_cast<double>(seq_len));
    ctx.set(ctx.symbol(kFraction), o.number("kv_cache_free_gpu_mem_fraction"));
    ctx.set(ctx.symbol(kBlock), static_cast<double>(block));
    ctx.set(ctx.symbol(kExecContext), o.number("execution_context_mib") * kMiB);
    ctx.set(ctx.symbol(kVocabBuffers), v012 ? 5.0 : 4.0);
    ctx.set(Sym::cuda_context, o.number("cuda_context_mib") * kMiB);
    ctx.notes.push_back("runtime trtllm " + o.string("version") + ": engine built for max_batch_size " +
                        std::to_string(o.integer("max_batch_size")) + ", max_num_tokens " +
                        std::to_string(o.integer("max_num_tokens")) + ", max_seq_len " + std::to_string(seq_len) +
                        "; KV pool = " + format_number(o.number("kv_cache_free_gpu_mem_fraction")) +
                        " × memory free after the engine and its buffers, blocks of " + std::to_string(block) +
                        " tokens" +
                        (o.number("execution_context_mib") > 0 ? std::string()
                                                               : std::string("; execution context memory estimated "
                                                                             "(set execution_context_mib from the log)")));
}

double TrtllmRuntime::max_kv_tokens(const Context& ctx, double, double) const { return pool_tokens(ctx); }

bool TrtllmRuntime::admits(const Context& ctx, std::string* reason) const {
    if (ctx[Sym::training] != 0 || ctx[Sym::gpu_mem] <= 0) return true;
    const double tokens = pool_tokens(ctx);
    if (tokens <= 0) {
        if (reason)
            *reason = "TensorRT-LLM does not start: the engine and its buffers leave no memory for the KV cache (" +
                      format_gib(static_cast<Bytes>(std::max(0.0, -free_for_kv(ctx)))) +
                      " short); lower max_batch_size or max_seq_len at build time";
        return false;
    }
    if (ctx[Sym::b] > read(ctx, kBatch)) {
        if (reason)
            *reason = "the engine was built for max_batch_size " + format_number(read(ctx, kBatch)) +
                      ": a batch of " + format_number(ctx[Sym::b]) + " is not scheduled at once";
        return false;
    }
    const Bytes needed = kv_needed(ctx);
    const double pool = tokens * kv_per_token(ctx);
    if (static_cast<double>(needed) > pool) {
        if (reason) {
            const Bytes per_seq = needed / std::max<Bytes>(1, static_cast<Bytes>(ctx[Sym::b]));
            const double held = per_seq > 0 ? std::floor(pool / static_cast<double>(per_seq)) : 0;
            *reason = "the KV pool (" + format_gib(static_cast<Bytes>(pool)) + ") holds " + format_number(held) +
                      " sequences of " + format_number(ctx[Sym::s]) + " tokens; the scheduler (GUARANTEED_NO_EVICT) "
                      "admits no more at once, so a batch of " + format_number(ctx[Sym::b]) + " waits";
        }
        return false;
    }
    return true;
}

// ---------------------------------------------------------------- components

bool TrtllmLmHeadCopyTerm::applies(const Context& ctx) const { return serving(ctx) && lm_head_copy(ctx) > 0; }
Bytes TrtllmLmHeadCopyTerm::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes = to_bytes(lm_head_copy(ctx), kId.data());
    if (explain)
        *explain = format_number(ctx[Sym::V]) + " · " + std::to_string(ctx.model().hidden) + " · " +
                   format_number(ctx[Sym::bytes_act]) + " B / t=" + format_number(ctx[Sym::t]) + " = " +
                   format_count(bytes) + " B";
    return bytes;
}

std::vector<std::string> TrtllmExecutionContextTerm::reads() const { return {kExecContext, kTokens, kBatch}; }
bool TrtllmExecutionContextTerm::applies(const Context& ctx) const { return serving(ctx); }
Bytes TrtllmExecutionContextTerm::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes = to_bytes(execution_context(ctx), kId.data());
    if (explain)
        *explain = read(ctx, kExecContext) > 0
                       ? format_number(read(ctx, kExecContext) / kMiB) + " MiB as given = " + format_count(bytes) + " B"
                       : layer_forward_peak_text(ctx, read(ctx, kTokens)) + " + " + format_number(read(ctx, kBatch)) +
                             " · " + format_number(padded_vocab(ctx)) + " · " + format_number(ctx[Sym::bytes_act]) +
                             " (estimated) = " + format_count(bytes) + " B";
    return bytes;
}

std::vector<std::string> TrtllmRuntimeBuffersTerm::reads() const { return {kBatch, kSeqLen, kTokens}; }
bool TrtllmRuntimeBuffersTerm::applies(const Context& ctx) const { return serving(ctx); }
Bytes TrtllmRuntimeBuffersTerm::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes = to_bytes(runtime_buffers(ctx), kId.data());
    if (explain)
        *explain = format_number(read(ctx, kBatch)) + " · " + format_number(padded_vocab(ctx)) + " · 4 + 6 · " +
                   format_number(read(ctx, kBatch)) + " · " + format_number(read(ctx, kSeqLen)) + " · 4 + " +
                   format_number(read(ctx, kTokens)) + " · 4 = " + format_count(bytes) + " B";
    return bytes;
}

std::vector<std::string> TrtllmDecoderTerm::reads() const { return {kBatch, kSeqLen, kVocabBuffers}; }
bool TrtllmDecoderTerm::applies(const Context& ctx) const { return serving(ctx); }
Bytes TrtllmDecoderTerm::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes = to_bytes(decoder_buffers(ctx), kId.data());
    if (explain)
        *explain = "16 · " + format_number(read(ctx, kBatch)) + " · " + format_number(read(ctx, kSeqLen)) + " + " +
                   format_number(read(ctx, kVocabBuffers)) + " · 4 · " + format_number(read(ctx, kBatch)) + " · " +
                   format_number(padded_vocab(ctx)) + " + 65,536 · " + format_number(read(ctx, kBatch)) + " = " +
                   format_count(bytes) + " B";
    return bytes;
}

std::vector<std::string> TrtllmKvCacheTerm::reads() const { return {kBlock}; }
bool TrtllmKvCacheTerm::applies(const Context& ctx) const { return serving(ctx); }
Bytes TrtllmKvCacheTerm::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes = kv_needed(ctx);
    if (explain)
        *explain = format_number(ctx[Sym::b]) + " sequences × " + std::to_string(rounded_tokens(ctx)) +
                   " tokens (blocks of " + format_number(read(ctx, kBlock)) + ") × " + format_number(kv_per_token(ctx)) +
                   " B = " + format_count(bytes) + " B";
    return bytes;
}

std::vector<std::string> TrtllmKvReserveTerm::reads() const {
    return {kBatch, kTokens, kSeqLen, kFraction, kBlock, kExecContext, kVocabBuffers};
}
bool TrtllmKvReserveTerm::applies(const Context& ctx) const { return serving(ctx); }
Bytes TrtllmKvReserveTerm::compute(const Context& ctx, std::string* explain) const {
    const double pool = pool_tokens(ctx) * kv_per_token(ctx);
    const double rest = pool - static_cast<double>(kv_needed(ctx));
    const Bytes bytes = rest > 0 ? static_cast<Bytes>(std::floor(rest)) : 0;
    if (explain)
        *explain = "ceil(floor(" + format_number(read(ctx, kFraction)) + " · " +
                   format_count(static_cast<Bytes>(std::max(0.0, free_for_kv(ctx)))) + " / " +
                   format_number(kv_per_token(ctx)) + ") / " + format_number(read(ctx, kBlock)) + ") blocks = " +
                   format_number(pool_tokens(ctx)) + " tokens; pool " + format_count(static_cast<Bytes>(pool)) + " − " +
                   format_count(kv_needed(ctx)) + " = " + format_count(bytes) + " B";
    return bytes;
}

}  // namespace vram::plugins
