// schema.cpp - the table of core scenario keys (schema.hpp) and the checks every reader shares.
// Messages are the ones the bad-input corpus and the docs quote; keep their wording.
// SPDX-License-Identifier: Apache-2.0
#include "scenario/schema.hpp"
#include "scenario/frameworks.hpp"

#include <cmath>

#include "vram/bytes.hpp"
#include "vram/error.hpp"
#include "plugin/registry.hpp"
#include "scenario/scenario_loader.hpp"

namespace vram {
namespace {

constexpr double kMaxCount = 1099511627776.0;  // 2^40: far beyond any real batch, length or GPU count
constexpr double kMaxParallel = 65536;
constexpr double kMaxGpus = 1 << 24;
constexpr double kMaxInput = 1 << 20;

using Assign = void (*)(Scenario&, const ConfigNode&);

// Fluent rows keep the table one entry per key and readable.
struct Row : SchemaKey {
    Row(std::string p, KeyType t, std::string h) {
        path = std::move(p);
        type = t;
        help = std::move(h);
    }
    Row& def(std::string d) { default_value = std::move(d); return *this; }
    Row& range(double lo, double hi) { min = lo; max = hi; return *this; }
    Row& one_of(std::vector<std::string> c) { choices = std::move(c); return *this; }
    Row& bools(std::string t, std::string f) { bool_true = std::move(t); bool_false = std::move(f); return *this; }
    Row& also(std::string w) { word = std::move(w); return *this; }
    Row& required(std::string why) { missing = std::move(why); return *this; }
    Row& expects(std::string e) { expected = std::move(e); return *this; }
    Row& open() { plugin_options = true; return *this; }
    Row& from(KeyCatalog c) { catalog = c; return *this; }
    Row& fast(KeyEffect e) { effect = e; return *this; }
    Row& to(Assign a) { assign = a; return *this; }
};

std::int64_t i64(const ConfigNode& v) { return static_cast<std::int64_t>(v.as_number()); }

std::vector<SchemaKey> build_table() {
    using T = KeyType;
    std::vector<Row> r;
    // Top level: the order is the order "allowed:" lists them in.
    r.push_back(Row("name", T::string, "shown in reports (default: the file name)")
                    .to([](Scenario& s, const ConfigNode& v) { s.name = v.text(); }));
    r.push_back(Row("description", T::string, "free text").to([](Scenario&, const ConfigNode&) {}));
    r.push_back(Row("model", T::map, "which model: exactly one of preset, config, architecture, hub or parameters")
                    .required("give model: {preset: NAME} or {config: path/to/config.json}"));
    r.push_back(Row("precision", T::map, "weight format, KV cache and compute dtypes; other keys are options of "
                                         "the weight format")
                    .open());
    r.push_back(Row("workload", T::map, "what runs: inference or training, batch and sequence sizes"));
    r.push_back(Row("inputs", T::list, "multimodal inputs; their tokens are added to each sequence"));
    r.push_back(Row("training", T::map, "training method, objective, optimizer; maps of options of the method "
                                        "or objective (lora:, grpo: ...)")
                    .open());
    r.push_back(Row("parallelism", T::map, "how the model is split over GPUs"));
    r.push_back(Row("hardware", T::map, "which GPU and how many"));
    r.push_back(Row("runtime", T::map, "engine memory semantics; other keys are options of the engine").open());
    r.push_back(Row("plugins", T::list, "extra plugin files or directories for this scenario")
                    .expects("a list of plugin files or directories"));
    r.push_back(Row("components", T::list, "research terms as expressions (docs/research.md)"));

    r.push_back(Row("model.preset", T::string, "a model preset (vram presets)")
                    .to([](Scenario& s, const ConfigNode& v) { s.model.preset = v.text(); }));
    r.push_back(Row("model.config", T::string, "a Hugging Face config.json, relative to the scenario file")
                    .to([](Scenario& s, const ConfigNode& v) { s.model.config = v.text(); }));
    r.push_back(Row("model.architecture", T::map, "inline config.json keys (HF names); model_type defaults to llama")
                    .expects("a map of config.json keys")
                    .to([](Scenario& s, const ConfigNode& v) { s.model.architecture = v; }));
    r.push_back(Row("model.hub", T::string, "a model on a hub (org/name)")
                    .to([](Scenario& s, const ConfigNode& v) { s.model.hub = v.text(); }));
    r.push_back(Row("model.revision", T::string, "hub revision (branch, tag or commit)").def("main")
                    .to([](Scenario& s, const ConfigNode& v) { s.model.revision = v.text(); }));
    r.push_back(Row("model.parameters", T::number, "only a parameter count (70e9): weights only; the KV cache and "
                                                   "activations are reported as unknown")
                    .range(1, 4.5e15)
                    .to([](Scenario& s, const ConfigNode& v) { s.model.parameters = std::round(v.as_number()); }));
    r.push_back(Row("model.layers", T::integer, "with model.parameters: num_hidden_layers (shown, and bounds the "
                                                "KV cache)")
                    .range(1, 1 << 20).to([](Scenario& s, const ConfigNode& v) { s.model.layers = i64(v); }));
    r.push_back(Row("model.hidden", T::integer, "with model.parameters: hidden_size")
                    .range(1, 1 << 24).to([](Scenario& s, const ConfigNode& v) { s.model.hidden = i64(v); }));
    r.push_back(Row("model.family", T::string, "build the model with this family (vram families) instead of "
                                               "the one its model_type selects")
                    .to([](Scenario& s, const ConfigNode& v) { s.model.family = v.text(); }));

    r.push_back(Row("precision.weights", T::string, "weight format (docs/formats.md); checkpoint: the hub "
                                                    "checkpoint's own dtypes")
                    .def("bf16").from(KeyCatalog::weight_formats)
                    .to([](Scenario& s, const ConfigNode& v) { s.precision.weights = v.text(); }));
    r.push_back(Row("precision.kv_cache", T::string, "KV cache dtype: bf16 fp16 fp32 fp8 fp8_e4m3 fp8_e5m2 int8 "
                                                     "q8_0 q4_0 q4_1 q5_0 q5_1 (default: the compute dtype)")
                    .to([](Scenario& s, const ConfigNode& v) { s.precision.kv_cache = v.text(); }));
    r.push_back(Row("precision.activations", T::string, "compute dtype (default: the weight format's)")
                    .to([](Scenario& s, const ConfigNode& v) { s.precision.activations = v.text(); }));
    r.push_back(Row("precision.modules_to_not_convert", T::list,
                    "modules the checkpoint keeps in the compute dtype (transformers modules_to_not_convert, "
                    "bitsandbytes llm_int8_skip_modules, compressed-tensors ignore), matched as vLLM does: a name "
                    "without dots is any component of a module's path (lm_head, self_attn), a dotted one its "
                    "leading components (model.layers.0.mlp); re:PATTERN matches paths from their start "
                    "(re:.*shared_experts.*); decoder layers are model.layers.N")
                    .expects("a list of module names or re:PATTERN strings"));

    r.push_back(Row("workload.type", T::enumeration, "inference or training").one_of({"inference", "training"})
                    .def("inference").to([](Scenario& s, const ConfigNode& v) { s.workload.type = v.text(); }));
    r.push_back(Row("workload.batch_size", T::integer, "sequences in flight (inference) or micro-batch per GPU "
                                                       "(training)")
                    .range(1, kMaxCount).def("1").fast(KeyEffect::prepare)
                    .to([](Scenario& s, const ConfigNode& v) { s.workload.batch_size = i64(v); }));
    r.push_back(Row("workload.sequence_length", T::integer, "tokens per sequence: prompt + generated, or sample "
                                                            "length")
                    .range(1, kMaxCount).def("2048").fast(KeyEffect::prepare)
                    .to([](Scenario& s, const ConfigNode& v) { s.workload.sequence_length = i64(v); }));
    r.push_back(Row("workload.prompt_length", T::integer, "inference: prompt tokens (0 = the whole sequence)")
                    .range(0, kMaxCount).def("0").fast(KeyEffect::prepare)
                    .to([](Scenario& s, const ConfigNode& v) { s.workload.prompt_length = i64(v); }));

    r.push_back(Row("workload.lengths", T::list, "training: lengths (tokens) of a dataset sample; the peak "
                                                  "micro-batch is its batch_size longest, batched as workload.batching "
                                                  "says; longer samples are cut to sequence_length (max_length)")
                    .expects("a list of sample lengths in tokens (positive integers)"));
    r.push_back(Row("workload.batching", T::enumeration, "how samples of workload.lengths form a micro-batch: "
                                                         "pad_longest (DataCollatorWithPadding), pad_max_length, "
                                                         "packing (rows filled to sequence_length), padding_free (one "
                                                         "row of the samples' total, flash-attention varlen)")
                    .one_of({"pad_longest", "pad_max_length", "packing", "padding_free"}).def("pad_longest")
                    .to([](Scenario& s, const ConfigNode& v) { s.workload.batching = v.text(); }));

    r.push_back(Row("inputs[].modality", T::enumeration, "image, video or audio").one_of({"image", "video", "audio"})
                    .required("allowed: image, video, audio"));
    r.push_back(Row("inputs[].width", T::integer, "pixels").range(1, kMaxInput));
    r.push_back(Row("inputs[].height", T::integer, "pixels").range(1, kMaxInput));
    r.push_back(Row("inputs[].count", T::integer, "how many such inputs per sequence").range(1, kMaxInput).def("1"));
    r.push_back(Row("inputs[].seconds", T::number, "video or audio length").range(0, 1e7));
    r.push_back(Row("inputs[].fps", T::number, "video frames sampled per second").range(1e-3, 1000));
    r.push_back(Row("inputs[].tokenizer", T::string, "tokenizer plugin instead of the family's (vram plugins)"));
    r.push_back(Row("inputs[].options", T::map, "options of the tokenizer plugin").expects("a map"));

    r.push_back(Row("training.method", T::string, "what trains: full, lisa, llama-pro, lora, qlora, prefix (+ plugins)")
                    .def("full").from(KeyCatalog::methods)
                    .to([](Scenario& s, const ConfigNode& v) { s.training.method = v.text(); }));
    r.push_back(Row("training.objective", T::string, "sft, pretrain, dpo, grpo, ppo (+ plugins)")
                    .def("sft").from(KeyCatalog::objectives)
                    .to([](Scenario& s, const ConfigNode& v) { s.training.objective = v.text(); }));
    r.push_back(Row("training.optimizer", T::string, "optimizer whose state is kept per trainable parameter")
                    .def("adamw").from(KeyCatalog::optimizers)
                    .to([](Scenario& s, const ConfigNode& v) { s.training.optimizer = v.text(); }));
    r.push_back(Row("training.mixed_precision", T::enumeration, "AMP: fp32 weights, half-precision compute "
                                                                "(false = none)")
                    .one_of({"none", "fp16", "bf16"}).bools("", "none").def("none")
                    .to([](Scenario& s, const ConfigNode& v) { s.training.mixed_precision = v.text(); }));
    r.push_back(Row("training.gradient_checkpointing", T::enumeration, "recompute activations in the backward "
                                                                      "pass: full (each checkpointed layer keeps "
                                                                      "only its input), selective (Megatron: the "
                                                                      "attention core), op (torchtitan's op-level "
                                                                      "selective AC: matmul outputs except every "
                                                                      "second one, and attention outputs); true = "
                                                                      "full, false = none")
                    .one_of({"none", "full", "selective", "op"}).bools("full", "none").def("none")
                    .to([](Scenario& s, const ConfigNode& v) { s.training.gradient_checkpointing = v.text(); }));
    r.push_back(Row("training.recompute_method", T::enumeration, "which layers full checkpointing covers: uniform "
                                                                 "(Megatron --recompute-method uniform: groups of "
                                                                 "recompute_num_layers layers, each group's input "
                                                                 "kept and the group recomputed together), block "
                                                                 "(Megatron: the first recompute_num_layers layers of "
                                                                 "each pipeline stage, the others keep everything), "
                                                                 "interval (torchtitan selective_ac_option N: every "
                                                                 "N-th layer)")
                    .one_of({"uniform", "block", "interval"}).def("uniform")
                    .to([](Scenario& s, const ConfigNode& v) { s.training.recompute_method = v.text(); }));
    r.push_back(Row("training.recompute_num_layers", T::integer, "layers per recompute group (uniform), "
                                                                 "checkpointed layers per stage (block), or the "
                                                                 "interval between checkpointed layers (interval) "
                                                                 "(Megatron --recompute-num-layers)")
                    .range(1, 1 << 20).def("1")
                    .to([](Scenario& s, const ConfigNode& v) { s.training.recompute_num_layers = i64(v); }));
    r.push_back(Row("training.encoder_gradient_checkpointing", T::enumeration,
                    "checkpointing of the modality encoders (vision tower, audio encoder) on its own: auto = as "
                    "training.gradient_checkpointing (transformers checkpoints every GradientCheckpointingLayer); "
                    "ms-swift vit_gradient_checkpointing (true = full, false = none)")
                    .one_of({"auto", "none", "full", "selective"}).bools("full", "none").def("auto")
                    .to([](Scenario& s, const ConfigNode& v) { s.training.encoder_gradient_checkpointing = v.text(); }));
    r.push_back(Row("training.activation_offload", T::enumeration, "saved activations kept in host memory "
                                                                   "instead: checkpoints (the checkpointed layer "
                                                                   "inputs: Unsloth's gradient checkpointing, "
                                                                   "Axolotl's offload) or all (every saved tensor: "
                                                                   "torch.autograd.graph.save_on_cpu)")
                    .one_of({"none", "checkpoints", "all"}).def("none")
                    .to([](Scenario& s, const ConfigNode& v) { s.training.activation_offload = v.text(); }));
    r.push_back(Row("training.flash_attention", T::boolean, "attention without materialized scores").def("true")
                    .to([](Scenario& s, const ConfigNode& v) { s.training.flash_attention = v.as_bool(); }));
    r.push_back(Row("training.torch_compile", T::enumeration,
                    "what runs under torch.compile: none; blocks (each decoder layer: torchtitan apply_compile); model "
                    "(the model with its loss: Trainer torch_compile, true). The min-cut partitioner saves matmul and "
                    "attention outputs and recomputes norms and activations; compiled, the loss is fused")
                    .one_of({"none", "blocks", "model"}).bools("model", "none").def("none")
                    .to([](Scenario& s, const ConfigNode& v) { s.training.torch_compile = v.text(); }));
    r.push_back(Row("training.loss", T::enumeration, "standard: the LM head's logits are materialized (the "
                                                     "convention's cross-entropy; Megatron's cross_entropy_loss_fusion "
                                                     "keeps the same fp32 copy); liger_flce: Liger's fused linear "
                                                     "cross-entropy, logits only one chunk at a time; cce: Apple's Cut "
                                                     "Cross-Entropy (Unsloth), no logits in memory, one fp32 "
                                                     "log-sum-exp per token")
                    .one_of({"standard", "liger_flce", "cce"}).def("standard")
                    .to([](Scenario& s, const ConfigNode& v) { s.training.loss = v.text(); }));

    r.push_back(Row("training.fp8_recipe", T::enumeration,
                    "FP8 / FP4 training of the decoder's Linear layers (Megatron --fp8-recipe / --fp4-recipe, "
                    "Transformer Engine recipes): delayed and tensorwise (one scale per tensor), blockwise (1x128 "
                    "activation and 128x128 weight tiles, fp32 scales), mxfp8 (32-element blocks, E8M0 scales; "
                    "Blackwell), nvfp4 (16-element blocks; Blackwell); rowwise (torchao Float8); true = delayed (Megatron's default), false = none")
                    .one_of({"none", "delayed", "tensorwise", "blockwise", "mxfp8", "nvfp4", "rowwise"})
                    .bools("delayed", "none").def("none")
                    .to([](Scenario& s, const ConfigNode& v) { s.training.fp8_recipe = v.text(); }));
    r.push_back(Row("training.fp8_backend", T::enumeration,
                    "library that runs FP8 training: transformer_engine (Megatron, accelerate) or torchao "
                    "(torchtitan's Float8 converter); auto = torchao under runtime.framework torchtitan, else "
                    "transformer_engine")
                    .one_of({"auto", "transformer_engine", "torchao"}).def("auto")
                    .to([](Scenario& s, const ConfigNode& v) { s.training.fp8_backend = v.text(); }));
    r.push_back(Row("training.fp8_param_gather", T::boolean,
                    "the Linear weights are stored in FP8 and gathered in FP8: Megatron --fp8-param-gather (no "
                    "bf16 copy on the GPU; the fp32 master stays in the optimizer), torchao "
                    "enable_fsdp_float8_all_gather (FSDP2 gathers FP8)")
                    .def("false")
                    .to([](Scenario& s, const ConfigNode& v) { s.training.fp8_param_gather = v.as_bool(); }));

    r.push_back(Row("parallelism.tensor", T::integer, "tensor parallel size").range(1, kMaxParallel).def("1")
                    .fast(KeyEffect::prepare)
                    .to([](Scenario& s, const ConfigNode& v) { s.parallelism.tensor = i64(v); }));
    r.push_back(Row("parallelism.pipeline", T::integer, "pipeline stages").range(1, kMaxParallel).def("1")
                    .fast(KeyEffect::prepare)
                    .to([](Scenario& s, const ConfigNode& v) { s.parallelism.pipeline = i64(v); }));
    r.push_back(Row("parallelism.data", T::integer, "data parallel replicas").range(1, kMaxGpus).def("1")
                    .fast(KeyEffect::prepare)
                    .to([](Scenario& s, const ConfigNode& v) { s.parallelism.data = i64(v); }));
    r.push_back(Row("parallelism.expert", T::integer, "expert parallel size").range(1, kMaxParallel).def("1")
                    .fast(KeyEffect::prepare)
                    .to([](Scenario& s, const ConfigNode& v) { s.parallelism.expert = i64(v); }));
    r.push_back(Row("parallelism.context", T::integer, "context parallel size").range(1, kMaxParallel).def("1")
                    .fast(KeyEffect::prepare)
                    .to([](Scenario& s, const ConfigNode& v) { s.parallelism.context = i64(v); }));
    r.push_back(Row("parallelism.zero", T::integer, "DeepSpeed ZeRO stage").range(0, 3).def("0")
                    .fast(KeyEffect::prepare)
                    .to([](Scenario& s, const ConfigNode& v) { s.parallelism.zero = i64(v); }));
    r.push_back(Row("parallelism.fsdp", T::enumeration, "PyTorch FSDP sharding (true = full_shard)")
                    .one_of({"none", "full_shard", "shard_grad_op"}).bools("full_shard", "none").def("none")
                    .to([](Scenario& s, const ConfigNode& v) { s.parallelism.fsdp = v.text(); }));
    r.push_back(Row("parallelism.sequence_parallel", T::boolean, "Megatron sequence parallelism").def("false")
                    .to([](Scenario& s, const ConfigNode& v) { s.parallelism.sequence_parallel = v.as_bool(); }));
    r.push_back(Row("parallelism.offload", T::enumeration, "what lives in CPU memory")
                    .one_of({"none", "optimizer", "optimizer+parameters"}).def("none")
                    .to([](Scenario& s, const ConfigNode& v) { s.parallelism.offload = v.text(); }));
    r.push_back(Row("parallelism.microbatches", T::integer, "pipeline micro-batches in flight on the first stage "
                                                            "(0 = the pipeline size)")
                    .range(0, 1 << 20).def("0").fast(KeyEffect::prepare)
                    .to([](Scenario& s, const ConfigNode& v) { s.parallelism.microbatches = i64(v); }));
    r.push_back(Row("parallelism.reshard_after_forward", T::enumeration, "FSDP2 fully_shard reshard_after_forward: "
                                                                         "true frees each layer's unsharded "
                                                                         "parameters after its forward, false keeps "
                                                                         "them until its backward; auto = true, false "
                                                                         "with pipeline parallelism (torchtitan)")
                    .one_of({"auto", "true", "false"}).bools("true", "false").def("auto")
                    .to([](Scenario& s, const ConfigNode& v) { s.parallelism.reshard_after_forward = v.text(); }));

    r.push_back(Row("hardware.gpu", T::string, "fuzzy-matched catalog name (vram gpus)")
                    .to([](Scenario& s, const ConfigNode& v) { s.hardware.gpu = v.text(); }));
    r.push_back(Row("hardware.memory_gib", T::number, "usable GiB per GPU: alone, a GPU of that size; with hardware.gpu, that catalog GPU with this much usable memory (as an engine log measured it)")
                    .range(1e-3, 1e9).fast(KeyEffect::revalidate)
                    .to([](Scenario& s, const ConfigNode& v) { s.hardware.memory_gib = v.as_number(); }));
    r.push_back(Row("hardware.count", T::integer, "GPUs; auto = the fewest that fit").range(1, kMaxGpus).also("auto")
                    .def("1").fast(KeyEffect::prepare).to([](Scenario& s, const ConfigNode& v) {
                        s.hardware.count_auto = v.is_string();
                        s.hardware.count = v.is_string() ? 0 : i64(v);
                    }));
    r.push_back(Row("hardware.catalog", T::string, "an extra CSV GPU catalog, relative to the scenario file")
                    .to([](Scenario& s, const ConfigNode& v) { s.hardware.catalog = v.text(); }));

    r.push_back(Row("runtime.engine", T::string, "engine memory semantics: hf, vllm, sglang, trtllm (TensorRT-LLM), llama.cpp (+ plugins)")
                    .def("hf").from(KeyCatalog::runtimes)
                    .to([](Scenario& s, const ConfigNode& v) { s.runtime.engine = v.text(); }));

    std::vector<std::string> frameworks;
    for (const auto& f : training_frameworks()) frameworks.emplace_back(f.name);
    r.push_back(Row("runtime.framework", T::enumeration, "training framework whose defaults fill the keys this "
                                                         "scenario leaves unset (docs/training.md \"Frameworks\": "
                                                         "checkpointing, precision, sharding, sequence length, "
                                                         "optimizer path, each from the framework's source)")
                    .one_of(frameworks)
                    .to([](Scenario& s, const ConfigNode& v) { s.runtime.framework = v.text(); }));

    r.push_back(Row("plugins[]", T::string, "a plugin file or directory, relative to the scenario file"));

    r.push_back(Row("components[].name", T::string, "id of the term").required("every component needs a name"));
    r.push_back(Row("components[].category", T::string, "weights, kv_cache, activations ... (docs/research.md)")
                    .def("other"));
    r.push_back(Row("components[].formula", T::string, "expression over symbols (vram symbols)")
                    .required("every component needs a formula"));
    r.push_back(Row("components[].replaces", T::string, "id of a built-in component this one replaces"));
    r.push_back(Row("components[].source", T::string, "citation shown by --explain"));
    return {r.begin(), r.end()};
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
    return out;
}

std::string limit(double x) {
    if (std::isinf(x)) return x > 0 ? "any" : "-any";
    return format_number(x);
}

}  // namespace

const std::vector<SchemaKey>& scenario_schema() {
    static const std::vector<SchemaKey> table = build_table();
    return table;
}

const SchemaKey* find_schema_key(std::string_view path) {
    for (const auto& k : scenario_schema())
        if (k.path == path) return &k;
    return nullptr;
}

std::string schema_section(std::string_view path) {
    const auto dot = path.rfind('.');
    return dot == std::string_view::npos ? std::string() : std::string(path.substr(0, dot));
}

std::vector<std::string> schema_children(std::string_view section) {
    std::vector<std::string> out;
    for (const auto& k : scenario_schema())
        if (schema_section(k.path) == section && !k.path.ends_with("[]"))  // plugins[]: the items, no key
            out.push_back(section.empty() ? k.path : k.path.substr(section.size() + 1));
    return out;
}

const char* key_type_name(KeyType type) {
    switch (type) {
        case KeyType::string: return "string";
        case KeyType::integer: return "integer";
        case KeyType::number: return "number";
        case KeyType::boolean: return "boolean";
        case KeyType::enumeration: return "enum";
        case KeyType::list: return "list";
        case KeyType::map: return "map";
    }
    return "value";
}

ConfigNode check_schema_value(const SchemaKey& key, const ConfigNode& v, const std::string& path,
                              const std::string& where) {
    auto fail = [&](const std::string& what) -> void { throw ScenarioError(where, path + ": " + what); };
    switch (key.type) {
        case KeyType::map:
            if (!v.is_map()) fail("expected " + (key.expected.empty() ? "a map" : key.expected) + ", got " + describe(v.kind()));
            return v;
        case KeyType::list:
            if (!v.is_list()) fail("expected " + (key.expected.empty() ? "a list" : key.expected) + ", got " + describe(v.kind()));
            return v;
        case KeyType::boolean:
            if (!v.is_bool()) fail(std::string("expected true or false, got ") + describe(v.kind()));
            return v;
        case KeyType::integer:
        case KeyType::number: {
            if (!key.word.empty() && v.is_string()) {
                if (v.as_string() != key.word)
                    fail("'" + v.as_string() + "' is not allowed; allowed: a positive integer or " + key.word);
                return v;
            }
            if (!v.is_number())
                fail(std::string("expected a number, got ") + (v.is_string() ? "'" + v.as_string() + "'" : describe(v.kind())));
            const double x = v.as_number();
            if (!std::isfinite(x)) fail("must be a finite number, got " + v.text());
            if (x < key.min || x > key.max)
                fail("value " + v.text() + " is out of range; allowed: " + limit(key.min) + " to " + limit(key.max));
            if (key.type == KeyType::integer && !v.is_integer()) fail("expected an integer, got " + v.text());
            return v;
        }
        case KeyType::string:
        case KeyType::enumeration: {
            if (v.is_bool() && !(v.as_bool() ? key.bool_true : key.bool_false).empty())
                return ConfigNode::make_string(v.as_bool() ? key.bool_true : key.bool_false, v.mark());
            if (!v.is_string() && !v.is_number()) fail(std::string("expected a string, got ") + describe(v.kind()));
            bool ok = key.choices.empty();
            for (const auto& c : key.choices) ok = ok || c == v.text();
            if (!ok) fail("'" + v.text() + "' is not allowed; allowed: " + join(key.choices));
            return ConfigNode::make_string(v.text(), v.mark());
        }
    }
    return v;
}

std::string unknown_key_message(const std::string& key, std::string_view section) {
    const auto allowed = schema_children(section);
    const auto close = closest_names(key, allowed, 1);
    std::string msg = "unknown key '" + key + "'";
    if (!close.empty()) msg += " (did you mean '" + close.front() + "'?)";
    return msg + "; allowed: " + join(allowed);
}

std::vector<std::string> settable_keys() {
    std::vector<std::string> out;
    for (const auto& k : scenario_schema())
        if (k.assign && k.path.find("[]") == std::string::npos) out.push_back(k.path);
    return out;
}

ConfigNode typed_override(const std::string& path, const std::string& text, const std::string& origin) {
    const std::string where = origin.empty() ? "--set " + path : origin;
    // Plugin option blocks and inline architectures take keys the table cannot know; their
    // owners check them once the plugins are loaded.
    std::string section = path;
    const SchemaKey* key = path.find('[') == std::string::npos ? find_schema_key(path) : nullptr;
    while (!key && !section.empty()) {
        section = schema_section(section);
        const SchemaKey* parent = section.empty() ? nullptr : find_schema_key(section);
        if (parent && (parent->plugin_options || parent->path == "model.architecture")) {
            key = parent;
            break;
        }
        if (parent || section.empty()) {
            // Siblings when the section is known, else every settable key: a section name
            // would win on the substring rule of closest_names and say nothing useful.
            std::vector<std::string> all;
            if (parent)
                for (const auto& c : schema_children(section)) all.push_back(section + "." + c);
            else
                all = settable_keys();
            const auto close = closest_names(path, all, 1);
            std::string msg = where + ": unknown key '" + path + "'";
            if (!close.empty()) msg += " (did you mean '" + close.front() + "'?)";
            throw UsageError(msg + "; allowed: " + (section.empty() ? join(schema_children(""))
                                                                    : join(schema_children(section))) +
                             " (vram schema lists every key)");
        }
    }
    ConfigNode value = parse_yaml_text(text, where);
    if (key->path == path && (key->type == KeyType::string || key->type == KeyType::enumeration) &&
        (value.is_map() || value.is_list()))
        value = ConfigNode::make_string(text);  // "--set name=a: b" names a scenario, it is no map
    value.set_mark({});
    return value;
}

}  // namespace vram
