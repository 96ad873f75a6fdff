// vram/context.hpp - the quantities a scenario implies, each with the plugin that set it
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vram/bytes.hpp"
#include "vram/export.hpp"
#include "vram/gpu_catalog.hpp"
#include "vram/model.hpp"
#include "vram/plan.hpp"
#include "vram/scenario.hpp"
#include "vram/symbols.hpp"

namespace vram {

class Optimizer;  // vram/training.hpp

/// Well-known symbols. Their names (see symbol_name()) are also the symbols of the expression
/// language; docs/symbols.md lists unit and meaning. Plugins declare more at registration
/// (Registrar::declare) and set them with set(symbol("name"), v).
enum class Sym : std::uint16_t {
    b,            ///< sequences per GPU step (batch or micro-batch, after method multipliers)
    s,            ///< tokens per sequence, modality tokens included
    h, L, n_q, n_kv, head_dim, F, V,
    P_total,      ///< exact parameter count
    P_active,     ///< parameters used per token (MoE: top-k experts)
    P_trainable,  ///< parameters that receive gradients
    G,            ///< GRPO generations per prompt (1 otherwise)
    t, p, dp, ep, cp,   ///< tensor, pipeline, data, expert, context parallel sizes
    zero,         ///< ZeRO stage (FSDP full_shard = 3, shard_grad_op = 2)
    stage,        ///< pipeline stage of the rank being evaluated (0-based)
    bytes_w,      ///< average stored bytes per weight (scales included)
    bytes_kv,     ///< bytes per KV-cache element
    bytes_act,    ///< bytes per activation element (compute dtype)
    W,            ///< weight bytes of the whole model in its storage format
    kv_per_token, ///< KV bytes per token, all layers, unsharded
    gpu_mem,      ///< usable bytes per GPU
    gpus,         ///< GPUs in the job
    training,     ///< 1 for a training workload, 0 for inference
    flash,        ///< 1 when attention kernels never materialize the s × s scores (flash/SDPA)
    cuda_context, ///< bytes per process per GPU for the CUDA context and kernels (runtime profile)
    bytes_trainable, ///< stored bytes per trainable parameter (MethodFacts::trainable_bytes)
    adapter_params,  ///< trainable parameters outside the model's weights (MethodFacts::adapter_params)
    frozen_base,     ///< 1 when the base model is frozen (MethodFacts::frozen_base)
    count_
};

/// Name of a well-known symbol ("b", "P_total" ...).
VRAM_API const char* symbol_name(Sym sym) noexcept;

/// The built-in symbols (enum Sym order), owner "core". The host appends declared symbols.
VRAM_API SymbolTable builtin_symbols();

/// One run of layers that cache the same way (KV cache or recurrent state).
struct KvGroup {
    std::string label;                ///< "full attention (GQA)", "sliding window 4096", "MLA latent" ...
    std::int64_t layers = 0;          ///< decoder layers in the group
    std::int64_t elements_per_token = 0;  ///< cached elements per token per layer (K and V together)
    std::int64_t heads = 1;           ///< KV heads the elements are split over under tensor parallelism
    bool replicated = false;          ///< every TP rank keeps all heads (MLA latent)
    std::int64_t window = 0;          ///< tokens kept at most (0 = every token)
    std::int64_t fixed_tokens = 0;    ///< tokens cached regardless of s (cross-attention: encoder frames)
    std::int64_t state_bytes = 0;     ///< recurrent state bytes per sequence per layer (SSM), any dtype
    /// Bytes per token per layer cached in their own dtype, whatever the KV cache dtype, split
    /// over TP like the elements (the DSA indexer's fp8 keys with an fp32 scale per 128).
    std::int64_t own_dtype_bytes_per_token = 0;
    std::string source;               ///< citation of the layout
};

/// Everything a component may read. Filled stage by stage (attention, tokenizers, weight format,
/// training method, parallelism, runtime); components only read it.
class VRAM_API Context {
public:
    /// `symbols` lists every readable symbol (built-ins first, as builtin_symbols() returns them)
    /// and must outlive the Context; null = the built-ins only.
    Context(const ModelSpec& model, const Scenario& scenario, const SymbolTable* symbols = nullptr);
    Context(const Context&) = default;
    Context& operator=(const Context&) = default;
    ~Context();

    const ModelSpec& model() const noexcept { return *model_; }
    const Scenario& scenario() const noexcept { return *scenario_; }

