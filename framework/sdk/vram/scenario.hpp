// vram/scenario.hpp - the typed scenario every plugin reads (contract.md, YAML v1)
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "vram/config_node.hpp"
#include "vram/export.hpp"
#include "vram/params.hpp"

namespace vram {

/// Where the model comes from: exactly one of preset, config, architecture, hub, parameters.
struct ModelSource {
    std::string preset;        ///< presets/models/NAME.yaml
    std::string config;        ///< path to a Hugging Face config.json (resolved against the scenario)
    ConfigNode architecture;   ///< inline HF-style keys
    std::string hub;           ///< org/name on a model hub
    std::string revision = "main";
    /// Only a parameter count (70e9): a weights-only answer; what needs the architecture (KV
    /// cache, activations) is reported as unknown, never guessed. 0 = not given.
    double parameters = 0;
    std::int64_t layers = 0;   ///< optional with parameters: num_hidden_layers
    std::int64_t hidden = 0;   ///< optional with parameters: hidden_size
    std::string family;        ///< model.family: build with this family instead of the one model_type selects
};

struct WorkloadSpec {
    std::string type = "inference";     ///< inference | training
    std::int64_t batch_size = 1;        ///< sequences in flight / micro-batch per GPU
    std::int64_t sequence_length = 2048;///< tokens per sequence (prompt + generated / sample)
    std::int64_t prompt_length = 0;     ///< inference: tokens of the prompt (0 = the whole sequence)
    /// training: sample lengths of a dataset sample (tokens); empty = every sample is
    /// sequence_length long. The peak micro-batch is built from its batch_size longest.
    std::vector<std::int64_t> lengths;
    std::string batching = "pad_longest";  ///< pad_longest | pad_max_length | packing | padding_free
};

struct PrecisionSpec {
    std::string weights = "bf16";   ///< weight format name (core.format.*)
    std::string kv_cache;           ///< KV dtype; empty = the compute dtype
    std::string activations;        ///< compute dtype; empty = derived from the weights
    ConfigNode options;             ///< format options (group_size, block scales ...), a map
    /// Modules the checkpoint keeps in the compute dtype although the format quantizes their kind
    /// (transformers modules_to_not_convert, bitsandbytes llm_int8_skip_modules, compressed-tensors
    /// ignore): dotted module names matched at name boundaries, or "re:" regular expressions.
    std::vector<std::string> modules_to_not_convert;
};

struct TrainingSpec {
    std::string method = "full";        ///< full | lora | qlora | prefix | ...
    std::string objective = "sft";      ///< sft | pretrain | dpo | grpo
    std::string optimizer = "adamw";
    std::string mixed_precision = "none";   ///< none | fp16 | bf16 (AMP: fp32 weights)
    std::string gradient_checkpointing = "none";  ///< none | full | selective | op
    /// Which layers `full` checkpointing covers: uniform (groups of recompute_num_layers layers,
    /// Megatron --recompute-method uniform), block (the first recompute_num_layers layers of each
    /// pipeline stage), interval (every recompute_num_layers-th layer, torchtitan's layer SAC).
    std::string recompute_method = "uniform";
    std::int64_t recompute_num_layers = 1;
    /// Saved activations moved to host memory: none | checkpoints (the checkpointed layer inputs,
    /// Unsloth's offloaded gradient checkpointing) | all (every saved tensor, save_on_cpu).
    std::string activation_offload = "none";
    /// Checkpointing of the modality encoders (vision tower, audio encoder): auto = as
    /// gradient_checkpointing, else none | full | selective (ms-swift vit_gradient_checkpointing).
    std::string encoder_gradient_checkpointing = "auto";
    bool flash_attention = true;
    /// What runs under torch.compile: none | blocks (each decoder layer, torchtitan's apply_compile;
    /// the output layer and the loss eager) | model (the whole model with its loss, HF Trainer
    /// torch_compile=True). AOTAutograd's min-cut partitioner saves matmul and attention outputs and
    /// recomputes pointwise ops; Inductor fuses the loss (docs/training.md "torch.compile").
    std::string torch_compile = "none";
    /// How the loss is computed: standard (logits materialized; the engine's convention) or
    /// liger_flce (Liger's fused linear cross-entropy: logits only chunk by chunk).
    std::string loss = "standard";
    /// FP8 / FP4 training of the decoder's Linear layers: none | delayed | tensorwise | blockwise
    /// | mxfp8 | nvfp4 (Transformer Engine recipes, Megatron --fp8-recipe / --fp4-recipe) |
    /// rowwise (torchao Float8).
    std::string fp8_recipe = "none";
    /// Who runs it: auto (torchao under runtime.framework torchtitan, else Transformer Engine) |
    /// transformer_engine | torchao.
    std::string fp8_backend = "auto";
    /// The Linear weights are stored quantized (Megatron --fp8-param-gather; torchao / torchtitan
    /// enable_fsdp_float8_all_gather): no 16-bit copy of them on the GPU.
    bool fp8_param_gather = false;
    ConfigNode blocks;   ///< method/objective blocks (lora:, grpo:, dpo: ...), a map
};

struct ParallelismSpec {
    std::int64_t tensor = 1;
    std::int64_t pipeline = 1;
    std::int64_t data = 1;
    std::int64_t expert = 1;
    std::int64_t context = 1;
    std::int64_t zero = 0;               ///< DeepSpeed ZeRO stage 0-3
    std::string fsdp = "none";           ///< none | full_shard | shard_grad_op
    bool sequence_parallel = false;
    std::string offload = "none";        ///< none | optimizer | optimizer+parameters
    std::int64_t microbatches = 0;       ///< pipeline micro-batches in flight (0 = pipeline size)
    /// FSDP2 reshard_after_forward: auto (true, false with pipeline parallelism as torchtitan
    /// sets it), true (free each unsharded layer after its forward), false (keep it to backward).
    std::string reshard_after_forward = "auto";
};

struct HardwareSpec {
    std::string gpu;            ///< fuzzy-matched catalog name; with memory_gib, that GPU with memory_gib usable
    double memory_gib = 0;      ///< explicit usable memory per GPU (GiB) instead of a catalog GPU
    std::int64_t count = 1;     ///< GPUs; 0 when count_auto
    bool count_auto = false;
    std::string catalog;        ///< extra CSV catalog
};

struct RuntimeSpec {
    std::string engine = "hf";  ///< hf | vllm | llama.cpp
    /// Training framework whose defaults filled the keys the scenario left unset (runtime.framework;
    /// empty = none).
    std::string framework;
    ConfigNode options;         ///< engine options, a map (validated by the runtime profile)
};

/// One multimodal input attached to every sequence.
struct InputSpec {
    std::string modality;       ///< image | video | audio
    std::int64_t width = 0;
    std::int64_t height = 0;
    std::int64_t count = 1;
    double seconds = 0;
    double fps = 0;
    std::string tokenizer;      ///< override of the family's tokenizer plugin
    ConfigNode options;
};

/// A research component written as an expression (issue "Research prototyping").
struct ExpressionSpec {
    std::string name;
    std::string category = "other";
    std::string formula;
    std::string replaces;        ///< id of a built-in component this one replaces
    std::string source;
    std::string path;            ///< "components[2]" for messages
};

/// A validated scenario. Plugins read it through Context::scenario().
struct Scenario {
    std::string name;
    std::string file;            ///< the YAML file ("" for inline)
    std::string directory;       ///< relative paths in the scenario resolve against this
    ModelSource model;
    PrecisionSpec precision;
    WorkloadSpec workload;
    std::vector<InputSpec> inputs;
    TrainingSpec training;
    ParallelismSpec parallelism;
    HardwareSpec hardware;
    RuntimeSpec runtime;
    std::vector<std::string> plugins;
    std::vector<ExpressionSpec> components;
    /// key path -> position in the file, for errors found after parsing.
    std::map<std::string, SourceMark> marks;
    /// key path -> the command-line argument that set it ("--set workload.batch_size=8",
    /// "--batch 8"): errors in such a value name the argument, not the file.
    std::map<std::string, std::string> origins;

    bool training_run() const noexcept { return workload.type == "training"; }
    /// "file:line:col" for a key path, or the command-line argument that set it (falls back to
    /// the closest parent, then to the file).
    VRAM_API std::string where(const std::string& key_path) const;
};

}  // namespace vram
