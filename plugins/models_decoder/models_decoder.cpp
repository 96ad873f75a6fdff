// models_decoder.cpp - plugin entry: one model adapter per family of HF model_type values.
// SPDX-License-Identifier: Apache-2.0
#include "families.hpp"
#include "vram/plugin_api.hpp"

namespace vram::plugins {

const std::vector<FamilyEntry>& families() {
    static const std::vector<FamilyEntry> table = {
        // Migrated to presets/families/llama.yaml (issue 17); kept for LLaVA's text_config.
        {"core.model.llama", {"llama", "mistral", "qwen2", "qwen3"}, &build_llama, false},
        {"core.model.gemma", {"gemma", "gemma2", "gemma3_text"}, &build_gemma},
        {"core.model.phi3", {"phi3"}, &build_phi3},
        {"core.model.baichuan", {"baichuan"}, &build_baichuan},
        {"core.model.chatglm", {"chatglm"}, &build_chatglm},
        {"core.model.glm", {"glm", "glm4"}, &build_glm},
        {"core.model.mixtral", {"mixtral"}, &build_mixtral},
        {"core.model.qwen_moe", {"qwen2_moe", "qwen3_moe"}, &build_qwen_moe},
        {"core.model.deepseek", {"deepseek_v2", "deepseek_v3"}, &build_deepseek},
        {"core.model.gpt_oss", {"gpt_oss"}, &build_gpt_oss},
        {"core.model.gpt2", {"gpt2", "gpt_bigcode"}, &build_gpt2},
        {"core.model.gpt_neox", {"gpt_neox"}, &build_gpt_neox},
        {"core.model.gptj", {"gptj"}, &build_gptj},
        {"core.model.bloom", {"bloom"}, &build_bloom},
        {"core.model.opt", {"opt"}, &build_opt},
        {"core.model.falcon", {"falcon", "RefinedWeb", "RefinedWebModel"}, &build_falcon},
        // xlm-roberta moved to presets/families/xlm-roberta.yaml (issue 17), which also counts the
        // masked-LM head its checkpoints store; bert and roberta stay here until their golden
        // numbers are compared against a family file.
        {"core.model.bert", {"bert", "roberta"}, &build_bert},
        {"core.model.mamba", {"mamba", "mamba2"}, &build_mamba},
        {"core.model.jamba", {"jamba"}, &build_jamba},
        {"core.model.llava", {"llava", "llava_next"}, &build_llava},
        {"core.model.qwen2_vl", {"qwen2_vl", "qwen2_5_vl"}, &build_qwen2_vl},
        {"core.model.gemma3", {"gemma3"}, &build_gemma3_mm},
        {"core.model.whisper", {"whisper"}, &build_whisper},
    };
    return table;
}

}  // namespace vram::plugins

VRAM_PLUGIN(vram_models_decoder, "0.2.0") {
    for (const auto& f : vram::plugins::families())
        if (f.registered) reg.add(std::make_unique<vram::plugins::FamilyAdapter>(f.name, f.types, f.fn));
}
