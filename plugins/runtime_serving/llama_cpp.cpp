// llama_cpp.cpp - llama.cpp memory semantics: weights of the offloaded layers (the token
// embedding stays in host memory), a KV cache sized by n_ctx (not by the requests), and the
// ggml compute buffer reserved for the worst-case graph of one micro-batch (n_ubatch tokens).
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>

#include "serving.hpp"
#include "vram/error.hpp"

namespace vram::plugins {
namespace {

constexpr const char* kCtx = "llamacpp_n_ctx";
constexpr const char* kUbatch = "llamacpp_n_ubatch";
constexpr const char* kSeq = "llamacpp_n_seq";
constexpr const char* kGpuLayers = "llamacpp_gpu_layers";
constexpr const char* kFlash = "llamacpp_flash_attn";

double read(const Context& ctx, const char* name) { return ctx.get(name, 0.0); }

// Whether a tensor lives on the GPU: layer i is offloaded when i >= L - n_gpu_layers; the
// output layer (final norm, lm_head) only when n_gpu_layers > L (llama-model.cpp i_gpu_start,
// dev_output). The token embedding is always an input-layer tensor on the CPU.
bool on_gpu(const Tensor& t, std::int64_t layers, std::int64_t gpu_layers) {
    if (t.embedding && !t.linear) return false;
    if (t.layer >= 0) return t.layer >= layers - gpu_layers;
    return gpu_layers > layers;
}

double compute_attention(const Context& ctx, double n_ub) {
    const ModelSpec& m = ctx.model();
    const double n_ctx = read(ctx, kCtx), h = static_cast<double>(m.hidden);
    // Four n_ub × h f32 activations live around attention (residual, normed input, Q, output).
    const double acts = 4.0 * n_ub * h * 4.0;
    if (read(ctx, kFlash) > 0) return n_ub * n_ctx * 2.0 + acts;  // f16 KQ mask only
    // Without flash attention: the f32 KQ scores of every head over the whole cache, plus the
    // f32 KQ mask.
    return n_ub * n_ctx * (static_cast<double>(m.heads) + 1.0) * 4.0 + acts;
}

double compute_logits(const Context& ctx, double n_ub) {
    // The worst-case graph outputs every token of the micro-batch: f32 logits plus the final
    // hidden states.
    return n_ub * (ctx[Sym::V] + static_cast<double>(ctx.model().hidden)) * 4.0;
}

}  // namespace

void declare_llama_cpp_symbols(Registrar& reg) {
    reg.declare(kCtx, "tokens", "llama.cpp n_ctx (padded to 256)");
    reg.declare(kUbatch, "tokens", "llama.cpp n_ubatch");
    reg.declare(kSeq, "sequences", "llama.cpp n_seq_max");
    reg.declare(kGpuLayers, "layers", "llama.cpp n_gpu_layers (L + 1 = all and output)");
    reg.declare(kFlash, "flag", "llama.cpp flash attention");
}

bool llamacpp_engine(const Context& ctx) noexcept { return ctx.scenario().runtime.engine == "llama.cpp"; }

LlamaCppSettings llamacpp_settings(const Context& ctx) {
    return {read(ctx, kCtx), read(ctx, kUbatch), read(ctx, kSeq), read(ctx, kGpuLayers), read(ctx, kFlash)};
}

std::vector<ParamSpec> LlamaCppRuntime::params() const {
    return {
        {"n_ctx", ParamType::integer, "0",
         "KV cache size in tokens, shared by all sequences (llama.cpp -c); 0 = batch_size × sequence_length; padded "
         "up to a multiple of 256", 0, 1LL << 31, {}},
        {"n_batch", ParamType::integer, "2048", "logical batch (llama.cpp -b)", 1, 1LL << 31, {}},
        {"n_ubatch", ParamType::integer, "512", "physical micro-batch the compute buffer is sized for (-ub)", 1,
         1LL << 31, {}},
        {"n_seq_max", ParamType::integer, "0", "parallel sequences (-np); 0 = batch_size", 0, 1 << 20, {}},
        {"n_gpu_layers", ParamType::integer, "-1", "layers offloaded to the GPU (-ngl); -1 = all and the output layer",
         -1, 1 << 20, {}},
        {"flash_attn", ParamType::boolean, "false", "flash attention (-fa): no f32 KQ scores in the compute buffer", 0, 0,
         {}},
        {"cuda_context_mib", ParamType::number, "300",
         "CUDA context per process, MiB (~300 MB with lazy module loading, pytorch PR #86509 / issue 107667; not "
         "measured for llama.cpp)", 0, 65536, {}},
    };
}

void LlamaCppRuntime::prepare(Context& ctx, const Params& o) const {
    const Scenario& s = ctx.scenario();
    std::int64_t n_ctx = o.integer("n_ctx");
    if (n_ctx == 0) n_ctx = s.workload.batch_size * static_cast<std::int64_t>(ctx[Sym::s]);
    // llama-context.cpp: cparams.n_ctx = GGML_PAD(cparams.n_ctx, 256).
    n_ctx = (n_ctx + 255) / 256 * 256;
    std::int64_t n_seq = o.integer("n_seq_max");
    if (n_seq == 0) n_seq = s.workload.batch_size;
    const std::int64_t n_batch = o.integer("n_batch");
    const std::int64_t n_ubatch = std::min({o.integer("n_ubatch"), n_batch, n_ctx});
    std::int64_t gpu_layers = o.integer("n_gpu_layers");
    if (gpu_layers < 0) gpu_layers = ctx.model().layers + 1;
    if (ctx[Sym::t] > 1)
        throw ParamError("parallelism.tensor", "llama.cpp splits layers, not tensors; allowed: 1 "
                                               "with engine llama.cpp");
    ctx.set(ctx.symbol(kCtx), static_cast<double>(n_ctx));
    ctx.set(ctx.symbol(kUbatch), static_cast<double>(n_ubatch));
    ctx.set(ctx.symbol(kSeq), static_cast<double>(n_seq));
    ctx.set(ctx.symbol(kGpuLayers),
            static_cast<double>(gpu_layers));
    ctx.set(ctx.symbol(kFlash), o.flag("flash_attn") ? 1.0 : 0.0);
    ctx.set(Sym::cuda_context, o.number("cuda_context_mib") * kMiB);
    // What stays in host memory: token_embd and every tensor of a layer not offloaded (the
    // `host_bytes` view; llama.cpp's "CPU_Mapped model buffer size").
    const ModelSpec& m = ctx.model();
    for (std::size_t i = 0; i < m.tensors.size() && i < ctx.tensor_bytes.size(); ++i)
        if (!on_gpu(m.tensors[i], m.layers, gpu_layers)) ctx.engine.host_bytes += static_cast<double>(ctx.tensor_bytes[i]);
    // Layers left on the CPU keep their KV cells there too ("CUDA_Host KV buffer"), and without
    // the output layer on the GPU the logits part of the compute buffer is a host buffer.
    if (gpu_layers <= m.layers) {
        const double bytes_kv = ctx[Sym::bytes_kv];
        const double all = static_cast<double>(kv_bytes_per_sequence(ctx.kv_groups, n_ctx, bytes_kv, 1, 1));
        ctx.engine.host_bytes += all * static_cast<double>(m.layers - gpu_layers) / static_cast<double>(m.layers);
        ctx.engine.host_bytes += compute_logits(ctx, static_cast<double>(n_ubatch));
    }
    ctx.notes.push_back("runtime llama.cpp: KV cache for n_ctx = " + std::to_string(n_ctx) + " tokens shared by " +
                        std::to_string(n_seq) + " sequences; compute buffer for n_ubatch = " + std::to_string(n_ubatch) +
                        "; token embedding in host memory");
}

double LlamaCppRuntime::max_kv_tokens(const Context& ctx, double, double) const { return read(ctx, kCtx); }

// llama-server splits n_ctx evenly over its n_seq_max slots (server.cpp: n_ctx_slot = n_ctx /
// params.n_parallel) and runs at most n_seq_max sequences at once; a request longer than its
// slot is refused or truncated.
bool LlamaCppRuntime::admits(const Context& ctx, std::string* reason) const {
    const double n_seq = read(ctx, kSeq), n_ctx = read(ctx, kCtx);
    if (n_seq < ctx[Sym::b]) {
        if (reason)
            *reason = "llama.cpp runs n_seq_max = " + format_number(n_seq) + " sequences at once; a batch of " +
                      format_number(ctx[Sym::b]) + " waits (raise runtime.n_seq_max)";
        return false;
    }
    const double slot = n_seq > 0 ? std::floor(n_ctx / n_seq) : n_ctx;
    if (slot < ctx[Sym::s]) {
        if (reason)
            *reason = "each of llama.cpp's " + format_number(n_seq) + " slots holds n_ctx / n_seq_max = " +
                      format_number(slot) + " tokens; sequences of " + format_number(ctx[Sym::s]) +
                      " do not fit (raise runtime.n_ctx)";
        return false;
    }
    return true;
}

std::vector<std::string> LlamaCppWeightsTerm::reads() const { return {kGpuLayers}; }
std::vector<std::string> LlamaCppKvCacheTerm::reads() const { return {kCtx, kSeq, kGpuLayers}; }
std::vector<std::string> LlamaCppComputeTerm::reads() const { return {kCtx, kUbatch, kFlash}; }

Bytes LlamaCppWeightsTerm::compute(const Context& ctx, std::string* explain) const {
    const ModelSpec& m = ctx.model();
    const auto gpu_layers = static_cast<std::int64_t>(read(ctx, kGpuLayers));
    Bytes total = 0;
    for (std::size_t i = 0; i < m.tensors.size(); ++i) {
        const Tensor& t = m.tensors[i];
        const bool tied_output = m.tied_embeddings && t.embedding && !t.linear && gpu_layers > m.layers;
        if (on_gpu(t, m.layers, gpu_layers) || tied_output) total = add_bytes(total, ctx.tensor_bytes[i]);
    }
    if (explain)
        *explain = format_count(static_cast<Bytes>(ctx[Sym::W])) + " B in " + ctx.weight_format + ", n_gpu_layers " +
                   format_number(read(ctx, kGpuLayers)) + " of " + std::to_string(m.layers) +
                   " (+1 = output), token_embd on the host → " + format_count(total) + " B";
    return total;
}

Bytes LlamaCppKvCacheTerm::compute(const Context& ctx, std::string* explain) const {
    const auto n_ctx = static_cast<std::int64_t>(read(ctx, kCtx));
    const double bytes_kv = ctx[Sym::bytes_kv];
    const Bytes cells = kv_bytes_per_sequence(ctx.kv_groups, n_ctx, bytes_kv, 1, 1);
    const Bytes fixed = kv_bytes_per_sequence(ctx.kv_groups, 0, bytes_kv, 1, 1);  // states, encoder frames
    const auto n_seq = static_cast<Bytes>(read(ctx, kSeq));
    Bytes total = add_bytes(cells, mul_bytes(n_seq > 0 ? n_seq - 1 : 0, fixed));
    const auto layers = static_cast<double>(ctx.model().layers);
    const double gpu_layers = std::min(read(ctx, kGpuLayers), layers);
    if (gpu_layers < layers) total = static_cast<Bytes>(std::ceil(static_cast<double>(total) * gpu_layers / layers));
    if (!explain) return total;
    std::string s;
    bool first = true;
    for (const auto& g : ctx.kv_groups) {
        s += (first ? "" : " + ") + std::to_string(g.layers) + " layers · " + std::to_string(g.elements_per_token) + " · " +
             format_number(bytes_kv) + " B · " + format_number(read(ctx, kCtx));
        if (g.state_bytes > 0) s += " + " + format_number(read(ctx, kSeq)) + " · state " + std::to_string(g.state_bytes) + " B";
        first = false;
    }
    *explain = s + " (n_ctx) = " + format_count(total) + " B";
    return total;
}

Bytes LlamaCppComputeTerm::compute(const Context& ctx, std::string* explain) const {
    const double n_ub = read(ctx, kUbatch);
    const double attention = compute_attention(ctx, n_ub), logits = compute_logits(ctx, n_ub);
    // The output layer's graph runs where the output layer lives: on the host unless
    // n_gpu_layers > L, and then the GPU's buffer holds only the repeating layers' worst case
    // (the "CUDA_Host compute buffer" of a partial offload; ollama #790: 112 MiB on CUDA0,
    // 518 MiB on the host for gemma-7b with 25 of 28 layers).
    const bool output_on_gpu = read(ctx, kGpuLayers) > static_cast<double>(ctx.model().layers);
    const Bytes bytes = to_bytes(output_on_gpu ? std::max(attention, logits) : attention, kId.data());
    if (explain)
        *explain = (output_on_gpu ? "max(attention " + format_count(static_cast<Bytes>(attention)) + ", logits " +
                                        format_count(static_cast<Bytes>(logits)) + ")"
                                  : "attention " + format_count(static_cast<Bytes>(attention)) +
                                        " (output layer on the host: its logits buffer there)") +
                   " with n_ub = " + format_number(n_ub) + ", n_ctx = " + format_number(read(ctx, kCtx)) + " = " +
                   format_count(bytes) + " B";
    return bytes;
}

}  // namespace vram::plugins
