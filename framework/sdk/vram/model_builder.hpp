// vram/model_builder.hpp - helpers for model adapters: reading config keys, listing tensors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "vram/config_node.hpp"
#include "vram/export.hpp"
#include "vram/model.hpp"

namespace vram {

/// Reads HF config keys with the aliases different families use, with messages naming `where`.
class VRAM_API ConfigReader {
public:
    ConfigReader(const ConfigNode& config, std::string where) : config_(config), where_(std::move(where)) {}

    /// The first present key of `keys` as a positive integer; throws ScenarioError if absent or bad.
    std::int64_t require_int(std::initializer_list<std::string_view> keys) const;
    /// Same, with `fallback` when no key is present (null counts as absent).
    std::int64_t get_int(std::initializer_list<std::string_view> keys, std::int64_t fallback) const;
    double get_number(std::initializer_list<std::string_view> keys, double fallback) const;
    bool get_bool(std::initializer_list<std::string_view> keys, bool fallback) const;
    std::string get_string(std::initializer_list<std::string_view> keys, const std::string& fallback) const;
    /// A nested map (text_config, vision_config ...); nullptr when absent.
    const ConfigNode* child(std::string_view key) const noexcept;
    const ConfigNode& config() const noexcept { return config_; }
    const std::string& where() const noexcept { return where_; }

private:
    const ConfigNode& config_;
    std::string where_;
};

/// Appends tensors to a ModelSpec with the conventions every adapter shares.
class VRAM_API ModelBuilder {
public:
    explicit ModelBuilder(ModelSpec& spec) : spec_(spec) {}

    /// A Linear's weight (out × in), plus its bias when `bias`. `module` is the PEFT name.
    void linear(const std::string& name, const std::string& module, const std::string& group, std::int32_t layer,
                std::int64_t out, std::int64_t in, bool bias, std::int64_t copies = 1, std::int64_t active_copies = -1);
    /// A 1-D parameter (norm weight, norm bias, bias vector, scalar gate ...).
    void vector(const std::string& name, const std::string& group, std::int32_t layer, std::int64_t size,
                std::int64_t copies = 1);
    /// A norm: weight, plus bias for LayerNorm.
    void norm(const std::string& name, const std::string& group, std::int32_t layer, std::int64_t size, bool bias);
    /// A token embedding table (rows × width); kept in 16 bit by quantized formats.
    void embedding(const std::string& name, const std::string& group, std::int64_t rows, std::int64_t width);
    /// The LM head (vocab × hidden), a Linear that formats keep unquantized and LoRA's
    /// all-linear skips; absent when tied.
    void lm_head(std::int64_t vocab, std::int64_t hidden, bool bias = false);
    /// Any other tensor (conv kernels, position tables ...), never quantized.
    void other(const std::string& name, const std::string& group, std::int32_t layer, std::int64_t rows,
               std::int64_t cols, std::int64_t copies = 1);

private:
    ModelSpec& spec_;
};

/// Shape of a standard pre-norm decoder layer (Llama family and most of its descendants).
struct DecoderLayerShape {
    bool qkv_bias = false;      ///< q/k/v projections have biases (Qwen2)
    bool o_bias = false;        ///< o_proj has a bias
    bool mlp_bias = false;      ///< MLP projections have biases
    bool qk_norm = false;       ///< per-head RMSNorm on q and k (Qwen3, Gemma3)
    int norms_per_layer = 2;    ///< 2 (Llama) or 4 (Gemma2/3 pre+post)
    bool layernorm_bias = false;///< LayerNorm with bias instead of RMSNorm
};

/// Adds one standard decoder layer: attention (q,k,v,o) + gated or plain MLP + norms.
VRAM_API void add_decoder_layer(ModelBuilder& b, const ModelSpec& m, std::int32_t layer, const DecoderLayerShape& shape);

}  // namespace vram
