// estimate.cpp - the pipeline: Scenario -> ModelSpec -> Context stages -> components -> breakdown.
// Data flows one way: stages read what earlier stages set; components only read the Context.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <optional>

#include "vram/error.hpp"
#include "pipeline/estimate.hpp"
#include "expression/expression.hpp"
#include "catalog/gpu_search.hpp"
#include "hub/hub.hpp"
#include "model/model_loader.hpp"
#include "plugin/registry.hpp"
#include "vram/sharding.hpp"

namespace vram {

double kv_dtype_bytes(const std::string& dtype, const std::string& where) {
    // llama.cpp block types store 32 elements with a fp16 scale (ggml-common.h block_q8_0 = 34 B,
    // block_q4_0 = 18 B, q4_1 20 B, q5_0 22 B, q5_1 24 B).
    static const std::map<std::string, double, std::less<>> table = {
        {"fp32", 4}, {"float32", 4}, {"bf16", 2}, {"bfloat16", 2}, {"fp16", 2}, {"float16", 2},
        {"fp8", 1}, {"fp8_e4m3", 1}, {"fp8_e5m2", 1}, {"int8", 1},
        {"q8_0", 34.0 / 32}, {"q4_0", 18.0 / 32}, {"q4_1", 20.0 / 32}, {"q5_0", 22.0 / 32}, {"q5_1", 24.0 / 32}};
    auto it = table.find(dtype);
    if (it != table.end()) return it->second;
    throw ScenarioError(where, "precision.kv_cache: unknown KV dtype '" + dtype +
                                   "'; allowed: bf16, fp16, fp32, fp8, fp8_e4m3, fp8_e5m2, int8, q8_0, q4_0, q4_1, "
                                   "q5_0, q5_1");
}

namespace {

// Runs the attention stage: one KV group per (layer kind, window) run, described by the
// best-scoring attention variant.
void attention_stage(const Registry& reg, const ModelSpec& m, std::vector<KvGroup>& groups, std::string& label) {
    groups.clear();
    std::vector<std::pair<std::pair<LayerAttention, std::int64_t>, std::int64_t>> runs;
    for (const auto& l : m.layer_specs) {
        auto key = std::make_pair(l.attention, l.attention == LayerAttention::sliding ? l.window : 0);
        auto it = std::find_if(runs.begin(), runs.end(), [&](auto& r) { return r.first == key; });
        if (it == runs.end()) runs.push_back({key, 1});
        else ++it->second;
    }
    std::vector<std::string> labels;
    for (const auto& [key, layers] : runs) {
        const AttentionVariant* best = nullptr;
        int best_score = 0;
        for (const auto& e : reg.attention.entries()) {
            const int sc = e.item->score(m, key.first);
            if (sc > best_score) {
                best_score = sc;
                best = e.item.get();
            }
        }
        if (!best)
            throw ScenarioError(m.source, std::string("no attention plugin describes ") + to_string(key.first) +
                                              " layers of model_type '" + m.model_type + "'");
        groups.push_back(best->describe(m, key.first, layers, key.second));
        const std::string l(best->label());
        if (std::find(labels.begin(), labels.end(), l) == labels.end()) labels.push_back(l);
    }
    // Cross-attention (encoder-decoder): decoder layers that also attend to the encoder's outputs
    // keep a second cache of the encoder's frames, fixed per sequence (formulas.md §3.7).
    const auto cross_layers = std::count_if(m.layer_specs.begin(), m.layer_specs.end(),
                                            [](const LayerSpec& l) { return l.cross_attention; });
    if (cross_layers > 0) {
        const AttentionVariant* best = nullptr;
        int best_score = 0;
        for (const auto& e : reg.attention.entries()) {
            const int sc = e.item->score(m, LayerAttention::cross);
            if (sc > best_score) best_score = sc, best = e.item.get();
        }
        if (!best)
            throw ScenarioError(m.source, "no attention plugin describes the cross-attention layers of model_type '" +
                                              m.model_type + "'");
        groups.push_back(best->describe(m, LayerAttention::cross, cross_layers, 0));
        const std::string l(best->label());
        if (std::find(labels.begin(), labels.end(), l) == labels.end()) labels.push_back(l);
    }
    label.clear();
    for (std::size_t i = 0; i < labels.size(); ++i) label += (i ? "+" : "") + labels[i];
}

std::int64_t kv_elements_per_token(const std::vector<KvGroup>& groups) {
    std::int64_t n = 0;
    for (const auto& g : groups)
        if (g.fixed_tokens == 0) n += g.layers * g.elements_per_token;
    return n;
}

}  // namespace

AttentionSummary describe_attention(const Registry& registry, const ModelSpec& model, const std::string& kv_dtype) {
    AttentionSummary s;
    attention_stage(registry, model, s.groups, s.label);
    const double bytes = kv_dtype_bytes(kv_dtype, model.source);
    s.kv_bytes_per_token = static_cast<std::int64_t>(std::ceil(kv_elements_per_token(s.groups) * bytes));
    return s;
}

struct Estimator::Impl {
    const Registry& registry;
    Scenario scenario;
    std::string preset_dir;
    std::optional<CheckpointInfo> checkpoint;  // real tensor sizes of a hub checkpoint
    ModelSpec model;
    Context ctx;

