// hf_runtime.cpp - options of the transformers runtime profile.
// SPDX-License-Identifier: Apache-2.0
#include "hf_runtime.hpp"

#include "generate_allocator.hpp"

#include <array>
#include <cctype>

#include "vram/error.hpp"

namespace vram::plugins {

namespace {

// "2.1", "2.1.0", "2.2.0.dev20231001+cu121": the numeric major.minor.patch prefix. A missing
// patch counts as 0; anything else is a one-line error naming the key.
std::array<int, 3> parse_version(const std::string& text, const std::string& path) {
    std::array<int, 3> v{0, 0, 0};
    std::size_t i = 0;
    int parts = 0;
    while (parts < 3) {
        if (i >= text.size() || !std::isdigit(static_cast<unsigned char>(text[i]))) break;
        int n = 0;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && n < 100000)
            n = n * 10 + (text[i++] - '0');
        v[static_cast<std::size_t>(parts++)] = n;
        if (i < text.size() && text[i] == '.') ++i;
        else break;
    }
    if (parts < 2)
        throw ParamError(path, "'" + text + "' is not a version; expected major.minor[.patch], e.g. 2.1 or 0.41.1");
    return v;
}

// transformers writes RMSNorm in PyTorch ops (LlamaRMSNorm and its copies); models with a
// LayerNorm carry a bias per norm. Decided here, once per scenario, not per evaluation.
bool uses_rmsnorm(const ModelSpec& m) noexcept {
    for (const Tensor& t : m.tensors) {
        if (t.group != "norms" || t.layer < 0) continue;
        const std::string& n = t.name;
        if (n.size() > 5 && n.compare(n.size() - 5, 5, ".bias") == 0) return false;
    }
    return true;
}

bool older_than(const std::array<int, 3>& v, const std::array<int, 3>& fixed) { return v < fixed; }

// The same facts as declared symbols, for formulas and `vram symbols` (no plugin reads them).
void set_flag(Context& ctx, const char* name, bool on) { ctx.set(ctx.symbol(name), on ? 1.0 : 0.0); }

}  // namespace

std::vector<ParamSpec> HfRuntime::params() const {
    ParamSpec ctx_mib{"cuda_context_mib", ParamType::number, "500",
                      "CUDA context + kernels per process per GPU, MiB (PyTorch with lazy module loading: ~300-500; "
                      "1343 measured on V100/CUDA 11.2)", 0, 65536, {}};
    ParamSpec attn{"attention_implementation", ParamType::string, "sdpa",
                   "attn_implementation of the model: sdpa and flash_attention_2 never hold the s x s scores, eager does",
                   0, 0, {"sdpa", "flash_attention_2", "eager"}};
    ParamSpec torch{"torch_version", ParamType::string, "2.5",
                    "PyTorch release the job runs; before 2.2 mean() saved its input for backward (PR #109935), so "
                    "every RMSNorm keeps its fp32 x² as well", 0, 0, {}};
    ParamSpec bnb{"bitsandbytes_version", ParamType::string, "0.45.0",
                  "bitsandbytes release; before 0.43.2 MatMul4Bit saved the input of every 4-bit Linear for backward "
                  "(PR #1270), frozen or not", 0, 0, {}};
    ParamSpec upcast{"rmsnorm_upcast", ParamType::boolean, "true",
                     "RMSNorm computes in fp32 and saves that copy (transformers' LlamaRMSNorm); false for an RMSNorm "
                     "that stays in the compute dtype (LitGPT's lit_gpt/rmsnorm.py of 2023)", 0, 0, {}};
    ParamSpec cache{"cache_implementation", ParamType::string, "dynamic",
                    "generate()'s KV cache: dynamic (DynamicCache: each decode step replaces K and V by a copy one "
                    "token longer, which the caching allocator leaves cached) or static (allocated once for the whole "
                    "sequence)", 0, 0, {"dynamic", "static"}};
    ParamSpec expandable{"expandable_segments", ParamType::boolean, "false",
                         "PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True: one segment per pool grows in pages",
                         0, 0, {}};
    ParamSpec max_split{"max_split_size_mb", ParamType::number, "0",
                        "PYTORCH_CUDA_ALLOC_CONF max_split_size_mb: cached blocks this large are not split; 0 = "
                        "unlimited (PyTorch's default)", 0, 1 << 24, {}};
    ParamSpec adamw{"adamw_implementation", ParamType::string, "auto",
                    "torch.optim.AdamW's path: foreach (out-of-place sqrt of exp_avg_sq at the step), fused or for_loop "
                    "(in place); auto = what transformers' default optim picks: adamw_torch (foreach) before PyTorch "
                    "2.8, adamw_torch_fused from 2.8 (transformers PR #37358)", 0, 0,
                    {"auto", "foreach", "fused", "for_loop"}};
    return {ctx_mib, attn, torch, bnb, upcast, cache, expandable, max_split, adamw};
}

void HfRuntime::prepare(Context& ctx, const Params& options) const {
    ctx.set(Sym::cuda_context, options.number("cuda_context_mib") * kMiB);
    if (options.string("attention_implementation") == "eager") ctx.set(Sym::flash, 0.0);
    else if (ctx[Sym::training] == 0) ctx.set(Sym::flash, 1.0);
    // What autograd keeps differs between library releases; the training terms read these typed
    // facts (EngineFacts; plugins/training_core activations.cpp, docs/training.md "Library versions").
    const auto torch = parse_version(options.string("torch_version"), "runtime.torch_version");
    const auto bnb = parse_version(options.string("bitsandbytes_version"), "runtime.bitsandbytes_version");
    EngineFacts& e = ctx.engine;
    e.mean_saves_input = older_than(torch, {2, 2, 0});
    e.bnb_4bit_saves_input = older_than(bnb, {0, 43, 2});
    e.rmsnorm = uses_rmsnorm(ctx.model());
    e.rmsnorm_upcast = options.flag("rmsnorm_upcast");
    set_flag(ctx, kMeanSavesInput, e.mean_saves_input);
    set_flag(ctx, kBnbSavesInput, e.bnb_4bit_saves_input);
    set_flag(ctx, kRmsNorm, e.rmsnorm);
    set_flag(ctx, kRmsNormUpcast, e.rmsnorm_upcast);
    set_flag(ctx, kStaticCache, options.string("cache_implementation") == "static");
    const std::string& adamw = options.string("adamw_implementation");
    set_flag(ctx, kAdamwForeach, adamw == "foreach" || (adamw == "auto" && older_than(torch, {2, 8, 0})));
    set_flag(ctx, kAllocExpandable, options.flag("expandable_segments"));
    ctx.set(ctx.symbol(kAllocMaxSplit), options.number("max_split_size_mb") * kMiB);
    ctx.notes.push_back("runtime hf: eager transformers semantics (DynamicCache holds every token, generate() keeps "
                        "last-position logits); CUDA context " + format_number(options.number("cuda_context_mib")) +
                        " MiB per process; torch " + options.string("torch_version") + ", bitsandbytes " +
                        options.string("bitsandbytes_version"));
}

}  // namespace vram::plugins
