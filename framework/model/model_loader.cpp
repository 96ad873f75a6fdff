// model_loader.cpp - presets, config.json files and inline architectures into ModelSpecs.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cctype>
#include <filesystem>

#include "vram/error.hpp"
#include "model/model_loader.hpp"
#include "model/rotary.hpp"
#include "plugin/registry.hpp"
#include "scenario/key_lookups.hpp"
#include "scenario/scenario_loader.hpp"

namespace fs = std::filesystem;

namespace vram {
namespace {

ModelPreset preset_from_file(const fs::path& file) {
    ConfigNode root = parse_yaml_file(file.string());
    const std::string where = file.string();
    if (!root.is_map()) throw ScenarioError(where, "a model preset is a map with name, source and config");
    ModelPreset p;
    p.path = where;
    p.name = file.stem().string();
    if (auto* v = root.find("name")) p.name = v->text();
    if (auto* v = root.find("display")) p.display = v->text();
    if (auto* v = root.find("source")) p.source = v->text();
    if (auto* v = root.find("tags"); v && v->is_list())
        for (const auto& t : v->items()) p.tags.push_back(t.text());
    const ConfigNode* config = root.find("config");
    if (!config || !config->is_map()) throw ScenarioError(where, "config: missing; a preset holds the model's config.json keys");
    p.config = *config;
    return p;
}

}  // namespace

std::vector<ModelPreset> list_model_presets(const std::string& preset_dir) {
    std::vector<ModelPreset> out;
    std::error_code ec;
    const fs::path dir = fs::path(preset_dir) / "models";
    if (!fs::is_directory(dir, ec)) return out;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().extension() == ".yaml") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) out.push_back(preset_from_file(f));
    return out;
}

namespace {

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// Stems of the .yaml files in `dir`, sorted.
std::vector<std::string> yaml_stems(const fs::path& dir) {
    std::vector<std::string> names;
    std::error_code ec;
    if (fs::is_directory(dir, ec))
        for (const auto& e : fs::directory_iterator(dir, ec))
            if (e.path().extension() == ".yaml") names.push_back(e.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

/// The stem in `dir` equal to `name` (exactly, else ignoring case); empty when none.
std::string find_stem(const fs::path& dir, std::string name) {
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".yaml") == 0) name.resize(name.size() - 5);
    if (name.empty() || name.find('/') != std::string::npos || name.find('\\') != std::string::npos) return {};
    std::error_code ec;
    if (fs::exists(dir / (name + ".yaml"), ec)) return name;
    const std::string wanted = lower(name);
    for (const auto& stem : yaml_stems(dir))
        if (lower(stem) == wanted) return stem;
    return {};
}

}  // namespace

std::string find_model_preset_name(const std::string& preset_dir, const std::string& name) {
    return find_stem(fs::path(preset_dir) / "models", name);
}

std::string find_scenario_preset(const std::string& preset_dir, const std::string& name) {
    const std::string stem = find_stem(fs::path(preset_dir) / "scenarios", name);
    return stem.empty() ? std::string() : (fs::path(preset_dir) / "scenarios" / (stem + ".yaml")).string();
}

std::vector<std::string> list_scenario_presets(const std::string& preset_dir) {
    return yaml_stems(fs::path(preset_dir) / "scenarios");
}

ModelPreset load_model_preset(const std::string& preset_dir, const std::string& name) {
    if (const std::string stem = find_model_preset_name(preset_dir, name); !stem.empty())
        return preset_from_file(fs::path(preset_dir) / "models" / (stem + ".yaml"));
    const std::vector<std::string> names = yaml_stems(fs::path(preset_dir) / "models");
    auto close = closest_names(name, names, 3);
    std::string msg = "unknown model preset '" + name + "'";
    if (!close.empty()) {
        msg += "; did you mean: ";
        for (std::size_t i = 0; i < close.size(); ++i) msg += (i ? ", " : "") + close[i];
    }
    msg += " (`vram presets` lists all " + std::to_string(names.size()) + ")";
    throw ScenarioError("", msg);
}

