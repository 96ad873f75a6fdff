// overhead.cpp - fixed per-process costs (formulas.md §4.1).
// SPDX-License-Identifier: Apache-2.0
#include "terms.hpp"

namespace vram::plugins {

Bytes CudaContextTerm::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes = to_bytes(ctx[Sym::cuda_context], kId.data());
    if (explain) *explain = format_number(ctx[Sym::cuda_context] / kMiB) + " MiB = " + format_count(bytes) + " B";
    return bytes;
}

}  // namespace vram::plugins