    const WeightFormat* format = nullptr;
    Params format_params;
    const TrainingMethod* method = nullptr;
    Params method_params;
    const TrainingObjective* objective = nullptr;
    Params objective_params;
    const Optimizer* optimizer = nullptr;
    const RuntimeProfile* runtime = nullptr;
    Params runtime_params;
    std::vector<const ModalityTokenizer*> tokenizers;  // one per input
    std::vector<const Component*> components;
    ScenarioComponents owned;  // scenario-defined components (components: block)

    GpuSpec gpu;
    Bytes usable = 0;
    bool have_gpu = false;
    std::int64_t count = 1;
    std::vector<std::int64_t> roles{0};
    // Reused across preparations: copy-assigning a blank context reuses the vectors' storage,
    // where constructing one allocates every symbol's name and meaning again (sweeps prepare
    // once per point).
    Context blank{model, scenario, &registry.symbols};
    std::vector<Bytes> values_buf;       // evaluate_categories: bytes per component
    ParallelismSpec auto_base;           // count: auto: the scenario's own layout
    ParallelismSpec auto_layout;         // count: auto: the layout it resolved to
    bool auto_resolved = false;
    // Depend on the model and the weight format only: computed once, not per preparation.
    double p_total = -1, p_active = -1;
    std::array<double, 3> rank_placement{};            // t, p, ep of rank_weight_bytes
    std::vector<std::int64_t> rank_roles;
    std::vector<Bytes> rank_tensor_bytes;
    std::vector<std::pair<std::int64_t, double>> rank_weight_bytes;
    std::vector<Bytes> format_bytes_cache;
    Bytes format_bytes(std::size_t i) {
        if (format_bytes_cache.size() != model.tensors.size()) {
            format_bytes_cache.resize(model.tensors.size());
            for (std::size_t j = 0; j < model.tensors.size(); ++j)
                format_bytes_cache[j] = format->tensor_bytes(model.tensors[j], model, format_params);
        }
        return format_bytes_cache[i];
    }

    Impl(const Registry& r, Scenario s, std::string dir)
        : registry(r), scenario(std::move(s)), preset_dir(std::move(dir)),
          model(load_model(r, scenario, preset_dir, &checkpoint)), ctx(model, scenario, &r.symbols) {}

    // Checkpoint sizes replace the format's arithmetic when the scenario asks for them
    // (precision.weights: checkpoint) or names no weight format for a hub model with headers.
    bool use_checkpoint() const {
        if (!checkpoint) return false;
        return scenario.precision.weights == "checkpoint" || scenario.marks.count("precision.weights") == 0;
    }

    // Spreads the checkpoint's exact byte total over the tensors in proportion to their
    // parameters (for TP/PP placement); the sum equals the checkpoint total exactly.
    void checkpoint_tensor_bytes() {
        const long double total = static_cast<long double>(checkpoint->bytes);
        const long double params = static_cast<long double>(parameter_count(model));
        long double cum = 0;
        Bytes assigned = 0;
        for (std::size_t i = 0; i < model.tensors.size(); ++i) {
            cum += static_cast<long double>(model.tensors[i].numel()) * static_cast<long double>(model.tensors[i].copies);
            const Bytes upto = i + 1 == model.tensors.size() ? checkpoint->bytes
                                                              : static_cast<Bytes>(total * cum / params);
            ctx.tensor_bytes[i] = upto - assigned;
            assigned = upto;
        }
    }

