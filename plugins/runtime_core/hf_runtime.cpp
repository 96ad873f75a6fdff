// hf_runtime.cpp - options of the transformers runtime profile.
// SPDX-License-Identifier: Apache-2.0
#include "hf_runtime.hpp"

namespace vram::plugins {

std::vector<ParamSpec> HfRuntime::params() const {
    ParamSpec ctx_mib{"cuda_context_mib", ParamType::number, "500",
                      "CUDA context + kernels per process per GPU, MiB (PyTorch with lazy module loading: ~300-500; "
                      "1343 measured on V100/CUDA 11.2)", 0, 65536, {}};
    ParamSpec attn{"attention_implementation", ParamType::string, "sdpa",
                   "attn_implementation of the model: sdpa and flash_attention_2 never hold the s x s scores, eager does",
                   0, 0, {"sdpa", "flash_attention_2", "eager"}};
    return {ctx_mib, attn};
}

void HfRuntime::prepare(Context& ctx, const Params& options) const {
    ctx.set(Sym::cuda_context, options.number("cuda_context_mib") * kMiB);
    if (options.string("attention_implementation") == "eager") ctx.set(Sym::flash, 0.0);
    else if (ctx[Sym::training] == 0) ctx.set(Sym::flash, 1.0);
    ctx.notes.push_back("runtime hf: eager transformers semantics (DynamicCache holds every token, generate() keeps "
                        "last-position logits); CUDA context " + format_number(options.number("cuda_context_mib")) +
                        " MiB per process");
}

}  // namespace vram::plugins
