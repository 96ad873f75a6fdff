// resolve.cpp - the only pipeline step that looks things up: the weight format, runtime,
// training method / objective / optimizer, modality tokenizers, components, and the GPU (built-in
// catalogs, or a CSV catalog read from disk). Runs once per scenario and again on revalidate();
// never on the hot path.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>

#include "catalog/gpu_search.hpp"
#include "pipeline/estimator_impl.hpp"

namespace vram {

Params Estimator::Impl::params_for(const ConfigNode* block, const std::vector<ParamSpec>& specs,
                                   const std::string& path) const {
    try {
        return Params::validate(block, specs, path);
    } catch (const ParamError& e) {
        fail_at(e.key_path(), e.what());
    }
}

void Estimator::Impl::resolve() {
    const Scenario& s = scenario;
    if (s.precision.weights == "checkpoint" && !checkpoint)
        fail_at("precision.weights", "precision.weights: checkpoint needs a hub model with safetensors headers "
                                     "(model.hub); give a weight format instead");
    format = &lookup(registry.weight_formats, use_checkpoint() ? std::string("bf16") : s.precision.weights,
                     "precision.weights");
    format_params = params_for(&s.precision.options, format->params(), "precision");
    format_bytes_valid = false;  // the format or its options may have changed
    runtime = &lookup(registry.runtimes, s.runtime.engine, "runtime.engine");
    runtime_params = params_for(&s.runtime.options, runtime->params(), "runtime");
    resolve_training();
    resolve_tokenizers();
    components.clear();
    unknown_components.clear();
    for (const auto& e : registry.components.entries()) components.push_back(e.item.get());
    owned.resolve(scenario, components, registry.symbols);
    if (model.weights_only) {
        // Only the count is known: what is a function of the parameters alone (weights, and in
        // full training their gradients, optimizer states and master copies) and the fixed
        // costs stay; every other category is named as unknown instead of guessed.
        std::vector<const Component*> kept;
        for (const Component* c : components) {
            const Category cat = c->category();
            if (cat == Category::weights || cat == Category::overhead || cat == Category::gradients ||
                cat == Category::optimizer_states || cat == Category::master_weights)
                kept.push_back(c);
            else unknown_components.push_back(c);
        }
        components = std::move(kept);
    }
    resolve_hardware();
}

void Estimator::Impl::resolve_training() {
    const Scenario& s = scenario;
    if (s.training_run()) {
        method = &lookup(registry.methods, s.training.method, "training.method");
        objective = &lookup(registry.objectives, s.training.objective, "training.objective");
        optimizer = &lookup(registry.optimizers, s.training.optimizer, "training.optimizer");
        const std::string okey(objective->key());
        const std::string optkey(optimizer->option_block());
        // The method's block: its key or one alias (training.lora: for qlora), never two.
        std::string mkey(method->key());
        std::vector<std::string> method_keys = {mkey};
        for (auto alias : method->option_block_aliases()) method_keys.emplace_back(alias);
        for (const auto& k : method_keys)
            if (k != mkey && s.training.blocks.find(k)) {
                if (s.training.blocks.find(mkey))
                    fail_at("training." + k, "training." + k + ": give the options of method '" + mkey +
                                                 "' once, under training." + mkey + " or training." + k + ", not both");
                mkey = k;
            }
        // A training scenario without a training: map takes every default (blocks is null then).
        if (s.training.blocks.is_map())
            for (const auto& [k, v] : s.training.blocks.entries())
                if (k != okey && (optkey.empty() || k != optkey) &&
                    std::find(method_keys.begin(), method_keys.end(), k) == method_keys.end())
                    fail_at("training." + k, "training." + k + ": options for '" + k +
                                                 "', which is neither the method ('" + method_keys.front() +
                                                 "'), the objective ('" + okey + "') nor the optimizer ('" +
                                                 s.training.optimizer + "'" +
                                                 (optkey.empty() ? std::string(", which takes no options") : "") + ")");
        method_params = params_for(s.training.blocks.find(mkey), method->params(), "training." + mkey);
        objective_params = params_for(s.training.blocks.find(okey), objective->params(), "training." + okey);
        optimizer_params = optkey.empty() ? Params{}
                                          : params_for(s.training.blocks.find(optkey), optimizer->params(),
                                                       "training." + optkey);
    } else if (s.precision.weights.empty()) {
        fail_at("precision.weights", "precision.weights: empty");
    }
}

void Estimator::Impl::resolve_tokenizers() {
    const Scenario& s = scenario;
    tokenizers.clear();
    for (std::size_t i = 0; i < s.inputs.size(); ++i) {
        const InputSpec& in = s.inputs[i];
        const std::string path = "inputs[" + std::to_string(i) + "]";
        if (!in.tokenizer.empty()) {
            tokenizers.push_back(&lookup(registry.tokenizers, in.tokenizer, path + ".tokenizer"));
            continue;
        }
        const ModalityTokenizer* best = nullptr;
        int best_score = 0;
        for (const auto& e : registry.tokenizers.entries()) {
            if (e.item->modality() != in.modality) continue;
            const int sc = e.item->score(model);
            if (sc > best_score) best_score = sc, best = e.item.get();
        }
        if (!best)
            fail_at(path, path + ": no " + in.modality + " tokenizer plugin handles model_type '" + model.model_type +
                              "'; name one with tokenizer:");
        tokenizers.push_back(best);
    }
}

// Explicit memory, or a catalog GPU, or both: a catalog GPU whose usable memory is what the user
// measured (a driver or MIG reserve, a log's "total_gpu_memory"). The GPU keeps its identity then:
// its generation and kind decide kernel paths (FP8, Marlin, all-reduce fusion, peer-to-peer).
void Estimator::Impl::resolve_hardware() {
    const Scenario& s = scenario;
    have_gpu = false;
    const Bytes given = s.hardware.memory_gib > 0 ? static_cast<Bytes>(std::llround(s.hardware.memory_gib * kGiB)) : 0;
    if (given > 0 && s.hardware.gpu.empty()) {
        usable = given;
        gpu = GpuSpec{};
        gpu.name = format_number(s.hardware.memory_gib) + " GiB GPU";
        gpu.memory_bytes = gpu.usable_bytes = usable;
        have_gpu = true;
    } else if (!s.hardware.gpu.empty()) {
        std::vector<GpuSpec> extra;
        if (!s.hardware.catalog.empty()) {
            // Relative catalog paths resolve against the scenario file, as model.config does.
            std::string path = s.hardware.catalog;
            if (path.front() != '/' && !s.directory.empty()) path = s.directory + "/" + path;
            try {
                extra = read_gpu_csv(path);
            } catch (const ScenarioError& e) {
                fail_at("hardware.catalog", "hardware.catalog: " + std::string(e.what()));
            }
        }
        try {
            gpu = find_gpu(registry, extra, s.hardware.gpu, s.where("hardware.gpu"));
        } catch (const ScenarioError&) {
            throw;
        }
        usable = gpu.usable_bytes ? gpu.usable_bytes : gpu.memory_bytes;
        if (given > 0) gpu.usable_bytes = usable = given;
        have_gpu = true;
    }
}

}  // namespace vram