    std::string checkpoint_compute_dtype() const {
        std::uint64_t best = 0;
        std::string dtype = "bf16";
        for (const auto& [d, n] : checkpoint->bytes_by_dtype) {
            const char* mapped = d == "BF16" ? "bf16" : d == "F16" ? "fp16" : d == "F32" ? "fp32" : nullptr;
            if (mapped && n > best) best = n, dtype = mapped;
        }
        return dtype;
    }

    [[noreturn]] void fail_at(const std::string& path, const std::string& message) const {
        throw ScenarioError(scenario.where(path), message);
    }

    template <class T>
    const T& lookup(const Catalog<T>& catalog, const std::string& name, const std::string& path) const {
        try {
            return catalog.get(name, path);
        } catch (const UnknownComponentError& e) {
            fail_at(path, e.what());
        }
    }

    Params params_for(const ConfigNode* block, const std::vector<ParamSpec>& specs, const std::string& path) const {
        try {
            return Params::validate(block, specs, path);
        } catch (const ParamError& e) {
            fail_at(e.key_path(), e.what());
        }
    }

    void resolve() {
        const Scenario& s = scenario;
        if (s.precision.weights == "checkpoint" && !checkpoint)
            fail_at("precision.weights", "precision.weights: checkpoint needs a hub model with safetensors headers "
                                         "(model.hub); give a weight format instead");
        format = &lookup(registry.weight_formats, use_checkpoint() ? std::string("bf16") : s.precision.weights,
                         "precision.weights");
        format_params = params_for(&s.precision.options, format->params(), "precision");
        format_bytes_cache.clear();  // the format or its options may have changed
        runtime = &lookup(registry.runtimes, s.runtime.engine, "runtime.engine");
        runtime_params = params_for(&s.runtime.options, runtime->params(), "runtime");
        if (s.training_run()) {
            method = &lookup(registry.methods, s.training.method, "training.method");
            objective = &lookup(registry.objectives, s.training.objective, "training.objective");
            optimizer = &lookup(registry.optimizers, s.training.optimizer, "training.optimizer");
            const std::string mkey(method->key()), okey(objective->key());
            for (const auto& [k, v] : s.training.blocks.entries())
                if (k != mkey && k != okey)
                    fail_at("training." + k, "training." + k + ": options for '" + k +
                                                 "', which is neither the method ('" + mkey + "') nor the objective ('" +
                                                 okey + "')");
            method_params = params_for(s.training.blocks.find(mkey), method->params(), "training." + mkey);
            objective_params = params_for(s.training.blocks.find(okey), objective->params(), "training." + okey);
        } else if (s.precision.weights.empty()) {
            fail_at("precision.weights", "precision.weights: empty");
        }
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
        components.clear();
        for (const auto& e : registry.components.entries()) components.push_back(e.item.get());
        owned.resolve(scenario, components, registry.symbols);

        // Hardware: explicit memory, or a catalog GPU.
        have_gpu = false;
        if (s.hardware.memory_gib > 0) {
            usable = static_cast<Bytes>(std::llround(s.hardware.memory_gib * kGiB));
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
            have_gpu = true;
        }
    }

