// rotary.cpp - what vLLM's and SGLang's rotary embeddings precompute. Both build, per distinct
// rotary setup, a cos_sin_cache of [positions, rotary_dim] in the model dtype once at start-up
// (vllm/model_executor/layers/rotary_embedding.py RotaryEmbedding.__init__:
// _compute_cos_sin_cache(), then cache.to(dtype), register_buffer; get_rope shares one instance
// among layers with the same parameters; sglang/srt/layers/rotary_embedding.py the same). The
// positions follow the scaling type: YaRN tables original_max_position_embeddings · factor,
// linear and dynamic NTK max_position_embeddings · factor, Phi-3's LongRoPE a short and a long
// table concatenated (original + max positions).
// SPDX-License-Identifier: Apache-2.0
#include "model/rotary.hpp"

#include <cmath>
#include <string>

namespace vram {
namespace {

const ConfigNode* present(const ConfigNode& c, std::string_view key) {
    const ConfigNode* n = c.is_map() ? c.find(key) : nullptr;
    return n && !n->is_null() ? n : nullptr;
}

double number(const ConfigNode* n, double fallback) { return n && n->is_number() ? n->as_number() : fallback; }

std::string text(const ConfigNode* n) { return n && n->is_string() ? n->as_string() : std::string(); }

// model_types whose attention rotates q and k (transformers' modeling files build a
// RotaryEmbedding; vLLM/SGLang a get_rope table). Learned (GPT-2, OPT, BART, Whisper), relative
// (T5, DeBERTa), ALiBi (BLOOM, MPT) and state-space models are absent.
bool rotary_family(const std::string& type) {
    static const char* const kTypes[] = {
        "apertus", "arcee", "baichuan", "bamba", "chatglm", "codegen", "cohere", "cohere2", "deepseek",
        "deepseek_v2", "deepseek_v3", "dots1", "ernie4_5", "esm", "exaone", "falcon", "RefinedWeb",
        "RefinedWebModel", "gemma", "gemma2", "gemma3", "gemma3_text", "glm", "glm4", "glm4_moe", "gpt_neox",
        "gpt_oss", "gptj", "granite", "granitemoe", "granitemoehybrid", "new", "gte", "hunyuan_v1_dense",
        "internlm", "internlm2", "internlm3", "llama", "llama4", "llama4_text", "mistral", "minicpm", "minimax_m2",
        "mixtral", "modernbert", "nemotron", "nomic_bert", "olmo", "olmo2", "olmoe", "orion", "phi", "phi3",
        "qwen", "qwen2", "qwen3", "qwen2_moe", "qwen3_moe", "qwen3_next", "qwen2_vl", "qwen2_5_vl", "seed_oss",
        "smollm3", "stablelm", "starcoder2"};
    for (const char* t : kTypes)
        if (type == t) return true;
    return false;
}

}  // namespace

void derive_rotary(const ConfigNode& config, ModelSpec& m) {
    const ConfigNode* text_config = present(config, "text_config");
    const ConfigNode& c = text_config && text_config->is_map() ? *text_config : config;
    const auto key = [&](std::string_view k) { return present(c, k) ? present(c, k) : present(config, k); };
    // A multimodal model rotates as its language model does.
    std::string type = text(present(c, "model_type"));
    if (type.empty()) type = m.model_type;
    if (!rotary_family(type) && m.qk_rope_head_dim == 0) return;
    // Falcon-40B/-7B rotate unless alibi; Baichuan-13B uses ALiBi where the 7B rotates (vLLM
    // baichuan.py: ROPE when hidden_size == 4096); Granite-4.0-H's attention layers may be NoPE.
    const ConfigNode* alibi = key("alibi");
    if (alibi && alibi->is_bool() && alibi->as_bool()) return;
    if (type == "baichuan" && m.hidden != 4096) return;
    if (text(key("position_embedding_type")) == "nope") return;
    if (m.head_dim <= 0) return;

    if (m.qk_rope_head_dim > 0) {
        m.rotary_dim = m.qk_rope_head_dim;  // MLA rotates only the decoupled rope part
    } else if (const ConfigNode* d = key("rotary_dim"); d && d->is_number()) {
        m.rotary_dim = static_cast<std::int64_t>(d->as_number());  // GPT-J, CodeGen, MiniMax-M2
    } else if (m.model_type == "chatglm") {
        m.rotary_dim = m.head_dim / 2;  // ChatGLM rotates half of each head (vLLM chatglm.py)
    } else {
        const double f = number(key("partial_rotary_factor"), number(key("rotary_pct"), 1.0));
        m.rotary_dim = static_cast<std::int64_t>(std::llround(static_cast<double>(m.head_dim) * f));
    }

    double positions = static_cast<double>(m.max_positions);
    if (const ConfigNode* s = key("rope_scaling"); s && s->is_map()) {
        std::string scaling = text(present(*s, "rope_type"));
        if (scaling.empty()) scaling = text(present(*s, "type"));
        const double factor = number(present(*s, "factor"), 1.0);
        // Phi-3 keeps original_max_position_embeddings beside rope_scaling, not in it.
        const double original =
            number(present(*s, "original_max_position_embeddings"), number(key("original_max_position_embeddings"), positions));
        if (scaling == "yarn" || scaling == "deepseek_yarn")
            positions = original * factor;
        else if (scaling == "linear" || scaling == "dynamic")
            positions = positions * factor;
        else if (scaling == "longrope" || scaling == "su")
            positions = original + positions;
    }
    m.rope_positions = static_cast<std::int64_t>(positions);
    // Gemma 3 rotates sliding layers with rope_local_base_freq and global ones with rope_theta
    // (vLLM gemma3.py: two get_rope bases), ModernBERT with local and global thetas: two tables.
    m.rope_tables = type == "gemma3" || type == "gemma3_text" || type == "modernbert" ? 2 : 1;
}

}  // namespace vram
