// extra_attention.cpp - KV layouts of MLA, SSM and cross-attention layers.
// SPDX-License-Identifier: Apache-2.0
#include "extra_attention.hpp"

#include "vram/error.hpp"

namespace vram::plugins {
namespace {

// Bytes per recurrent-state element: vLLM sizes Mamba conv and SSM states in the model dtype
// unless mamba_ssm_cache_dtype says otherwise ("auto"); fp32 checkpoints keep fp32 states.
std::int64_t state_element_bytes(const ModelSpec& m) {
    return m.torch_dtype == "float32" ? 4 : 2;
}

}  // namespace

int LatentAttention::score(const ModelSpec& m, LayerAttention kind) const {
    return kind == LayerAttention::mla && m.kv_lora_rank > 0 ? 10 : 0;
}

KvGroup LatentAttention::describe(const ModelSpec& m, LayerAttention, std::int64_t layers, std::int64_t) const {
    KvGroup g;
    g.label = "MLA latent (" + std::to_string(m.kv_lora_rank) + " + " + std::to_string(m.qk_rope_head_dim) +
              " rope, replicated on every TP rank)";
    g.layers = layers;
    // The latent c_KV and the shared RoPE key k_pe: one "head" of kv_lora_rank + qk_rope_head_dim.
    g.elements_per_token = m.kv_lora_rank + m.qk_rope_head_dim;
    g.heads = 1;
    g.replicated = true;
    g.source = "per token per layer = kv_lora_rank + qk_rope_head_dim elements (vLLM kv_cache_interface.py "
               "MLAAttentionSpec, head_size 576 for DeepSeek-V2/V3); one KV head on every TP rank "
               "(vLLM ModelConfig.get_num_kv_heads: 'if self.use_mla: return 1'); formulas.md §3.2. "
               "Engines with absorbed MLA kernels (vLLM, SGLang, llama.cpp) store the latent";
    if (m.index_head_dim > 0) {
        // DeepSeek sparse attention: the lightning indexer's key of index_head_dim fp8 values and
        // one fp32 scale per 128 of them, cached beside the latent whatever the KV dtype (SGLang
        // NSATokenToKVPool index_k_with_scale_buffer, uint8, quant_block_size 128; vLLM
        // DeepseekV32IndexerCache, uint8 of index_head_dim + index_head_dim / 128 * 4).
        g.own_dtype_bytes_per_token = m.index_head_dim + (m.index_head_dim + 127) / 128 * 4;
        g.label += " + DSA indexer key (" + std::to_string(g.own_dtype_bytes_per_token) + " B fp8 with scales)";
        g.source += "; DSA indexer: index_head_dim fp8 + an fp32 scale per 128 per token and layer (SGLang "
                    "memory_pool.py NSATokenToKVPool, model_runner_kv_cache_mixin.py get_cell_size_per_token)";
    }
    return g;
}

std::int64_t mamba_state_elements(const ModelSpec& m) {
    if (m.ssm_inner <= 0 || m.ssm_state <= 0 || m.ssm_conv <= 0)
        throw ScenarioError(m.source, "ssm layers need ssm_inner, ssm_state and ssm_conv > 0 (model_type '" +
                                          m.model_type + "')");
    if (m.ssm_heads > 0) {
        // Mamba-2: conv over x, B and C ((d_inner + 2·n_groups·d_state) channels, d_conv - 1 taps)
        // + SSM state n_heads × head_dim × d_state with head_dim = d_inner / n_heads.
        const std::int64_t conv = (m.ssm_inner + 2 * m.ssm_groups * m.ssm_state) * (m.ssm_conv - 1);
        const std::int64_t head_dim = m.ssm_inner / m.ssm_heads;
        return conv + m.ssm_heads * head_dim * m.ssm_state;
    }
    // Mamba-1: conv d_inner × (d_conv - 1) + SSM state d_inner × d_state.
    return m.ssm_inner * (m.ssm_conv - 1) + m.ssm_inner * m.ssm_state;
}

int StateSpaceLayers::score(const ModelSpec& m, LayerAttention kind) const {
    return kind == LayerAttention::ssm && m.ssm_inner > 0 ? 10 : 0;
}

KvGroup StateSpaceLayers::describe(const ModelSpec& m, LayerAttention, std::int64_t layers, std::int64_t) const {
    KvGroup g;
    const bool v2 = m.ssm_heads > 0;
    g.label = std::string(v2 ? "Mamba-2" : "Mamba-1") + " state (d_inner " + std::to_string(m.ssm_inner) +
              ", d_state " + std::to_string(m.ssm_state) + ", d_conv " + std::to_string(m.ssm_conv) + ")";
    g.layers = layers;
    g.elements_per_token = 0;  // constant per sequence: nothing grows with tokens
    g.state_bytes = mamba_state_elements(m) * state_element_bytes(m);
    // Tensor parallelism splits d_inner (Mamba-1) or the SSM heads (Mamba-2) over the ranks.
    g.heads = v2 ? m.ssm_heads : m.ssm_inner;
    g.source = "Mamba-1: d_inner·(d_conv-1) + d_inner·d_state; Mamba-2: (d_inner + 2·n_groups·d_state)·(d_conv-1) "
               "+ n_heads·head_dim·d_state elements per sequence per layer, model dtype (vLLM "
               "mamba_utils.py MambaStateShapeCalculator, MambaSpec); formulas.md §3.4";
    return g;
}

int CrossAttention::score(const ModelSpec& m, LayerAttention kind) const {
    return kind == LayerAttention::cross && m.encoder_tokens > 0 ? 10 : 0;
}

KvGroup CrossAttention::describe(const ModelSpec& m, LayerAttention, std::int64_t layers, std::int64_t) const {
    KvGroup g;
    g.label = "cross-attention to " + std::to_string(m.encoder_tokens) + " encoder positions (" +
              std::to_string(m.kv_heads) + " heads × " + std::to_string(m.head_dim) + ")";
    g.layers = layers;
    const std::int64_t v = m.v_head_dim ? m.v_head_dim : m.head_dim;
    g.elements_per_token = m.kv_heads * (m.head_dim + v);
    g.heads = m.kv_heads;
    g.fixed_tokens = m.encoder_tokens;
    g.source = "2 · n_kv · head_dim per encoder position per decoder layer, fixed per sequence (Whisper: 1500 "
               "positions, the mel input is padded to 30 s; vLLM kv_cache_interface.py CrossAttentionSpec "
               "'e.g., 1500 for Whisper'); formulas.md §3.7";
    return g;
}

}  // namespace vram::plugins