    void parallelism_stage() {
        ParallelismSpec& q = scenario.parallelism;
        const Scenario& s = scenario;
        ctx.begin_stage("core.parallelism");
        std::int64_t t = q.tensor, p = q.pipeline, dp = q.data, cp = q.context, ep = q.expert;
        // An explicit GPU count without a layout: inference splits the model (tensor parallel, as
        // `vllm -tp N`), training replicates it (data parallel).
        if (!s.hardware.count_auto && s.hardware.count > 1 && t * p * dp * cp == 1) {
            if (s.training_run()) dp = s.hardware.count;
            else t = s.hardware.count;
        }
        if (model.heads % t != 0)
            fail_at("parallelism.tensor", "parallelism.tensor: " + std::to_string(t) +
                                              " does not divide the " + std::to_string(model.heads) +
                                              " attention heads; allowed: a divisor of the head count");
        if (t > model.kv_heads ? t % model.kv_heads != 0 : model.kv_heads % t != 0)
            fail_at("parallelism.tensor", "parallelism.tensor: " + std::to_string(t) + " and the " +
                                              std::to_string(model.kv_heads) +
                                              " KV heads do not divide one another; allowed: a divisor or multiple of "
                                              "the KV head count");
        if (p > model.layers)
            fail_at("parallelism.pipeline", "parallelism.pipeline: " + std::to_string(p) + " stages for " +
                                                std::to_string(model.layers) + " layers; allowed: at most one stage per layer");
        if (model.experts > 0 && model.experts % ep != 0)
            fail_at("parallelism.expert", "parallelism.expert: " + std::to_string(ep) + " does not divide the " +
                                              std::to_string(model.experts) + " experts");
        if (model.experts == 0 && ep > 1)
            fail_at("parallelism.expert", "parallelism.expert: the model has no experts");
        std::int64_t zero = q.zero;
        if (q.fsdp == "full_shard") zero = 3;
        else if (q.fsdp == "shard_grad_op") zero = std::max<std::int64_t>(zero, 2);
        count = t * p * dp * cp;
        if (!s.hardware.count_auto && s.hardware.count > 1 && s.hardware.count != count)
            fail_at("hardware.count", "hardware.count: " + std::to_string(s.hardware.count) +
                                          " GPUs, but the layout tensor × pipeline × data × context uses " +
                                          std::to_string(count));
        ctx.set(Sym::t, static_cast<double>(t));
        ctx.set(Sym::p, static_cast<double>(p));
        ctx.set(Sym::dp, static_cast<double>(dp));
        ctx.set(Sym::cp, static_cast<double>(cp));
        ctx.set(Sym::ep, static_cast<double>(ep));
        ctx.set(Sym::zero, static_cast<double>(zero));
        ctx.set(Sym::gpus, static_cast<double>(count));
        roles.clear();
        roles.push_back(0);
        if (p > 2) roles.push_back(1);
        if (p > 1) roles.push_back(p - 1);
    }

