// vram/model.hpp - ModelSpec: the canonical architecture every plugin reads
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "vram/export.hpp"

namespace vram {

/// One parameter tensor (or `copies` identical ones, e.g. the routed experts of a layer).
/// Model adapters list every parameter of the model this way; parameter counts by group,
/// quantized weight bytes and LoRA adapter sizes are all derived from this list.
struct Tensor {
    std::string name;     ///< checkpoint-style name without the layer prefix: "self_attn.q_proj.weight"
    std::string module;   ///< PEFT module name of the owning Linear ("q_proj", "c_attn"); empty if not a Linear
    std::string group;    ///< count group: embedding, attention, mlp, experts, norms, lm_head, vision_tower, projector, audio_encoder, ...
    std::int32_t layer = -1;   ///< decoder layer index; -1 outside the decoder stack
    std::int64_t rows = 0;     ///< output features (numel for 1-D tensors)
    std::int64_t cols = 1;     ///< input features (1 for 1-D tensors)
    std::int64_t copies = 1;   ///< identical tensors this entry stands for (routed experts)
    std::int64_t active_copies = 1;  ///< copies used per token (top-k for routed experts)
    bool linear = false;       ///< weight of a Linear/Conv1D: quantizable, LoRA-targetable
    bool embedding = false;    ///< token embedding or output head (kept 16-bit by most formats)

    std::int64_t numel() const noexcept { return rows * cols; }
};

/// Attention kind of one decoder layer; decides its KV cache (or recurrent state).
enum class LayerAttention : std::uint8_t {
    full,     ///< standard softmax attention over every cached token (MHA/GQA/MQA)
    sliding,  ///< sliding-window attention: keeps at most `window` tokens
    mla,      ///< DeepSeek multi-head latent attention: one compressed latent per token
    ssm,      ///< Mamba / linear attention: constant state per sequence
    none,     ///< no token mixing that caches (e.g. encoder-only models served without cache)
    cross,    ///< decoder cross-attention to encoder outputs: only the kind the attention stage asks
              ///< variants about for layers with LayerSpec::cross_attention (never a layer's own kind)
};

/// Per-layer facts that vary along the stack.
struct LayerSpec {
    LayerAttention attention = LayerAttention::full;
    std::int64_t window = 0;      ///< tokens kept by a sliding layer (0 = unbounded)
    bool moe = false;             ///< layer uses routed experts
    bool cross_attention = false; ///< decoder layer also attends to encoder outputs (whisper)
    /// KV shape of this layer when it differs from the model's (Gemma 4's full-attention layers:
    /// fewer KV heads of a larger head_dim than its sliding ones); 0 = ModelSpec::kv_heads / head_dim.
    std::int64_t kv_heads = 0;
    std::int64_t head_dim = 0;
    /// The layer reads an earlier layer's cache and keeps none of its own (Gemma 4's
    /// num_kv_shared_layers; vLLM's kv_sharing_target_layer_name).
    bool kv_shared = false;
};

/// A vision or audio encoder ("tower") of a multimodal model.
struct TowerSpec {
    std::string kind;              ///< "vision" or "audio"; empty when the model has none
    std::string model_type;        ///< "clip_vision_model", "siglip_vision_model", "qwen2_vl", "whisper"
    std::int64_t hidden = 0;
    std::int64_t layers = 0;
    std::int64_t heads = 0;
    std::int64_t intermediate = 0;
    std::int64_t image_size = 0;       ///< vision: input resolution the tower was trained at
    std::int64_t patch_size = 0;       ///< vision: pixels per patch side
    std::int64_t temporal_patch_size = 1;  ///< vision: frames per patch (Qwen2-VL: 2)
    std::int64_t spatial_merge_size = 1;   ///< vision: patches merged per side into one token
    std::int64_t tokens_per_image = 0;     ///< fixed token count after pooling/resampling (0 = dynamic)
    std::int64_t num_mel_bins = 0;         ///< audio
    std::int64_t max_source_positions = 0; ///< audio: encoder frames per 30-s window (whisper 1500)
};

/// Canonical architecture of a model, produced by a model adapter from config.json.
struct ModelSpec {
    std::string name;         ///< preset or file name
    std::string model_type;   ///< HF model_type ("llama", "qwen2", "deepseek_v3" ...)
    std::string family;       ///< adapter family that produced the spec
    std::string source;       ///< where the config came from (file path, preset source)
    std::string torch_dtype;  ///< dtype the checkpoint ships in ("bfloat16"); "" if unknown
    /// Only the parameter count is known (model.parameters): the shape fields are placeholders
    /// and the estimator keeps only weights and fixed costs.
    bool weights_only = false;

