// context.cpp - symbols with provenance, and the KV arithmetic every engine shares.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>

#include "vram/context.hpp"
#include "vram/error.hpp"

namespace vram {
namespace {

struct Builtin {
    const char* name;
    const char* unit;
    const char* meaning;
};

// Order matches enum Sym.
constexpr Builtin kBuiltins[] = {
    {"b", "sequences", "sequences per GPU step: batch (inference) or micro-batch (training), after method multipliers"},
    {"s", "tokens", "tokens per sequence, modality tokens included"},
    {"h", "", "hidden size"},
    {"L", "layers", "decoder layers"},
    {"n_q", "heads", "query heads"},
    {"n_kv", "heads", "key/value heads"},
    {"head_dim", "", "head dimension"},
    {"F", "", "MLP intermediate size"},
    {"V", "tokens", "vocabulary size"},
    {"P_total", "parameters", "exact parameter count"},
    {"P_active", "parameters", "parameters used per token (MoE: top-k experts)"},
    {"P_trainable", "parameters", "parameters that receive gradients"},
    {"G", "", "GRPO generations per prompt (1 otherwise)"},
    {"t", "GPUs", "tensor parallel size"},
    {"p", "GPUs", "pipeline parallel size"},
    {"dp", "GPUs", "data parallel size"},
    {"ep", "GPUs", "expert parallel size"},
    {"cp", "GPUs", "context parallel size"},
    {"zero", "", "ZeRO stage (FSDP full_shard = 3, shard_grad_op = 2)"},
    {"stage", "", "pipeline stage of the rank being evaluated (0-based)"},
    {"bytes_w", "bytes", "average stored bytes per weight, quantization constants included"},
    {"bytes_kv", "bytes", "bytes per KV-cache element"},
    {"bytes_act", "bytes", "bytes per activation element (compute dtype)"},
    {"W", "bytes", "weight bytes of the whole model in its storage format"},
    {"kv_per_token", "bytes", "KV-cache bytes per token, all layers, unsharded"},
    {"gpu_mem", "bytes", "usable memory per GPU"},
    {"gpus", "GPUs", "GPUs in the job"},
    {"training", "", "1 for a training workload, 0 for inference"},
    {"flash", "", "1 when attention kernels never materialize the s x s scores (flash / SDPA)"},
    {"cuda_context", "bytes", "CUDA context and kernels per process per GPU (runtime profile)"},
    {"bytes_trainable", "bytes", "stored bytes per trainable parameter, as the training method declares them"},
    {"adapter_params", "parameters", "trainable parameters stored outside the model's weights (LoRA adapters, prefixes)"},
    {"frozen_base", "flag", "1 when the training method freezes the base model (no gradients, no optimizer states)"},
};
static_assert(sizeof(kBuiltins) / sizeof(kBuiltins[0]) == static_cast<std::size_t>(Sym::count_));

const std::string kEmpty;

}  // namespace

const char* symbol_name(Sym sym) noexcept { return kBuiltins[static_cast<std::size_t>(sym)].name; }

SymbolTable builtin_symbols() {
    SymbolTable table;
    for (const auto& b : kBuiltins) table.push_back({b.name, b.unit, b.meaning, "core"});
    return table;
}

namespace {
const SymbolTable& builtin_table() {
    static const SymbolTable table = builtin_symbols();
    return table;
}
}  // namespace

Context::Context(const ModelSpec& model, const Scenario& scenario, const SymbolTable* symbols)
    : model_(&model), scenario_(&scenario), symbols_(symbols ? symbols : &builtin_table()) {
    if (symbols_->size() < static_cast<std::size_t>(Sym::count_))
        throw EstimateError("symbol table without the built-in symbols");
    values_.assign(symbols_->size(), 0.0);
    origins_.assign(symbols_->size(), kUnset);
}

Context::~Context() = default;

std::optional<std::size_t> Context::find(std::string_view name) const noexcept {
    const SymbolTable& t = *symbols_;
    for (std::size_t i = 0; i < t.size(); ++i)
        if (t[i].name == name) return i;
    return std::nullopt;
}

std::size_t Context::symbol(std::string_view name) const {
    if (auto i = find(name)) return *i;
    throw EstimateError("symbol '" + std::string(name) +
                        "' is not declared by any loaded plugin; a plugin declares the symbols it sets at "
                        "registration (Registrar::declare), `vram symbols` lists them");
}

double Context::get(std::string_view name, double fallback) const {
    const std::size_t i = symbol(name);
    return is_set(i) ? values_[i] : fallback;
}

const SymbolInfo& Context::info(std::size_t index) const { return symbols_->at(index); }

const std::string& Context::origin(std::size_t index) const {
    const auto o = origins_.at(index);
    return o == kUnset ? kEmpty : stage_names_[o];
}

void Context::begin_stage(const std::string& stage_name) {
    for (std::size_t i = 0; i < stage_names_.size(); ++i)
        if (stage_names_[i] == stage_name) {
            stage_ = static_cast<std::uint16_t>(i);
            return;
        }
    stage_names_.push_back(stage_name);
    stage_ = static_cast<std::uint16_t>(stage_names_.size() - 1);
}

Bytes kv_bytes_per_sequence(const std::vector<KvGroup>& groups, std::int64_t tokens,
                            double bytes_per_element, std::int64_t tp, std::int64_t layers_divisor) {
    // long double keeps 64 mantissa bits: exact for every realistic product, and the fractional
    // llama.cpp block dtypes (34/32, 18/32 bytes) are dyadic, so the result is exact before ceil.
    long double total = 0;
    const std::int64_t div = std::max<std::int64_t>(1, layers_divisor);
    for (const auto& g : groups) {
        const std::int64_t layers = (g.layers + div - 1) / div;
        std::int64_t heads_local = g.heads;
        if (!g.replicated && tp > 1) heads_local = std::max<std::int64_t>(1, g.heads / tp);
        const long double share = g.heads > 0 ? static_cast<long double>(heads_local) / g.heads : 1.0L;
        std::int64_t cached = tokens;
        if (g.fixed_tokens > 0) cached = g.fixed_tokens;
        else if (g.window > 0) cached = std::min(tokens, g.window);
        const long double per_token = static_cast<long double>(g.elements_per_token) * bytes_per_element +
                                      static_cast<long double>(g.own_dtype_bytes_per_token);
        const long double per_layer = per_token * share * static_cast<long double>(cached) +
                                      static_cast<long double>(g.state_bytes) * share;
        total += per_layer * static_cast<long double>(layers);
    }
    if (total >= 9.2233720368547758e18L) throw EstimateError("KV cache bytes beyond 2^63");
    return static_cast<Bytes>(std::ceil(total));
}

}  // namespace vram
