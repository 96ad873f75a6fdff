// scenario_input.cpp - a scenario from a file, a preset name, stdin or flags alone.
// SPDX-License-Identifier: Apache-2.0
#include "scenario_input.hpp"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <iterator>

#include "vram/error.hpp"
#include "model/model_loader.hpp"
#include "plugin/registry.hpp"
#include "scenario/scenario_keys.hpp"
#include "scenario/schema.hpp"

namespace fs = std::filesystem;

namespace vram::cli {
namespace {

// The keys a flags-only answer depends on; the output names the ones nobody gave.
constexpr const char* kAssumedKeys[] = {"workload.type",      "workload.batch_size", "workload.sequence_length",
                                        "precision.weights",  "precision.kv_cache",  "runtime.engine",
                                        "hardware.count"};
constexpr const char* kAssumedTrainingKeys[] = {"training.method", "training.objective", "training.optimizer",
                                                "training.mixed_precision", "training.gradient_checkpointing"};

bool looks_like_file(const std::string& argument) {
    const auto ext = fs::path(argument).extension().string();
    return argument.find('/') != std::string::npos || ext == ".yaml" || ext == ".yml" || ext == ".json";
}

// "70e9", "70B", "7.5b", "350M": a model given only by its parameter count; 0 when not one.
double parameter_count_text(const std::string& text) {
    if (text.empty()) return 0;
    double scale = 1;
    std::string digits = text;
    switch (digits.back()) {
        case 'B': case 'b': scale = 1e9, digits.pop_back(); break;
        case 'M': case 'm': scale = 1e6, digits.pop_back(); break;
        case 'T': case 't': scale = 1e12, digits.pop_back(); break;
        default: break;
    }
    double value = 0;
    if (!parse_number(digits, value) || value <= 0) return 0;
    return value * scale;
}

// --model M: a config.json (or its folder), a preset in any case, a hub id or URL, or a
// parameter count (70B); a name that is none of these goes to model.preset so the message
// lists the closest presets.
Override model_override(const std::string& preset_dir, const std::string& model) {
    const std::string origin = "--model " + model;
    std::error_code ec;
    fs::path path(model);
    if (fs::is_directory(path, ec) && fs::exists(path / "config.json", ec)) path /= "config.json";
    if (fs::is_regular_file(path, ec)) return {"model.config=" + fs::absolute(path, ec).string(), origin};
    if (const std::string name = find_model_preset_name(preset_dir, model); !name.empty())
        return {"model.preset=" + name, origin};
    if (model.find('/') != std::string::npos || model.find(':') != std::string::npos)
        return {"model.hub=" + model, origin};
    if (const double count = parameter_count_text(model); count > 0) {
        char text[64];
        std::snprintf(text, sizeof text, "%.0f", count);
        return {std::string("model.parameters=") + text, origin};
    }
    return {"model.preset=" + model, origin};
}

ConfigNode read_stdin() {
    std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        throw UsageError("-: stdin is empty; pipe a scenario in YAML or JSON (echo '{model: {preset: llama-3-8b}}' | "
                         "vram run -)");
    return parse_yaml_text(text, "<stdin>");
}

}  // namespace

bool QuestionFlags::any() const noexcept {
    return !(model.empty() && gpu.empty() && gpus.empty() && batch.empty() && seq.empty() && weights.empty() &&
             kv.empty() && engine.empty() && method.empty());
}

void add_question_options(po::options_description& desc, QuestionFlags& f) {
    po::options_description q("one-line questions (fill the scenario; --set still overrides any key)");
    q.add_options()
        ("model", po::value(&f.model), "model: preset name (any case), config.json, hub id or URL, or a parameter count "
                                       "(70B: weights only)")
        ("gpu", po::value(&f.gpu), "GPU, fuzzy-matched (vram gpus): hardware.gpu")
        ("gpus", po::value(&f.gpus), "how many GPUs, or auto: hardware.count")
        ("batch", po::value(&f.batch), "sequences in flight / micro-batch: workload.batch_size")
        ("seq", po::value(&f.seq), "tokens per sequence: workload.sequence_length")
        ("weights", po::value(&f.weights), "weight format (bf16, int4, nf4, fp8 ...): precision.weights")
        ("kv", po::value(&f.kv), "KV cache dtype: precision.kv_cache")
        ("engine", po::value(&f.engine), "engine: hf, vllm, sglang, trtllm, llama.cpp (+ plugins): runtime.engine")
        ("method", po::value(&f.method), "training method (full, lora, qlora ...): training.method; implies "
                                         "workload.type training");
    desc.add(q);
}

ScenarioInput::ScenarioInput(const App& app, const std::string& argument, const QuestionFlags& flags,
                             const std::vector<std::string>& sets, const std::vector<Override>& extra) {
    std::error_code ec;
    if (argument.empty()) {
        if (flags.model.empty())
            throw UsageError("missing scenario: give SCENARIO.yaml, a scenario preset name (vram presets), - for "
                             "stdin, or --model M for a one-line question");
        root_ = ConfigNode::make_map();
        // Reports title the answer by what was asked: "llama-3-8b on H100".
        root_.set("name", ConfigNode::make_string(flags.model + (flags.gpu.empty() ? "" : " on " + flags.gpu)));
        file_ = "<command line>";
        label_ = "command line";
    } else if (argument == "-") {
        root_ = read_stdin();
        file_ = "<stdin>";
        label_ = "stdin";
    } else if (fs::exists(argument, ec) || looks_like_file(argument)) {
        root_ = parse_yaml_file(argument);  // its errors name the file
        file_ = argument;
        label_ = fs::path(argument).filename().string();
    } else if (const std::string preset = find_scenario_preset(app.preset_dir(), argument); !preset.empty()) {
        root_ = parse_yaml_file(preset);
        file_ = preset;
        label_ = fs::path(preset).stem().string();
    } else {
        const auto names = list_scenario_presets(app.preset_dir());
        const auto close = closest_names(argument, names, 3);
        std::string msg = "no such file and no scenario preset of that name";
        if (!close.empty()) {
            msg += "; did you mean: ";
            for (std::size_t i = 0; i < close.size(); ++i) msg += (i ? ", " : "") + close[i];
        }
        throw ScenarioError(argument, msg + " (`vram presets` lists all " + std::to_string(names.size()) + ")");
    }
    if (!flags.model.empty()) {
        // One source only: --model replaces whatever the file named.
        if (ConfigNode* model = root_.is_map() ? root_.find("model") : nullptr; model && model->is_map())
            for (const char* k : {"preset", "config", "architecture", "hub", "parameters", "layers", "hidden"}) model->erase(k);
        overrides_.push_back(model_override(app.preset_dir(), flags.model));
    }
    auto flag = [&](const std::string& value, const char* name, const char* key) {
        if (!value.empty()) overrides_.push_back({std::string(key) + "=" + value, std::string(name) + " " + value});
    };
    flag(flags.gpu, "--gpu", "hardware.gpu");
    flag(flags.gpus, "--gpus", "hardware.count");
    flag(flags.batch, "--batch", "workload.batch_size");
    flag(flags.seq, "--seq", "workload.sequence_length");
    flag(flags.weights, "--weights", "precision.weights");
    flag(flags.kv, "--kv", "precision.kv_cache");
    flag(flags.engine, "--engine", "runtime.engine");
    if (!flags.method.empty()) {
        flag("training", "--method", "workload.type");
        overrides_.back().origin = "--method " + flags.method;
        flag(flags.method, "--method", "training.method");
    }
    for (const auto& s : sets) overrides_.push_back({s, {}});
    overrides_.insert(overrides_.end(), extra.begin(), extra.end());

    if (argument.empty()) {
        ConfigNode tree = root_;
        apply_overrides(tree, overrides_);
        auto note = [&](const char* key) {
            if (tree.find_path(key)) return;
            const SchemaKey* k = find_schema_key(key);
            const std::string value = k && !k->default_value.empty() ? k->default_value
                                      : std::string(key) == "precision.kv_cache" ? "the compute dtype"
                                                                                 : "none";
            assumed_.emplace_back(key, value);
        };
        for (const char* key : kAssumedKeys) note(key);
        const ConfigNode* type = tree.find_path("workload.type");
        if (type && type->is_string() && type->as_string() == "training")
            for (const char* key : kAssumedTrainingKeys) note(key);
        if (!tree.find_path("hardware.gpu") && !tree.find_path("hardware.memory_gib"))
            assumed_.emplace_back("hardware.gpu", "none (no fit check; --gpu G)");
    }
}

ScenarioInput::ScenarioInput(ConfigNode root, std::string file, std::string label)
    : root_(std::move(root)), file_(std::move(file)), label_(std::move(label)) {}

Scenario ScenarioInput::build(const std::vector<Override>& more) const {
    ConfigNode tree = root_;
    std::vector<Override> all = overrides_;
    all.insert(all.end(), more.begin(), more.end());
    const OverrideOrigins origins = apply_overrides(tree, all);
    return build_scenario(tree, file_, origins);
}

}  // namespace vram::cli