    void prepare() {
        const Scenario& s = scenario;
        ctx = blank;

        ctx.begin_stage("core.model");
        ctx.set(Sym::h, static_cast<double>(model.hidden));
        ctx.set(Sym::L, static_cast<double>(model.layers));
        ctx.set(Sym::n_q, static_cast<double>(model.heads));
        ctx.set(Sym::n_kv, static_cast<double>(model.kv_heads));
        ctx.set(Sym::head_dim, static_cast<double>(model.head_dim));
        ctx.set(Sym::F, static_cast<double>(model.intermediate));
        ctx.set(Sym::V, static_cast<double>(model.vocab));
        if (p_total < 0) p_total = static_cast<double>(parameter_count(model)), p_active = static_cast<double>(active_parameter_count(model));
        ctx.set(Sym::P_total, p_total);
        ctx.set(Sym::P_active, p_active);
        ctx.begin_stage("core.scenario");
        ctx.set(Sym::training, s.training_run() ? 1.0 : 0.0);
        ctx.set(Sym::b, static_cast<double>(s.workload.batch_size));
        ctx.set(Sym::s, static_cast<double>(s.workload.sequence_length));
        ctx.set(Sym::G, 1.0);
        ctx.set(Sym::P_trainable, 0);
        ctx.set(Sym::flash, s.training_run() && !s.training.flash_attention ? 0.0 : 1.0);
        ctx.set(Sym::gpu_mem, static_cast<double>(usable));

        // 1 attention variant
        ctx.begin_stage("core.attention");
        attention_stage(registry, model, ctx.kv_groups, ctx.attention_label);

        // 3 weight format (before 1's KV dtype default, which follows the compute dtype)
        ctx.begin_stage(std::string(format->name()));
        ctx.weight_format = std::string(format->key());
        ctx.weight_source = std::string(format->source());
        ctx.tensor_bytes.resize(model.tensors.size());
        Bytes w = 0;
        if (use_checkpoint()) {
            checkpoint_tensor_bytes();
            ctx.weight_format = "checkpoint";
            ctx.weight_source = "safetensors headers of " + checkpoint->source;
            ctx.notes.push_back("weights: real tensor sizes from the safetensors headers of " + checkpoint->source +
                                " (" + std::to_string(checkpoint->bytes) + " bytes)");
        } else {
            for (std::size_t i = 0; i < model.tensors.size(); ++i)
                ctx.tensor_bytes[i] = format_bytes(i);
        }
        for (std::size_t i = 0; i < model.tensors.size(); ++i) w = add_bytes(w, ctx.tensor_bytes[i]);
        ctx.set(Sym::W, static_cast<double>(w));
        ctx.set(Sym::bytes_w, ctx[Sym::P_total] > 0 ? static_cast<double>(w) / ctx[Sym::P_total] : 0);
        ctx.compute_dtype = s.precision.activations.empty()
                                ? (use_checkpoint() ? checkpoint_compute_dtype() : std::string(format->compute_dtype()))
                                : s.precision.activations;
        if (s.training_run() && s.training.mixed_precision != "none") ctx.compute_dtype = s.training.mixed_precision;
        ctx.set(Sym::bytes_act, kv_dtype_bytes(ctx.compute_dtype, s.where("precision.activations")));
        ctx.kv_dtype = s.precision.kv_cache.empty() ? ctx.compute_dtype : s.precision.kv_cache;
        ctx.begin_stage("core.attention");
        ctx.set(Sym::bytes_kv, kv_dtype_bytes(ctx.kv_dtype, s.where("precision.kv_cache")));
        ctx.set(Sym::kv_per_token, std::ceil(kv_elements_per_token(ctx.kv_groups) * ctx[Sym::bytes_kv]));

        // 2 modality tokenizers
        ctx.modality_tokens = 0;
        ctx.encoder_patches = 0;
        ctx.tokens_by_modality.clear();
        for (std::size_t i = 0; i < s.inputs.size(); ++i) {
            ctx.begin_stage(std::string(tokenizers[i]->name()));
            TokenCount c;
            try {
                c = tokenizers[i]->count(model, s.inputs[i]);
            } catch (const ParamError& e) {
                // Tokenizers name the key inside the input ("width", "options.max_pixels").
                const std::string key = "inputs[" + std::to_string(i) + "]" +
                                        (e.key_path().empty() ? std::string() : "." + e.key_path());
                fail_at(key, key + ": " + e.detail());
            }
            ctx.modality_tokens += c.tokens;
            ctx.encoder_patches += c.encoder_patches;
            auto it = std::find_if(ctx.tokens_by_modality.begin(), ctx.tokens_by_modality.end(),
                                   [&](auto& p) { return p.first == s.inputs[i].modality; });
            if (it == ctx.tokens_by_modality.end()) ctx.tokens_by_modality.emplace_back(s.inputs[i].modality, c.tokens);
            else it->second += c.tokens;
            if (!c.arithmetic.empty()) ctx.notes.push_back(s.inputs[i].modality + ": " + c.arithmetic);
        }
        if (ctx.modality_tokens > 0) {
            ctx.begin_stage("core.tokenizers");
            ctx.set(Sym::s, static_cast<double>(s.workload.sequence_length + ctx.modality_tokens));
        }

        // 4 training method, objective, optimizer
        ctx.trainable_tensors.clear();
        ctx.optimizer = optimizer;
        if (method) {
            ctx.begin_stage(std::string(method->name()));
            try {
                method->prepare(ctx, method_params);
                publish_method_facts();
                ctx.begin_stage(std::string(objective->name()));
                objective->prepare(ctx, objective_params);
            } catch (const ParamError& e) {
                fail_at(e.key_path(), e.what());
            }
        }

        // 5 parallelism
        parallelism_stage();

        // 6 runtime profile
        ctx.begin_stage(std::string(runtime->name()));
        try {
            runtime->prepare(ctx, runtime_params);
        } catch (const ParamError& e) {
            fail_at(e.key_path(), e.what());
        }
        ctx.begin_stage("core.ranks");
        // Weight bytes of each rank role, once per preparation: evaluations read them instead of
        // walking every tensor (the hot path of fit and sweep).
        // Walked again only when the placement or the tensor bytes changed (a batch-size sweep
        // keeps both).
        const std::array<double, 3> placement{ctx[Sym::t], ctx[Sym::p], ctx[Sym::ep]};
        if (placement != rank_placement || roles != rank_roles || ctx.tensor_bytes != rank_tensor_bytes) {
            ctx.weight_bytes_by_stage.clear();
            for (auto role : roles) {
                ctx.set(Sym::stage, static_cast<double>(role));
                ctx.weight_bytes_by_stage.emplace_back(role, weight_bytes_on_rank(ctx));
            }
            rank_placement = placement;
            rank_roles = roles;
            rank_tensor_bytes = ctx.tensor_bytes;
            rank_weight_bytes = ctx.weight_bytes_by_stage;
        } else {
            ctx.weight_bytes_by_stage = rank_weight_bytes;
        }
        owned.bind(ctx);  // symbol indices follow this preparation's stages
    }

