// peft_common.hpp - what the PEFT methods share: adapter dtypes, the symbols they publish for the
// training components, and the LoRA target resolution (formulas.md §6).
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vram/context.hpp"
#include "vram/params.hpp"

namespace vram::plugins {

/// Fills the method's typed facts (MethodFacts) for adapters over a frozen base: the trainable
/// tensors, their dtype, the adapter parameter count. The training terms read nothing else.
void publish_adapters(Context& ctx, const std::vector<Tensor>& adapters, double bytes_per_param);

/// Bytes per element of an adapter dtype key (fp32 4, bf16/fp16 2); throws ParamError at `path`.
double adapter_dtype_bytes(const std::string& dtype, const std::string& path);

/// ParamSpec of the adapter dtype option shared by the methods.
ParamSpec adapter_dtype_spec();

/// LoRA/QLoRA options: rank, alpha, targets, dropout, bias, use_dora, dtype.
std::vector<ParamSpec> lora_params();

/// The Linear tensors a list of PEFT target names selects (empty list: PEFT's default for the
/// model_type). Throws ParamError naming `path` when a target matches nothing or no default exists.
std::vector<const Tensor*> lora_targets(const ModelSpec& model, const std::vector<std::string>& targets,
                                        const std::string& path);

/// LoRA A/B tensors (and DoRA magnitude / LoRA bias vectors) for the selected linears.
std::vector<Tensor> lora_adapter_tensors(const std::vector<const Tensor*>& linears, std::int64_t rank, bool bias,
                                         bool dora);

/// Shared LoRA preparation (LoRA and QLoRA): resolves targets, publishes the adapters.
/// Returns the adapter parameter count.
std::int64_t prepare_lora(Context& ctx, const Params& options, const std::string& block);

}  // namespace vram::plugins