ModelSpec model_from_config(const Registry& registry, const ConfigNode& config, const std::string& name,
                            const std::string& where) {
    return model_from_config(registry, config, name, where, std::string());
}

ModelSpec model_from_config(const Registry& registry, const ConfigNode& config, const std::string& name,
                            const std::string& where, const std::string& family) {
    if (!config.is_map()) throw ScenarioError(where, "a model config is a map of config.json keys");
    const ConfigNode* type = config.find("model_type");
    if ((!type || !type->is_string()) && family.empty())
        throw ScenarioError(where, "model_type: missing; config.json files name their architecture in model_type "
                                   "(e.g. \"llama\")");
    const ModelAdapter& adapter = family.empty() ? registry.adapter_for(type->as_string(), where)
                                                 : registry.adapter_named(family, where);
    ModelSpec spec;
    try {
        spec = adapter.build(config, where);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw ScenarioError(where, std::string(adapter.name()) + " failed: " + e.what());
    }
    if (spec.name.empty()) spec.name = name;
    if (spec.family.empty()) spec.family = std::string(adapter.name());
    if (spec.model_type.empty() && type && type->is_string()) spec.model_type = type->as_string();
    if (spec.v_head_dim == 0) spec.v_head_dim = spec.head_dim;
    if (spec.rotary_dim == 0) derive_rotary(config, spec);
    validate_model(spec, where);
    return spec;
}

namespace {

// config.json keys that carry no memory fact (token ids, numerics, provenance): a user who
// copies them into an inline architecture is not mistaken, so they are never reported.
constexpr std::string_view kKeysWithoutMemoryFacts[] = {
    "_name_or_path", "architectures", "auto_map", "transformers_version", "torch_dtype", "dtype", "model_type",
    "bos_token_id", "eos_token_id", "pad_token_id", "sep_token_id", "decoder_start_token_id", "use_cache",
    "initializer_range", "initializer_factor", "rms_norm_eps", "layer_norm_eps", "layer_norm_epsilon", "norm_eps",
    "rope_theta", "rope_scaling", "hidden_act", "hidden_activation", "activation_function", "pretraining_tp",
    "attention_dropout", "hidden_dropout", "resid_pdrop", "embd_pdrop", "attn_pdrop", "dropout", "use_sliding_window",
    "torchscript", "return_dict", "output_attentions", "output_hidden_states", "is_encoder_decoder"};

// An inline architecture is typed by hand: a key the family's adapter never asked for is a
// typo or a key of another family, and ignoring it silently changes the model (issue 21:
// `num_key_value_head: 8` made a GQA model MHA with 4x the KV cache). config.json files keep
// their extra keys: they come from the library, not from a keyboard.
void reject_unread_keys(const ConfigNode& arch, const KeyLookups& asked, const Scenario& s) {
    const std::vector<std::string> read = asked.keys();
    for (const auto& [key, value] : arch.entries()) {
        if (asked.contains(key) ||
            std::find(std::begin(kKeysWithoutMemoryFacts), std::end(kKeysWithoutMemoryFacts), key) !=
                std::end(kKeysWithoutMemoryFacts))
            continue;
        const std::string path = "model.architecture." + key;
        const SourceMark mark = value.mark();
        const std::string where = mark.line > 0 ? s.file + ":" + std::to_string(mark.line) + ":" +
                                                      std::to_string(mark.column)
                                                : s.where(path);
        const ConfigNode* type = arch.find("model_type");
        std::string msg = path + ": unknown key for model_type " + (type ? type->text() : std::string("llama"));
        const auto close = closest_names(key, read, 1);
        if (!close.empty()) msg += " (did you mean '" + close.front() + "'?)";
        std::string list;
        for (const auto& k : read)
            if (k != "model_type" && arch.find(k) == nullptr) list += (list.empty() ? "" : ", ") + k;
        throw ScenarioError(where, msg + "; its adapter reads: " + list);
    }
}

// A model given by a config.json path is named by the config's `_name_or_path` (what
// transformers writes on save_pretrained), else by its folder when the file is a plain
// config.json (a checkpoint directory), else by the file's stem: reports never show a blank name.
std::string config_model_name(const ConfigNode& config, const fs::path& path) {
    if (const ConfigNode* n = config.is_map() ? config.find("_name_or_path") : nullptr)
        if (n->is_string() && !n->as_string().empty()) return n->as_string();
    std::error_code ec;
    const std::string folder = fs::absolute(path, ec).parent_path().filename().string();
    return path.filename() == "config.json" && !folder.empty() ? folder : path.stem().string();
}

ModelSpec model_from_hub(const Registry& registry, const std::string& hub, const std::string& repo,
                         const std::string& revision, std::optional<CheckpointInfo>* checkpoint,
                         const std::string& family = {}) {
    HubModel h = fetch_hub_model(HubSettings::from_environment(hub), repo, revision);
    ModelSpec m = model_from_config(registry, h.config, repo, hub + ":" + repo + "@" + revision + " config.json",
                                    family);
    m.source = hub + ":" + repo + "@" + revision + " (cached in " + h.cache_dir + ")";
    if (h.checkpoint) m.notes.push_back("checkpoint: " + std::to_string(h.checkpoint->bytes) + " tensor bytes in " +
                                        h.checkpoint->source);
    if (checkpoint) *checkpoint = h.checkpoint;
    return m;
}

}  // namespace