    // The method's typed facts are the contract; the built-in symbols mirror them for formulas.
    // A method that trains tensors must say in which dtype it stores them: a silent default is
    // how a third-party method once got bf16 gradients next to LoRA's fp32 ones.
    void publish_method_facts() {
        const MethodFacts& f = ctx.method;
        if (!ctx.trainable_tensors.empty() && !(f.trainable_bytes > 0))
            throw EstimateError(scenario.file + ": training method '" + std::string(method->name()) +
                                "' trains " + std::to_string(ctx.trainable_tensors.size()) +
                                " tensors but left MethodFacts::trainable_bytes unset; a method states the stored "
                                "bytes per trainable element (fp32 adapters: 4)");
        ctx.begin_stage("core.method");
        ctx.set(Sym::bytes_trainable, f.trainable_bytes);
        ctx.set(Sym::adapter_params, static_cast<double>(f.adapter_params));
        ctx.set(Sym::frozen_base, f.frozen_base ? 1.0 : 0.0);
        ctx.begin_stage(std::string(method->name()));
    }

    // Peak of one rank role. Hot path: no allocation.
    Bytes evaluate_role(std::int64_t stage, Bytes* values) {
        ctx.set(Sym::stage, static_cast<double>(stage));
        Bytes always = 0;
        std::array<std::pair<std::string_view, Bytes>, 8> phases{};
        std::size_t n_phases = 0;
        for (std::size_t i = 0; i < components.size(); ++i) {
            const Component* c = components[i];
            Bytes v = 0;
            try {
                if (c->applies(ctx)) v = c->evaluate(ctx);
            } catch (const ScenarioError&) {
                throw;  // scenario formulas already name the file, the component and the column
            } catch (const Error& e) {
                // Errors name the scenario and the component; only reached when estimation fails.
                throw EstimateError(scenario.file + ": " + std::string(c->id()) + ": " + e.what());
            } catch (const std::exception& e) {
                throw EstimateError(scenario.file + ": component " + std::string(c->id()) + " threw: " + e.what());
            }
            if (values) values[i] = v;
            const std::string_view phase = c->phase();
            if (phase.empty()) {
                always = add_bytes(always, v);
                continue;
            }
            std::size_t j = 0;
            while (j < n_phases && phases[j].first != phase) ++j;
            if (j == n_phases) {
                if (n_phases == phases.size()) throw EstimateError("more than 8 phases");
                phases[n_phases++] = {phase, 0};
            }
            phases[j].second = add_bytes(phases[j].second, v);
        }
        Bytes peak_phase = 0;
        for (std::size_t j = 0; j < n_phases; ++j) peak_phase = std::max(peak_phase, phases[j].second);
        return add_bytes(always, peak_phase);
    }

    Bytes evaluate_peak() {
        Bytes peak = 0;
        for (auto role : roles) peak = std::max(peak, evaluate_role(role, nullptr));
        return peak;
    }

    // Per-category bytes of the most loaded rank: phase-less terms plus the terms of the phase
    // that makes the peak. No allocation after the first call.
    Bytes evaluate_categories(CategoryBytes& out) {
        values_buf.resize(components.size());
        Bytes peak = 0;
        std::size_t top = 0;
        for (std::size_t r = 0; r < roles.size(); ++r) {
            const Bytes v = evaluate_role(roles[r], nullptr);
            if (r == 0 || v > peak) peak = v, top = r;
        }
        evaluate_role(roles[top], values_buf.data());
        std::array<std::pair<std::string_view, Bytes>, 8> phases{};
        std::size_t n_phases = 0;
        for (std::size_t i = 0; i < components.size(); ++i) {
            const std::string_view phase = components[i]->phase();
            if (phase.empty()) continue;
            std::size_t j = 0;
            while (j < n_phases && phases[j].first != phase) ++j;
            if (j == n_phases) phases[n_phases++] = {phase, 0};
            phases[j].second = add_bytes(phases[j].second, values_buf[i]);
        }
        std::string_view peak_phase;
        Bytes peak_phase_bytes = 0;
        for (std::size_t j = 0; j < n_phases; ++j)
            if (j == 0 || phases[j].second > peak_phase_bytes) peak_phase = phases[j].first, peak_phase_bytes = phases[j].second;
        out.fill(0);
        for (std::size_t i = 0; i < components.size(); ++i) {
            const std::string_view phase = components[i]->phase();
            if (!phase.empty() && phase != peak_phase) continue;
            auto& slot = out[static_cast<std::size_t>(components[i]->category())];
            slot = add_bytes(slot, values_buf[i]);
        }
        return peak;
    }

