// overhead.cpp - fixed per-process costs (formulas.md §4.1).
// SPDX-License-Identifier: Apache-2.0
#include "terms.hpp"

namespace vram::plugins {

std::string_view CudaContextTerm::source() const {
    return "measured: 287 MB with CUDA_MODULE_LOADING=LAZY vs 667 MB eager (pytorch PR #86509); ~300-400 MB with "
           "lazy loading on CUDA >= 11.7 (pytorch issues 107667, 109888); 1343 MB on V100 / CUDA 11.2 (transformers "
           "model_memory_anatomy.md). Set by the runtime profile (runtime.cuda_context_mib)";
}

Bytes CudaContextTerm::evaluate(const Context& ctx) const { return to_bytes(ctx[Sym::cuda_context], "core.overhead.cuda_context"); }

std::string CudaContextTerm::substitute(const Context& ctx) const {
    return format_number(ctx[Sym::cuda_context] / kMiB) + " MiB = " + format_count(evaluate(ctx)) + " B";
}

}  // namespace vram::plugins