    /// Value of a well-known symbol (0 when no stage set it).
    double operator[](Sym sym) const noexcept { return values_[static_cast<std::size_t>(sym)]; }
    double value(std::size_t index) const noexcept { return values_[index]; }
    void set(Sym sym, double value) noexcept { set(static_cast<std::size_t>(sym), value); }
    void set(std::size_t index, double value) noexcept {
        values_[index] = value;
        origins_[index] = stage_;
    }
    /// Index of a declared symbol, for set()/value(). Throws EstimateError naming the symbol
    /// when nobody declared it (declare it with Registrar::declare at registration).
    std::size_t symbol(std::string_view name) const;
    /// Value of a declared symbol when a stage set it in this scenario, else `fallback`. Throws
    /// EstimateError for an undeclared name: a misspelt symbol never reads as 0.
    double get(std::string_view name, double fallback = 0) const;
    /// Index of a declared symbol, nullopt when undeclared (no throw; for tools and formulas).
    std::optional<std::size_t> find(std::string_view name) const noexcept;
    std::size_t symbol_count() const noexcept { return values_.size(); }
    const SymbolInfo& info(std::size_t index) const;
    bool is_set(std::size_t index) const noexcept { return origins_[index] != kUnset; }
    /// Name of the stage (plugin) that set a symbol, "" if unset.
    const std::string& origin(std::size_t index) const;

    /// Host use: names the stage whose set() calls follow.
    void begin_stage(const std::string& stage_name);

    // Structural results of the stages, read by components.
    std::vector<KvGroup> kv_groups;          ///< attention stage
    std::string attention_label;             ///< "gqa", "mla", "gqa+sliding" ...
    std::vector<Bytes> tensor_bytes;         ///< weight format stage: bytes of model().tensors[i], all copies
    std::string weight_format;               ///< key of the selected weight format ("bf16")
    std::string weight_source;               ///< citation of the weight format's bytes
    std::string kv_dtype = "bf16";           ///< KV cache dtype name
    std::string compute_dtype = "bf16";      ///< activation / compute dtype name
    std::vector<Tensor> trainable_tensors;   ///< training method stage: tensors receiving gradients
    MethodFacts method;                      ///< training method stage: what trains and what autograd keeps
    ObjectiveFacts objective;                ///< training objective stage
    EngineFacts engine;                      ///< runtime stage: what the engine's library versions keep
    Fp8Facts fp8;                            ///< fp8 stage: FP8 / FP4 training of the Linear layers
    OptimizerFacts optimizer_facts;          ///< optimizer stage: what its options decided
    std::int64_t modality_tokens = 0;        ///< tokenizers: tokens added to each sequence
    std::int64_t encoder_patches = 0;        ///< tokenizers: patches/frames the encoder towers see per sequence
    std::vector<std::pair<std::string, std::int64_t>> tokens_by_modality;
    std::vector<std::string> notes;          ///< conventions named by stages, shown by --explain
    /// Host cache: weight bytes on the rank of each pipeline stage, filled once the stages ran so
    /// that evaluations (fit, sweep) do not walk every tensor; empty = computed from the tensors.
    std::vector<std::pair<std::int64_t, double>> weight_bytes_by_stage;
    /// The GPU the scenario runs on as the catalog describes it (kind, vendor ...); null without
    /// hardware. For `hardware.memory_gib` it carries only the memory (kind empty).
    const GpuSpec* gpu = nullptr;
    /// Training: the scenario's optimizer (null otherwise), so that optimizer-state components can
    /// ask it for the state bytes of the trainable tensors on their rank.
    const Optimizer* optimizer = nullptr;

private:
    static constexpr std::uint16_t kUnset = 0xffff;
    const ModelSpec* model_;
    const Scenario* scenario_;
    const SymbolTable* symbols_;
    std::vector<double> values_;
    std::vector<std::uint16_t> origins_;
    std::vector<std::string> stage_names_;
    std::uint16_t stage_ = kUnset;
};

/// KV bytes of one sequence of `tokens` tokens on one GPU for the given groups: Σ layers ·
/// (elements · bytes_kv · min(tokens, window) + state) with heads split over `tp` (at least one
/// head per rank; replicated groups keep all). Exact integer arithmetic; throws on overflow.
VRAM_API Bytes kv_bytes_per_sequence(const std::vector<KvGroup>& groups, std::int64_t tokens,
                                     double bytes_per_element, std::int64_t tp,
                                     std::int64_t layers_divisor = 1);

}  // namespace vram