    std::int64_t hidden = 0;          ///< h
    std::int64_t layers = 0;          ///< L (decoder layers)
    std::int64_t heads = 0;           ///< n_q
    std::int64_t kv_heads = 0;        ///< n_kv (= n_q for MHA, 1 for MQA)
    std::int64_t head_dim = 0;        ///< d: the config's head_dim when present, else h / n_q
    std::int64_t v_head_dim = 0;      ///< value head dim when it differs from head_dim (MLA), else head_dim
    std::int64_t intermediate = 0;    ///< F (dense MLP)
    std::int64_t vocab = 0;           ///< V
    std::int64_t max_positions = 0;   ///< max_position_embeddings
    bool tied_embeddings = false;
    bool gated_mlp = true;            ///< SwiGLU/GeGLU (3 matrices) vs plain 2-matrix MLP
    bool encoder_only = false;        ///< BERT-style: no causal LM head, no KV cache when served
    double attention_dropout = 0.0;
    double hidden_dropout = 0.0;

    // Mixture of experts (zeros for dense models).
    std::int64_t experts = 0;              ///< routed experts per MoE layer
    std::int64_t experts_per_token = 0;    ///< top-k
    std::int64_t shared_experts = 0;       ///< shared experts (DeepSeek) or 1 for Qwen-MoE's shared expert
    std::int64_t moe_intermediate = 0;     ///< F of one routed expert
    std::int64_t shared_intermediate = 0;  ///< F of the shared expert block

    // Multi-head latent attention (DeepSeek-V2/V3), zeros otherwise.
    std::int64_t q_lora_rank = 0;
    std::int64_t kv_lora_rank = 0;
    std::int64_t qk_nope_head_dim = 0;
    std::int64_t qk_rope_head_dim = 0;
    std::int64_t mtp_layers = 0;           ///< multi-token-prediction layers (not loaded by HF)
    /// DeepSeek sparse attention (DeepSeek-V3.2, GLM-5): width of the lightning indexer's one key
    /// per token and layer, which engines cache beside the latent; 0 = no indexer.
    std::int64_t index_head_dim = 0;

    // State-space layers (Mamba-1/2, Jamba), zeros otherwise.
    std::int64_t ssm_state = 0;        ///< d_state
    std::int64_t ssm_conv = 0;         ///< d_conv
    std::int64_t ssm_inner = 0;        ///< d_inner = expand * h
    std::int64_t ssm_heads = 0;        ///< Mamba-2 heads (0 for Mamba-1)
    std::int64_t ssm_groups = 0;       ///< Mamba-2 n_groups

    // Rotary position embeddings, zeros without them (learned positions, ALiBi, NoPE). Serving
    // engines precompute cos/sin for every position once per distinct rotary setup.
    std::int64_t rotary_dim = 0;       ///< dimensions each position rotates (partial rotary: < head_dim)
    std::int64_t rope_positions = 0;   ///< positions of the precomputed table (scaled context)
    std::int64_t rope_tables = 0;      ///< distinct rotary setups (Gemma 3: local and global bases)

    // Encoder-decoder (whisper): the decoder cross-attends to this many encoder positions.
    std::int64_t encoder_tokens = 0;
    std::int64_t max_target_positions = 0;

    std::vector<LayerSpec> layer_specs;  ///< one per decoder layer (size == layers)
    std::vector<Tensor> tensors;         ///< every parameter tensor
    TowerSpec vision;                    ///< kind empty when absent
    TowerSpec audio;                     ///< kind empty when absent
    std::vector<std::string> notes;      ///< adapter remarks shown by `vram inspect`
};

/// Exact number of parameters (Σ numel · copies), buffers excluded, tied weights once.
VRAM_API std::int64_t parameter_count(const ModelSpec& model);
/// Parameters used per token: routed experts counted top-k times instead of all.
VRAM_API std::int64_t active_parameter_count(const ModelSpec& model);
/// Parameters per count group, in first-seen order ("embedding", "attention", ...).
VRAM_API std::vector<std::pair<std::string, std::int64_t>> parameters_by_group(const ModelSpec& model);
/// Parameters whose group starts with `group` (e.g. "vision_tower").
VRAM_API std::int64_t parameters_in_group(const ModelSpec& model, const std::string& group);
/// Number of decoder layers of a given attention kind.
VRAM_API std::int64_t count_layers(const ModelSpec& model, LayerAttention kind);
/// "full", "sliding", "mla", "ssm", "none".
VRAM_API const char* to_string(LayerAttention kind) noexcept;

/// Checks the internal consistency of a spec (positive sizes, heads divisible by KV heads,
/// layer_specs sized to layers); throws vram::ScenarioError naming `where` and the field.
VRAM_API void validate_model(const ModelSpec& model, const std::string& where);

}  // namespace vram
