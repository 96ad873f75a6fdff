// vram/runtime.hpp - runtime profiles: how an engine allocates memory
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vram/context.hpp"
#include "vram/export.hpp"
#include "vram/params.hpp"

namespace vram {

/// Runtime profile plugin kind (hf, vllm, sglang, llama.cpp). Options are the keys of the scenario's
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
    /// Whether the engine starts and holds the whole batch at once, beyond the bytes fitting the
    /// GPU (vLLM: a KV pool left after the profile run, one max_model_len request, every sequence
    /// of the batch in the pool; llama.cpp: n_ctx holds the batch). A scenario fits only when this
    /// holds too, so `run`, `fit`, `sweep` and `recommend` share one verdict. When it does not and
    /// `reason` is not null, writes the engine's reason there ("the KV pool holds 63 sequences of
    /// 8,192 tokens; a batch of 64 waits"). Hot path when `reason` is null: no allocation.
    virtual bool admits(const Context& ctx, std::string* reason) const;
};

}  // namespace vram