ModelSpec model_from_parameter_count(const Scenario& s) {
    // Only the count is known. The placeholders below (one head, a vocabulary of one) keep the
    // stages well-defined; the estimator keeps only weights and fixed costs for such a model
    // and reports every other category as unknown, so no placeholder reaches a number.
    ModelSpec m;
    m.weights_only = true;
    const auto p = static_cast<std::int64_t>(s.model.parameters);
    m.name = "(architecture unknown)";
    m.family = "parameters";
    m.model_type = "parameters";
    m.hidden = s.model.hidden > 0 ? s.model.hidden : 1;
    m.layers = s.model.layers > 0 ? s.model.layers : 1;
    m.heads = m.kv_heads = 1;
    m.head_dim = m.v_head_dim = m.hidden;
    m.vocab = 1;
    m.layer_specs.resize(static_cast<std::size_t>(m.layers));
    // One tensor of P inputs: a quantizing format groups along the input dimension, so its
    // scales are counted per group of the whole count, as for real Linear weights.
    Tensor t;
    t.name = "parameters";
    t.group = "parameters";
    t.rows = 1;
    t.cols = p;
    t.layer = 0;  // a decoder-layer weight: what quantizing formats quantize
    t.linear = true;
    m.tensors.push_back(t);
    m.source = "model.parameters in " + s.file;
    if (s.model.layers > 0 && s.model.hidden > 0)
        m.notes.push_back("KV cache: at most 2 x layers x hidden = " +
                          format_count(static_cast<std::uint64_t>(2 * s.model.layers * s.model.hidden)) +
                          " elements per token (every head with its own K and V; GQA, MQA and MLA keep less): "
                          "a bound, not an estimate");
    m.notes.push_back("only the parameter count is known: every parameter is stored at the weight format's bytes "
                      "(formats that keep embeddings and norms at 16 bits cannot be applied apart)");
    return m;
}

