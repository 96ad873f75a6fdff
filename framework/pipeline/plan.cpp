// plan.cpp - the Context stages, in order, each reading only what earlier stages set:
// model and scenario numbers, attention, weight format (and the compute / KV dtypes that follow
// it), modality tokenizers, training method and objective, parallelism checks, runtime profile,
// FP8 training (fp8.cpp), and the weight bytes of each rank role. No lookups and no I/O
// (resolve.cpp did them); cheap enough to run once per sweep point.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>
#include <functional>

#include "pipeline/attention.hpp"
#include "pipeline/checkpoint.hpp"
#include "pipeline/dtype.hpp"
#include "pipeline/estimator_impl.hpp"
#include "pipeline/module_match.hpp"
#include "vram/sharding.hpp"

namespace vram {

void Estimator::Impl::prepare() {
    ctx = blank;
    model_stage();
    ctx.begin_stage("core.attention");
    attention_stage(registry, model, ctx.kv_groups, ctx.attention_label);
    // The format comes before the KV dtype, whose default follows the compute dtype.
    format_stage();
    tokenizer_stage();
    method_stage();
    parallelism_stage();
    runtime_stage();
    fp8_stage();
    rank_stage();
    owned.bind(ctx);  // symbol indices follow this preparation's stages
}

// The model's shape, then the scenario's numbers.
void Estimator::Impl::model_stage() {
    const Scenario& s = scenario;
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
    micro_batch_samples.clear();
    if (s.training_run() && !s.workload.lengths.empty()) peak_micro_batch();
    ctx.set(Sym::G, 1.0);
    ctx.set(Sym::P_trainable, 0);
    ctx.set(Sym::flash, s.training_run() && !s.training.flash_attention ? 0.0 : 1.0);
    ctx.set(Sym::gpu_mem, static_cast<double>(usable));
    ctx.gpu = have_gpu ? &gpu : nullptr;
}

// workload.lengths: the micro-batch that makes the peak and its shape. A shuffled epoch can draw
// the batch_size longest samples together, and the caching allocator keeps what that step
// needed, so the peak is theirs (each cut to sequence_length, the max_length truncation; a list
// shorter than the micro-batch stands for a dataset of those samples, repeated):
//   pad_longest     b rows of the longest of them (transformers DataCollatorWithPadding)
//   pad_max_length  b rows of sequence_length (padding="max_length")
//   packing         b rows filled to sequence_length (or the whole sample, if shorter)
//   padding_free    1 row of their total (DataCollatorWithFlattening; flash-attention varlen
//                   keeps attention within each sample)
void Estimator::Impl::peak_micro_batch() {
    const Scenario& s = scenario;
    // DPO batches pairs and GRPO its own prompts and completions (training.grpo.*): their rows are
    // not samples of this list, and applying it would be silently wrong.
    if (s.training.objective != "sft" && s.training.objective != "pretrain")
        fail_at("workload.lengths", "workload.lengths: only for training.objective sft or pretrain (got '" +
                                        s.training.objective + "': its sequences are pairs or completions)");
    const std::int64_t cap = s.workload.sequence_length;
    // A list shorter than the micro-batch stands for a dataset of those samples, repeated.
    const auto n = static_cast<std::size_t>(s.workload.batch_size);
    std::vector<std::int64_t> longest;
    longest.reserve(std::max(n, s.workload.lengths.size()));
    while (longest.size() < n)
        for (auto v : s.workload.lengths) longest.push_back(std::min(v, cap));
    if (longest.empty())
        for (auto v : s.workload.lengths) longest.push_back(std::min(v, cap));
    std::sort(longest.begin(), longest.end(), std::greater<>());
    longest.resize(std::min(n, longest.size()));
    micro_batch_samples = longest;
    std::int64_t total = 0;
    for (auto v : longest) total += v;
    std::int64_t all = 0;
    for (auto v : s.workload.lengths) all += std::min(v, cap);
    const std::string& mode = s.workload.batching;
    double b = static_cast<double>(longest.size()), len = static_cast<double>(longest.front());
    if (mode == "pad_max_length") b = static_cast<double>(s.workload.batch_size), len = static_cast<double>(cap);
    else if (mode == "packing") b = static_cast<double>(s.workload.batch_size), len = static_cast<double>(std::min(cap, all));
    else if (mode == "padding_free") b = 1, len = static_cast<double>(total);
    ctx.set(Sym::b, b);
    ctx.set(Sym::s, len);
    std::string which;
    for (std::size_t i = 0; i < longest.size() && i < 8; ++i)
        which += (i ? ", " : "") + format_count(static_cast<std::uint64_t>(longest[i]));
    if (longest.size() > 8) which += ", …";
    ctx.notes.push_back("workload.lengths: the peak micro-batch is the " + std::to_string(longest.size()) +
                        " longest sample" + (longest.size() == 1 ? "" : "s") + " (" + which + " tokens), " + mode + ": " + format_number(b) + " × " +
                        format_count(static_cast<std::uint64_t>(len)) + " tokens");
}

// Bytes of every tensor (the format's arithmetic, or a checkpoint's real sizes), the compute
// dtype and the KV dtype.
void Estimator::Impl::format_stage() {
    const Scenario& s = scenario;
    ctx.begin_stage(std::string(format->name()));
    ctx.weight_format = std::string(format->key());
    ctx.weight_source = std::string(format->source());
    ctx.tensor_bytes.resize(model.tensors.size());
    Bytes w = 0;
    if (use_checkpoint()) {
        if (!s.precision.modules_to_not_convert.empty())
            fail_at("precision.modules_to_not_convert",
                    "precision.modules_to_not_convert: the checkpoint's safetensors headers already give every "
                    "tensor's dtype; allowed only with a quantized precision.weights format");
        spread_checkpoint_bytes(*checkpoint, model, ctx.tensor_bytes);
        ctx.weight_format = "checkpoint";
        ctx.weight_source = "safetensors headers of " + checkpoint->source;
        ctx.notes.push_back("weights: real tensor sizes from the safetensors headers of " + checkpoint->source +
                            " (" + std::to_string(checkpoint->bytes) + " bytes)");
        for (std::size_t i = 0; i < model.tensors.size(); ++i) w = add_bytes(w, ctx.tensor_bytes[i]);
    } else {
        // The format's bytes depend on the model and the format alone: computed once per
        // resolve, copied per preparation (fit and sweep prepare millions of times).
        ensure_format_bytes();
        std::copy(format_bytes_cache.begin(), format_bytes_cache.end(), ctx.tensor_bytes.begin());
        w = format_bytes_total;
        if (unconverted_params > 0)
            ctx.notes.push_back("precision.modules_to_not_convert: " +
                                format_count(static_cast<std::uint64_t>(unconverted_params)) + " parameters in " +
                                std::to_string(unconverted_tensors) + " tensors kept in " + std::string(format->compute_dtype()));
    }
    ctx.set(Sym::W, static_cast<double>(w));
    ctx.set(Sym::bytes_w, ctx[Sym::P_total] > 0 ? static_cast<double>(w) / ctx[Sym::P_total] : 0);
    ctx.compute_dtype = s.precision.activations.empty()
                            ? (use_checkpoint() ? checkpoint_compute_dtype(*checkpoint) : std::string(format->compute_dtype()))
                            : s.precision.activations;
    if (s.training_run() && s.training.mixed_precision != "none") ctx.compute_dtype = s.training.mixed_precision;
    ctx.set(Sym::bytes_act, kv_dtype_bytes(ctx.compute_dtype, s, "precision.activations"));
    ctx.kv_dtype = s.precision.kv_cache.empty() ? ctx.compute_dtype : s.precision.kv_cache;
    ctx.begin_stage("core.attention");
    ctx.set(Sym::bytes_kv, kv_dtype_bytes(ctx.kv_dtype, s, "precision.kv_cache"));
    ctx.set(Sym::kv_per_token, std::ceil(kv_bytes_per_token(ctx.kv_groups, ctx[Sym::bytes_kv])));
}

Bytes Estimator::Impl::format_bytes(std::size_t i) {
    ensure_format_bytes();
    return format_bytes_cache[i];
}

void Estimator::Impl::ensure_format_bytes() {
    if (!format_bytes_valid) {
        format_bytes_valid = true;
        format_bytes_cache.resize(model.tensors.size());
        format_bytes_total = 0;
        unconverted_params = 0;
        unconverted_tensors = 0;
        const ModuleMatcher keep(scenario.precision.modules_to_not_convert);
        for (std::size_t j = 0; j < model.tensors.size(); ++j) {
            const Tensor& t = model.tensors[j];
            if (!keep.empty() && keep.matches(t)) {
                // Loaded as the model's dtype: transformers and vLLM skip the quantized Linear for
                // these modules, so the tensor is an ordinary parameter of the compute dtype.
                format_bytes_cache[j] = to_bytes(static_cast<double>(t.numel()) * static_cast<double>(t.copies) *
                                                     format->compute_bytes(),
                                                 "precision.modules_to_not_convert");
                unconverted_params += t.numel() * t.copies;
                ++unconverted_tensors;
            } else {
                format_bytes_cache[j] = format->tensor_bytes(t, model, format_params);
            }
            format_bytes_total = add_bytes(format_bytes_total, format_bytes_cache[j]);
        }
    }
}

// Tokens the modality inputs add to every sequence.
void Estimator::Impl::tokenizer_stage() {
    const Scenario& s = scenario;
    ctx.modality_tokens = 0;
    ctx.encoder_patches = 0;
    ctx.tokens_by_modality.clear();
    encoder_frame_modalities.clear();
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
        // An input that adds nothing to the decoder sequence but feeds an encoder (Whisper's audio,
        // read through cross-attention) is reported by its encoder frames: "0 audio tokens" would
        // say the clip vanished. The decoder sequence (Sym::s) still counts only c.tokens.
        const bool frames = c.tokens == 0 && c.encoder_patches > 0;
        const std::int64_t reported = frames ? c.encoder_patches : c.tokens;
        if (frames && std::find(encoder_frame_modalities.begin(), encoder_frame_modalities.end(),
                                s.inputs[i].modality) == encoder_frame_modalities.end())
            encoder_frame_modalities.push_back(s.inputs[i].modality);
        auto it = std::find_if(ctx.tokens_by_modality.begin(), ctx.tokens_by_modality.end(),
                               [&](auto& p) { return p.first == s.inputs[i].modality; });
        if (it == ctx.tokens_by_modality.end()) ctx.tokens_by_modality.emplace_back(s.inputs[i].modality, reported);
        else it->second += reported;
        if (!c.arithmetic.empty()) ctx.notes.push_back(s.inputs[i].modality + ": " + c.arithmetic);
    }
    if (ctx.modality_tokens > 0) {
        ctx.begin_stage("core.tokenizers");
        ctx.set(Sym::s, static_cast<double>(s.workload.sequence_length + ctx.modality_tokens));
    }
}