    bool tensor_allowed(std::int64_t t) const {
        if (model.heads % t != 0) return false;
        return t > model.kv_heads ? t % model.kv_heads == 0 : model.kv_heads % t == 0;
    }

    static bool same_layout(const ParallelismSpec& a, const ParallelismSpec& b) {
        return a.tensor == b.tensor && a.pipeline == b.pipeline && a.data == b.data && a.context == b.context;
    }

    // count: auto: the fewest GPUs whose layout fits. Inference (and training without sharded
    // states, where data-parallel replicas never lower the per-GPU bytes) splits the model as
    // serving engines do: tensor parallel inside a node (at most 8; it must divide the attention
    // heads and divide or be a multiple of the KV heads), then pipeline stages (at most one per
    // layer). Training with ZeRO/FSDP adds data-parallel ranks. Sizes above 1 that the scenario
    // fixes are kept. Beyond 64 GPUs only whole 8-GPU nodes are tried.
    void resolve_count_auto() {
        if (!scenario.hardware.count_auto) return;
        if (!have_gpu) fail_at("hardware.count", "hardware.count: auto needs hardware.gpu or hardware.memory_gib");
        if (!auto_resolved || !same_layout(scenario.parallelism, auto_layout)) auto_base = scenario.parallelism;
        const ParallelismSpec base = auto_base;
        const bool shard_states = scenario.training_run() && (base.zero > 0 || base.fsdp != "none");
        constexpr std::int64_t kMaxGpus = 4096;
        for (std::int64_t n = 1; n <= kMaxGpus; n += n < 64 ? 1 : 8) {
            ParallelismSpec best = base;
            Bytes best_peak = 0;
            bool found = false;
            auto consider = [&](const ParallelismSpec& q) {
                scenario.parallelism = q;
                try {
                    prepare();
                } catch (const ScenarioError&) {
                    return;  // layout not allowed for this model (experts ...)
                }
                const Bytes peak = evaluate_peak();
                if (!found || peak < best_peak) best = q, best_peak = peak, found = true;
            };
            if (shard_states) {
                const std::int64_t fixed = base.tensor * base.pipeline * base.context;
                if (n % fixed == 0) {
                    ParallelismSpec q = base;
                    q.data = n / fixed;
                    consider(q);
                }
            } else {
                const std::int64_t rest = base.data * base.context;
                if (n % rest != 0) continue;
                const std::int64_t m = n / rest;
                for (std::int64_t t = 1; t <= std::min<std::int64_t>(m, 8); ++t) {
                    if (m % t != 0 || (base.tensor > 1 && t != base.tensor) || !tensor_allowed(t)) continue;
                    const std::int64_t p = m / t;
                    if (p > model.layers || (base.pipeline > 1 && p != base.pipeline)) continue;
                    ParallelismSpec q = base;
                    q.tensor = t;
                    q.pipeline = p;
                    consider(q);
                }
            }
            if (found && best_peak <= usable) {
                scenario.parallelism = best;
                prepare();
                auto_layout = best;
                auto_resolved = true;
                return;
            }
        }
        scenario.parallelism = base;
        prepare();
        fail_at("hardware.count", "hardware.count: auto: no layout up to " + std::to_string(kMaxGpus) + " GPUs of " +
                                      gpu.name + " fits");
    }
};

Estimator::Estimator(const Registry& registry, Scenario scenario, const std::string& preset_dir)
    : impl_(std::make_unique<Impl>(registry, std::move(scenario), preset_dir)) {
    impl_->resolve();
    impl_->prepare();
}

Estimator::~Estimator() = default;
Scenario& Estimator::scenario() noexcept { return impl_->scenario; }
const ModelSpec& Estimator::model() const noexcept { return impl_->model; }
const Context& Estimator::context() const noexcept { return impl_->ctx; }
void Estimator::revalidate() { impl_->resolve(); }
void Estimator::prepare() { impl_->prepare(); }
Bytes Estimator::evaluate_peak() { return impl_->evaluate_peak(); }
std::int64_t Estimator::gpu_count() const noexcept { return impl_->count; }
Bytes Estimator::usable_bytes() const noexcept { return impl_->have_gpu ? impl_->usable : 0; }
std::int64_t Estimator::resolve_count() {
    impl_->resolve_count_auto();
    return impl_->count;
}
Bytes Estimator::evaluate_categories(CategoryBytes& per_category) { return impl_->evaluate_categories(per_category); }

Estimate Estimator::estimate() {
    Impl& d = *impl_;
    d.resolve_count_auto();
    Estimate out;
    std::vector<Bytes> values(d.components.size());
    for (auto role : d.roles) {
        RankBreakdown rb;
        rb.stage = role;
        const auto p = static_cast<std::int64_t>(d.ctx[Sym::p]);
        if (p <= 1) rb.label = d.count > 1 ? "each GPU" : "GPU";
        else if (role == 0) rb.label = "pipeline stage 0 (first)";
        else if (role == p - 1) rb.label = "pipeline stage " + std::to_string(role) + " (last)";
        else rb.label = "pipeline stage " + std::to_string(role) + " (middle)";
        rb.total = d.evaluate_role(role, values.data());
        for (std::size_t i = 0; i < d.components.size(); ++i) {
            const Component* c = d.components[i];
            if (!c->applies(d.ctx)) continue;
            Term t;
            t.id = std::string(c->id());
            t.category = c->category();
            t.bytes = values[i];
            t.formula = std::string(c->formula());
            t.substituted = c->substitute(d.ctx);
            t.source = std::string(c->source());
            t.phase = std::string(c->phase());
            rb.terms.push_back(std::move(t));
        }
        out.ranks.push_back(std::move(rb));
    }
    // Leave the context describing the most loaded rank.
    for (std::size_t i = 0; i < out.ranks.size(); ++i)
        if (out.ranks[i].total > out.ranks[out.most_loaded].total) out.most_loaded = i;
    d.ctx.set(Sym::stage, static_cast<double>(out.ranks[out.most_loaded].stage));
    const RankBreakdown& top = out.ranks[out.most_loaded];
    out.total_bytes = top.total;
    out.gpu = d.gpu;
    out.gpu_memory_bytes = d.have_gpu ? d.usable : 0;
    out.gpu_count = d.count;
    out.utilization = d.usable ? static_cast<double>(out.total_bytes) / static_cast<double>(d.usable) : 0;
    out.fits = d.have_gpu && out.total_bytes <= d.usable;
    for (const auto& t : top.terms)
        if (t.category == Category::kv_cache) out.kv_cache_bytes += t.bytes;
    if (!d.scenario.training_run() && d.have_gpu) {
        // Tokens of KV cache one GPU holds: every layer counted as full attention, as vLLM's
        // "GPU KV cache size" does without the hybrid allocator.
        std::vector<KvGroup> full = d.ctx.kv_groups;
        for (auto& g : full) g.window = 0;
        const Bytes per_token = kv_bytes_per_sequence(full, 1, d.ctx[Sym::bytes_kv],
                                                      static_cast<std::int64_t>(d.ctx[Sym::t]),
                                                      static_cast<std::int64_t>(d.ctx[Sym::p])) -
                                kv_bytes_per_sequence(full, 0, d.ctx[Sym::bytes_kv],
                                                      static_cast<std::int64_t>(d.ctx[Sym::t]),
                                                      static_cast<std::int64_t>(d.ctx[Sym::p]));
        const double other = static_cast<double>(out.total_bytes - out.kv_cache_bytes);
        out.max_kv_tokens = d.runtime->max_kv_tokens(d.ctx, other, static_cast<double>(per_token));
        const double per_seq = d.ctx[Sym::s];
        out.max_concurrency = per_seq > 0 ? out.max_kv_tokens / per_seq : 0;
    }
    out.trainable_parameters = static_cast<std::int64_t>(d.ctx[Sym::P_trainable]);
    out.tokens_per_sequence = static_cast<std::int64_t>(d.ctx[Sym::s]);
    out.modality_tokens = d.ctx.tokens_by_modality;
    out.notes = d.ctx.notes;
    return out;
}

}  // namespace vram
