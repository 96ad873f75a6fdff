// lora.cpp - LoRA adapter tensors from the model's exact Linear list (formulas.md §6.1).
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <map>

#include "peft_common.hpp"
#include "vram/error.hpp"

namespace vram::plugins {
namespace {

// PEFT's TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING (huggingface/peft
// src/peft/utils/constants.py, commit 00073fe8): what LoraConfig targets when target_modules is
// not given. Model types missing here make PEFT raise, and so do we.
const std::map<std::string, std::vector<std::string>, std::less<>>& default_targets() {
    static const std::map<std::string, std::vector<std::string>, std::less<>> table = {
        {"t5", {"q", "v"}}, {"mt5", {"q", "v"}}, {"bart", {"q_proj", "v_proj"}}, {"gpt2", {"c_attn"}},
        {"bloom", {"query_key_value"}}, {"blip-2", {"q", "v", "q_proj", "v_proj"}}, {"opt", {"q_proj", "v_proj"}},
        {"gptj", {"q_proj", "v_proj"}}, {"gpt_neox", {"query_key_value"}}, {"gpt_neo", {"q_proj", "v_proj"}},
        {"bert", {"query", "value"}}, {"roberta", {"query", "value"}}, {"xlm-roberta", {"query", "value"}},
        {"electra", {"query", "value"}}, {"deberta-v2", {"query_proj", "value_proj"}}, {"deberta", {"in_proj"}},
        {"layoutlm", {"query", "value"}}, {"llama", {"q_proj", "v_proj"}}, {"llama4", {"q_proj", "v_proj"}},
        {"chatglm", {"query_key_value"}}, {"gpt_bigcode", {"c_attn"}}, {"mpt", {"Wqkv"}},
        {"RefinedWebModel", {"query_key_value"}}, {"RefinedWeb", {"query_key_value"}},
        {"falcon", {"query_key_value"}}, {"btlm", {"c_proj", "c_attn"}}, {"codegen", {"qkv_proj"}},
        {"mistral", {"q_proj", "v_proj"}}, {"mixtral", {"q_proj", "v_proj"}}, {"stablelm", {"q_proj", "v_proj"}},
        {"phi", {"q_proj", "v_proj", "fc1", "fc2"}}, {"gemma", {"q_proj", "v_proj"}},
        {"gemma2", {"q_proj", "v_proj"}}, {"gemma3_text", {"q_proj", "v_proj"}}, {"qwen2", {"q_proj", "v_proj"}},
        {"qwen3", {"q_proj", "v_proj"}},
    };
    return table;
}

// "self_attn.q_proj.weight" -> "self_attn.q_proj": the module path PEFT matches against.
std::string module_path(const Tensor& t) {
    const std::string suffix = ".weight";
    if (t.name.size() > suffix.size() && t.name.compare(t.name.size() - suffix.size(), suffix.size(), suffix) == 0)
        return t.name.substr(0, t.name.size() - suffix.size());
    return t.name;
}

// PEFT's check_target_module_exists: a string key matches a module whose full name equals it or
// ends with "." + key. Our names carry no "model.layers.N." prefix, so the PEFT module name
// (Tensor::module) and the in-layer path are both tried.
bool matches(const Tensor& t, const std::string& target) {
    if (!t.linear) return false;
    if (target == "all-linear") return !t.embedding;  // every Linear except the output head (PEFT-T)
    if (t.module == target) return true;
    const std::string path = module_path(t);
    if (path == target) return true;
    return path.size() > target.size() && path.compare(path.size() - target.size(), target.size(), target) == 0 &&
           path[path.size() - target.size() - 1] == '.';
}

std::string linear_modules(const ModelSpec& m) {
    std::vector<std::string> names;
    for (const auto& t : m.tensors)
        if (t.linear && !t.module.empty() && std::find(names.begin(), names.end(), t.module) == names.end())
            names.push_back(t.module);
    std::string out;
    for (const auto& n : names) out += n + ", ";
    return out + "all-linear";
}

}  // namespace

std::vector<ParamSpec> lora_params() {
    // Defaults are LoraConfig's (peft src/peft/tuners/lora/config.py): r=8, lora_alpha=8,
    // lora_dropout=0.0, bias="none", use_dora=False.
    return {
        {"rank", ParamType::integer, "8", "LoRA rank r (LoraConfig.r)", 1, 1 << 20, {}},
        {"alpha", ParamType::number, "8", "lora_alpha: scales the update, no memory effect", 0, 1e9, {}},
        {"targets", ParamType::string_list, "",
         "target_modules as in PEFT (q_proj, v_proj, c_attn, query_key_value ..., all-linear); default: PEFT's "
         "mapping for the model_type", 0, 0, {}},
        {"dropout", ParamType::number, "0", "lora_dropout; > 0 saves a dropout mask and output per adapter", 0, 1, {}},
        {"bias", ParamType::boolean, "false", "lora_bias: lora_B gets a bias of d_out", 0, 0, {}},
        {"use_dora", ParamType::boolean, "false", "DoRA: adds a magnitude vector of d_out per adapted Linear", 0, 0, {}},
        {"modules_to_save", ParamType::string_list, "",
         "modules trained in full beside the adapters (PEFT modules_to_save: embed_tokens, lm_head, score ...): "
         "ModulesToSaveWrapper deep-copies each and trains the copy in the original's dtype", 0, 0, {}},
        adapter_dtype_spec(),
    };
}

std::vector<const Tensor*> lora_targets(const ModelSpec& model, const std::vector<std::string>& requested,
                                        const std::string& path) {
    std::vector<std::string> targets = requested;
    const bool defaults = targets.empty();
    if (defaults) {
        auto it = default_targets().find(model.model_type);
        if (it == default_targets().end())
            throw ParamError(path, "PEFT has no default target_modules for model_type '" + model.model_type +
                                       "'; give targets, allowed: " + linear_modules(model));
        targets = it->second;
    }
    std::vector<const Tensor*> out;
    for (const auto& target : targets) {
        bool found = false;
        for (const auto& t : model.tensors) {
            if (!matches(t, target)) continue;
            found = true;
            if (std::find(out.begin(), out.end(), &t) == out.end()) out.push_back(&t);
        }
        // A typo in a target the user wrote is an error; PEFT's default lists name alternatives
        // (blip-2: q and q_proj) and only fail when nothing matches, as PEFT does.
        if (!found && !defaults)
            throw ParamError(path, "target '" + target + "' matches no Linear of model_type '" +
                                       model.model_type + "'; allowed: " + linear_modules(model));
    }
    if (out.empty())
        throw ParamError(path, "PEFT's default targets for model_type '" + model.model_type +
                                   "' match no Linear; give targets, allowed: " + linear_modules(model));
    // Model order, so --explain and tests see adapters layer by layer.
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<Tensor> lora_adapter_tensors(const std::vector<const Tensor*>& linears, std::int64_t rank, bool bias,
                                         bool dora) {
    // peft tuners/lora/layer.py update_layer: lora_A = Linear(in_features, r, bias=False),
    // lora_B = Linear(r, out_features, bias=lora_bias); DoRA adds lora_magnitude_vector (out_features).
    std::vector<Tensor> out;
    for (const Tensor* base : linears) {
        const std::string p = module_path(*base);
        Tensor a = *base;
        a.name = p + ".lora_A.weight";
        a.group = "adapters";
        a.rows = rank;
        a.cols = base->cols;
        a.embedding = false;
        out.push_back(a);
        Tensor b = a;
        b.name = p + ".lora_B.weight";
        b.rows = base->rows;
        b.cols = rank;
        out.push_back(b);
        if (bias || dora) {
            Tensor v = b;
            v.cols = 1;
            v.linear = false;
            if (bias) {
                v.name = p + ".lora_B.bias";
                out.push_back(v);
            }
            if (dora) {
                v.name = p + ".lora_magnitude_vector";
                out.push_back(v);
            }
        }
    }
    return out;
}

namespace {

// What autograd keeps because of the adapters (MethodFacts): without lora_dropout PEFT's dropout
// is nn.Identity and lora_A reads the base Linear's input itself, so that input stays saved though
// the base weight is frozen; lora_B keeps lora_A's rank-r output; with dropout lora_A keeps the
// dropped copy and its 1-byte mask instead.
void publish_saved(Context& ctx, const std::vector<const Tensor*>& linears, std::int64_t rank, bool dropout) {
    ctx.method.kept_inputs = kept_inputs_of_adapters(ctx.model(), linears, dropout);
    ctx.method.adapter_activations.clear();
    for (const Tensor* t : linears) {
        AdapterActivation a;
        a.layer = t->layer;
        a.token_copies = t->active_copies;  // routed experts see top-k copies of each token
        a.elements = static_cast<double>(rank) + (dropout ? static_cast<double>(t->cols) : 0.0);
        a.mask_bytes = dropout ? static_cast<double>(t->cols) : 0.0;
        ctx.method.adapter_activations.push_back(a);
    }
}

}  // namespace

namespace {

// PEFT modules_to_save (peft @ 5d602fd src/peft/utils/other.py): ModulesToSaveWrapper.update
// deep-copies the module (L653) and freezes the original (L661); the copy trains. cast_adapter_dtype
// upcasts only BaseTunerLayer modules (tuners_utils.py L2657-2700), so the copy keeps the
// original's stored dtype. A name matches a module path ending in it ("lm_head",
// "embed_tokens"); lm_head on a model that ties it to the embedding copies the shared weight.
void publish_saved_modules(Context& ctx, const std::vector<std::string>& names, const std::string& path) {
    const ModelSpec& m = ctx.model();
    ctx.method.trained_copies.clear();
    double added = 0;
    for (const std::string& name : names) {
        bool found = false;
        for (std::size_t i = 0; i < m.tensors.size(); ++i) {
            const Tensor& t = m.tensors[i];
            const std::string p = module_path(t);
            const bool tied_head = name == "lm_head" && m.tied_embeddings && t.embedding && t.layer < 0 &&
                                   p.find("embed") != std::string::npos;
            const bool match = p == name || (p.size() > name.size() && p.compare(p.size() - name.size(), name.size(), name) == 0 &&
                                             p[p.size() - name.size() - 1] == '.');
            if (!match && !tied_head) continue;
            found = true;
            const double n = static_cast<double>(t.numel()) * static_cast<double>(t.copies);
            const double bpe = i < ctx.tensor_bytes.size() && n > 0 ? static_cast<double>(ctx.tensor_bytes[i]) / n : 2;
            ctx.method.trained_copies.push_back({t, bpe});
            added += n;
        }
        if (!found)
            throw ParamError(path, "'" + name + "' names no module of this model; allowed: a module path or its last "
                                   "part (embed_tokens, lm_head, score ...)");
    }
    if (added > 0) ctx.set(Sym::P_trainable, ctx[Sym::P_trainable] + added);
}

}  // namespace

std::int64_t prepare_lora(Context& ctx, const Params& options, const std::string& block) {
    const auto linears = lora_targets(
        ctx.model(), options.has("targets") ? options.strings("targets") : std::vector<std::string>{}, block + ".targets");
    const std::int64_t r = options.integer("rank");
    const auto adapters = lora_adapter_tensors(linears, r, options.flag("bias"), options.flag("use_dora"));
    const std::string dtype = options.string("dtype");
    publish_adapters(ctx, adapters, adapter_dtype_bytes(dtype, block + ".dtype"));
    publish_saved(ctx, linears, r, options.number("dropout") > 0);
    const std::vector<std::string> saved =
        options.has("modules_to_save") ? options.strings("modules_to_save") : std::vector<std::string>{};
    publish_saved_modules(ctx, saved, block + ".modules_to_save");
    std::int64_t n = 0;
    for (const auto& t : adapters) n += t.numel() * t.copies;
    // Which modules, for --explain.
    std::vector<std::string> mods;
    for (const Tensor* t : linears)
        if (std::find(mods.begin(), mods.end(), t->module) == mods.end()) mods.push_back(t->module);
    std::string list;
    for (const auto& m : mods) list += (list.empty() ? "" : ", ") + m;
    ctx.notes.push_back(block + ": r=" + std::to_string(r) + " on " + std::to_string(linears.size()) +
                        " Linear tensors (" + list + "): Σ r·(d_in + d_out)" +
                        (options.flag("bias") ? " + d_out (lora_bias)" : "") +
                        (options.flag("use_dora") ? " + d_out (DoRA magnitude)" : "") + " = " +
                        format_count(static_cast<std::uint64_t>(n)) + " trainable parameters in " + dtype +
                        "; the base is frozen: no gradients or optimizer states, activations kept");
    return n;
}

}  // namespace vram::plugins