// The method's typed facts are the contract; the built-in symbols mirror them for formulas.
// A method that trains tensors must say in which dtype it stores them: a silent default is how a
// third-party method once got bf16 gradients next to LoRA's fp32 ones.
void Estimator::Impl::publish_method_facts() {
    const MethodFacts& f = ctx.method;
    if (!ctx.trainable_tensors.empty() && !(f.trainable_bytes > 0))
        throw EstimateError(scenario.file + ": training method '" + std::string(method->name()) + "' trains " +
                            std::to_string(ctx.trainable_tensors.size()) +
                            " tensors but left MethodFacts::trainable_bytes unset; a method states the stored bytes "
                            "per trainable element (fp32 adapters: 4)");
    ctx.begin_stage("core.method");
    ctx.set(Sym::bytes_trainable, f.trainable_bytes);
    ctx.set(Sym::adapter_params, static_cast<double>(f.adapter_params));
    ctx.set(Sym::frozen_base, f.frozen_base ? 1.0 : 0.0);
    ctx.begin_stage(std::string(method->name()));
}

// What trains and what autograd keeps (method), and the objective's sequences and copies.
void Estimator::Impl::method_stage() {
    ctx.trainable_tensors.clear();
    ctx.optimizer = optimizer;
    if (method) {
        ctx.begin_stage(std::string(method->name()));
        try {
            method->prepare(ctx, method_params);
            publish_method_facts();
            ctx.begin_stage(std::string(objective->name()));
            objective->prepare(ctx, objective_params);
            if (ctx.objective.value_head) drop_lm_head();
            if (optimizer) {
                ctx.begin_stage(std::string(optimizer->name()));
                optimizer->prepare(ctx, optimizer_params);
            }
        } catch (const ParamError& e) {
            fail_at(e.key_path(), e.what());
        }
    }
}

