// families.hpp - builders of every model family this plugin understands, and the small
// adapter class that exposes one builder per set of HF model_type values.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "vram/model_adapter.hpp"
#include "vram/model_builder.hpp"

namespace vram::plugins {

using BuildFn = ModelSpec (*)(const ConfigReader&);

/// A model adapter backed by a builder function (one per family).
class FamilyAdapter final : public ModelAdapter {
public:
    FamilyAdapter(std::string name, std::vector<std::string> types, BuildFn fn)
        : name_(std::move(name)), types_(std::move(types)), fn_(fn) {}
    std::string_view name() const override { return name_; }
    std::vector<std::string> model_types() const override { return types_; }
    ModelSpec build(const ConfigNode& config, const std::string& where) const override {
        return fn_(ConfigReader(config, where));
    }

private:
    std::string name_;
    std::vector<std::string> types_;
    BuildFn fn_;
};

/// One default value of a config key, as the family's HF config class would fill it.
struct KeyDefault {
    const char* key;
    double value;
};

/// `config` with each absent (or null) key of `defaults` filled in.
ConfigNode with_defaults(const ConfigNode& config, std::initializer_list<KeyDefault> defaults);

/// q/k/v/o projections (+ optional per-head q/k norms) of a standard attention block.
void add_attention(ModelBuilder& b, const ModelSpec& m, std::int32_t layer, const DecoderLayerShape& s);
/// gate/up/down projections of a gated MLP under `prefix` ("mlp", "mlp.shared_expert").
void add_gated_mlp(ModelBuilder& b, const std::string& prefix, const std::string& group, std::int32_t layer,
                   std::int64_t hidden, std::int64_t inner, bool bias, std::int64_t copies = 1,
                   std::int64_t active = -1);
/// One LayerSpec of `kind` per layer.
void all_layers(ModelSpec& m, LayerAttention kind);

// Dense decoders (dense.cpp).
ModelSpec build_llama(const ConfigReader& r);
ModelSpec build_gemma(const ConfigReader& r);
ModelSpec build_phi3(const ConfigReader& r);
// Mixture of experts (moe.cpp).
ModelSpec build_mixtral(const ConfigReader& r);
// GPT-style and encoder models (classic.cpp).
ModelSpec build_bert(const ConfigReader& r);
// State-space models (ssm.cpp).
ModelSpec build_jamba(const ConfigReader& r);
// Multimodal (multimodal.cpp).
ModelSpec build_llava(const ConfigReader& r);
ModelSpec build_qwen2_vl(const ConfigReader& r);
ModelSpec build_gemma3_mm(const ConfigReader& r);
ModelSpec build_mistral3(const ConfigReader& r);
ModelSpec build_whisper(const ConfigReader& r);
// Gemma 4 (gemma4.cpp): the text model alone or with its vision / audio towers.
ModelSpec build_gemma4_text(const ConfigReader& r);
ModelSpec build_gemma4(const ConfigReader& r);

/// The adapters of this plugin: name, model types, builder.
struct FamilyEntry {
    const char* name;
    std::vector<std::string> types;
    BuildFn fn;
    /// Registered as a model adapter. A family migrated to a family file (presets/families)
    /// keeps its builder here, unregistered, only as the text model of the C++ multimodal
    /// adapters (build_text_model, build_qwen2_vl) until those move to files too.
    bool registered = true;
};
const std::vector<FamilyEntry>& families();

/// Builds the language model of a multimodal config from its text part with whichever family
/// handles its model_type (`fallback_type` when the part omits it).
ModelSpec build_text_model(const ConfigNode& text, const std::string& where, const std::string& fallback_type);

}  // namespace vram::plugins
