// vram/runtime.hpp - runtime profiles: how an engine allocates memory
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>
#include <vector>

#include "vram/context.hpp"
#include "vram/export.hpp"
#include "vram/params.hpp"

namespace vram {

/// Runtime profile plugin kind (hf, vllm, llama.cpp). Options are the keys of the scenario's
/// `runtime:` block besides `engine`. Its components check the engine in applies().
class VRAM_API RuntimeProfile {
public:
    virtual ~RuntimeProfile();
    virtual std::string_view name() const = 0;   ///< "core.runtime.vllm"
    virtual std::string_view key() const = 0;    ///< "vllm"
    virtual std::vector<ParamSpec> params() const { return {}; }
    /// Defines the engine's symbols (e.g. vllm_util) from its options.
    virtual void prepare(Context& ctx, const Params& options) const = 0;
    /// Tokens of KV cache one GPU can hold under this engine, given the rest of the breakdown
    /// (`other_bytes`: every non-KV term on the GPU). Default: (gpu_mem - other) / KV per token.
    virtual double max_kv_tokens(const Context& ctx, double other_bytes, double kv_bytes_per_token) const;
};

}  // namespace vram