// The layout: sizes checked against the model, GPU count, and the rank roles to evaluate.
void Estimator::Impl::parallelism_stage() {
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
    if (q.reshard_after_forward != "auto" && q.fsdp != "full_shard")
        fail_at("parallelism.reshard_after_forward",
                "parallelism.reshard_after_forward: an option of FSDP2's full sharding; it needs parallelism.fsdp: "
                "full_shard (got '" + q.fsdp + "')");
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

void Estimator::Impl::runtime_stage() {
    ctx.begin_stage(std::string(runtime->name()));
    try {
        runtime->prepare(ctx, runtime_params);
    } catch (const ParamError& e) {
        fail_at(e.key_path(), e.what());
    }
    if (!ctx.engine.loads_mtp_layers) drop_mtp_layers();
}

// Multi-token-prediction layers (DeepSeek-V3 §2.2: group "mtp") are in the checkpoint and in the
// exact count, but an engine that does not run them never loads them: transformers lists them in
// _keys_to_ignore_on_load_unexpected (modeling_deepseek_v3.py), vLLM skips them unless a
// speculative config asks for MTP (deepseek_v2.py load_weights: get_spec_layer_idx_from_weight_name),
// llama.cpp's convert_hf_to_gguf.py drops them. Their bytes leave the weights (and, for full
// training, the trainable tensors) unless EngineFacts::loads_mtp_layers.
void Estimator::Impl::drop_mtp_layers() {
    const DroppedGroup d = drop_tensor_group("mtp");
    if (d.params == 0) return;
    if (d.trainable_params > 0 && !ctx.method.frozen_base)
        ctx.set(Sym::P_trainable, ctx[Sym::P_trainable] - static_cast<double>(d.params));
    ctx.notes.push_back("multi-token-prediction layers (" + format_count(static_cast<std::uint64_t>(d.params)) +
                        " parameters, group mtp) are not loaded by this engine: not in the weights");
}

// A value model (ObjectiveFacts::value_head: a PPO critic, OpenRLHF's
// get_llm_for_sequence_regression) is the policy's backbone with a [1, h] head the objective adds:
// the LM head's tensors (group lm_head; none when tied, the embedding stays) are neither loaded
// nor trained.
void Estimator::Impl::drop_lm_head() {
    const DroppedGroup d = drop_tensor_group("lm_head");
    ctx.set(Sym::P_total, ctx[Sym::P_total] - static_cast<double>(d.params));
    ctx.set(Sym::P_trainable, ctx[Sym::P_trainable] - d.trainable_params);
    if (d.params > 0)
        ctx.notes.push_back("value model: the LM head (" + format_count(static_cast<std::uint64_t>(d.params)) +
                            " parameters) is replaced by the objective's value head: not in the weights");
}

// One tensor group that is not loaded: its stored bytes leave the weights (W) and its tensors the
// trainable set. Nothing changes when no tensor of the group holds bytes (a checkpoint without it).
Estimator::Impl::DroppedGroup Estimator::Impl::drop_tensor_group(std::string_view group) {
    DroppedGroup d;
    double bytes = 0;
    for (std::size_t i = 0; i < model.tensors.size() && i < ctx.tensor_bytes.size(); ++i) {
        if (model.tensors[i].group != group || ctx.tensor_bytes[i] == 0) continue;
        bytes += static_cast<double>(ctx.tensor_bytes[i]);
        d.params += model.tensors[i].numel() * model.tensors[i].copies;
        ctx.tensor_bytes[i] = 0;
    }
    if (d.params == 0) return d;
    ctx.set(Sym::W, ctx[Sym::W] - bytes);
    auto& trainable = ctx.trainable_tensors;
    for (const Tensor& t : trainable)
        if (t.group == group) d.trainable_params += static_cast<double>(t.numel() * t.copies);
    trainable.erase(std::remove_if(trainable.begin(), trainable.end(), [&](const Tensor& t) { return t.group == group; }),
                    trainable.end());
    return d;
}

// Weight bytes of each rank role, once per preparation: evaluations read them instead of
// walking every tensor (the hot path of fit and sweep). Walked again only when the placement
// or the tensor bytes changed (a batch-size sweep keeps both).
void Estimator::Impl::rank_stage() {
    ctx.begin_stage("core.ranks");
    const std::array<double, 4> placement{ctx[Sym::t], ctx[Sym::p], ctx[Sym::ep], ctx.engine.weight_offload_budget};
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
}

}  // namespace vram