ModelSpec load_model(const Registry& registry, const Scenario& s, const std::string& preset_dir,
                     std::optional<CheckpointInfo>* checkpoint) {
    if (s.model.parameters > 0) return model_from_parameter_count(s);
    // model.family (issue 17): reuse a family explicitly, for a model_type no family serves yet.
    // Checked first so a misspelt family is named as such, whatever the model source.
    const std::string& family = s.model.family;
    if (!family.empty()) {
        try {
            (void)registry.adapter_named(family, s.where("model.family"));
        } catch (const ScenarioError& e) {
            throw ScenarioError(s.where("model.family"), e.detail());
        }
    }
    // Preset names have neither '/' nor ':': a pasted hub id or URL in model.preset is read as model.hub.
    if (!s.model.preset.empty() && s.model.preset.find_first_of("/:") != std::string::npos) {
        std::optional<HubReference> ref;
        try {
            ref = parse_hub_reference(s.model.preset);
        } catch (const ScenarioError& e) {
            throw ScenarioError(s.where("model.preset"), "model.preset: " + e.detail());
        }
        if (ref) {
            try {
                return model_from_hub(registry, ref->hub, ref->repo, ref->revision, checkpoint, family);
            } catch (const ScenarioError& e) {
                throw ScenarioError(s.where("model.preset"), "model.preset: " + e.detail());
            }
        }
    }
    if (!s.model.preset.empty()) {
        ModelPreset p;
        try {
            p = load_model_preset(preset_dir, s.model.preset);
        } catch (const ScenarioError& e) {
            throw ScenarioError(s.where("model.preset"), "model.preset: " + e.detail());
        }
        ModelSpec m = model_from_config(registry, p.config, p.name, p.path, family);
        m.source = p.source;
        return m;
    }
    if (!s.model.config.empty()) {
        fs::path path = s.model.config;
        if (path.is_relative() && !s.directory.empty()) path = fs::path(s.directory) / path;
        ConfigNode config;
        try {
            config = parse_json_file(path.string());
        } catch (const ScenarioError& e) {
            throw ScenarioError(s.where("model.config"), std::string("model.config: ") + e.detail());
        }
        ModelSpec m = model_from_config(registry, config, config_model_name(config, path), path.string(), family);
        m.source = path.string();
        return m;
    }
    if (!s.model.architecture.is_null()) {
        ConfigNode arch = s.model.architecture;
        if (!arch.find("model_type")) arch.set("model_type", ConfigNode::make_string("llama"));
        KeyLookups asked;
        ModelSpec m = model_from_config(registry, arch, s.name, s.where("model.architecture"), family);
        reject_unread_keys(arch, asked, s);
        m.source = "inline architecture in " + s.file;
        return m;
    }
    std::optional<HubReference> ref;
    try {
        ref = parse_hub_reference(s.model.hub);
    } catch (const ScenarioError& e) {
        throw ScenarioError(s.where("model.hub"), "model.hub: " + e.detail());
    }
    if (!ref)
        throw ScenarioError(s.where("model.hub"), "model.hub: '" + s.model.hub +
                                                      "' is not a hub id; allowed: org/name, hf:org/name, ms:org/name "
                                                      "or a https://huggingface.co/ or https://modelscope.cn/models/ URL");
    // model.revision applies when the id names none; left at its default ("main"), the hub's own
    // default branch is used instead (ModelScope's is "master").
    const bool revision_set = s.marks.count("model.revision") > 0 || s.model.revision != "main";
    if (!ref->revision_given && revision_set) ref->revision = s.model.revision;
    try {
        return model_from_hub(registry, ref->hub, ref->repo, ref->revision, checkpoint, family);
    } catch (const ScenarioError& e) {
        throw ScenarioError(s.where("model.hub"), "model.hub: " + e.detail());
    }
}

ModelSpec load_model_argument(const Registry& registry, const std::string& argument, const std::string& preset_dir,
                              std::optional<CheckpointInfo>* checkpoint) {
    std::error_code ec;
    const fs::path path(argument);
    if (!fs::exists(path, ec))
        if (auto ref = parse_hub_reference(argument))  // throws one line for a malformed URL or hf:/ms: id
            return model_from_hub(registry, ref->hub, ref->repo, ref->revision, checkpoint);
    if (fs::is_directory(path, ec) && fs::exists(path / "config.json", ec))
        return load_model_argument(registry, (path / "config.json").string(), preset_dir, checkpoint);
    if (path.extension() == ".json" || fs::exists(path, ec)) {
        ConfigNode config = parse_json_file(argument);
        ModelSpec m = model_from_config(registry, config, config_model_name(config, path), argument);
        m.source = argument;
        return m;
    }
    ModelPreset p = load_model_preset(preset_dir, argument);
    ModelSpec m = model_from_config(registry, p.config, p.name, p.path);
    m.source = p.source;
    return m;
}

}  // namespace vram
