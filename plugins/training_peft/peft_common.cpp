// peft_common.cpp - adapter dtypes and the symbols PEFT methods publish.
// SPDX-License-Identifier: Apache-2.0
#include "peft_common.hpp"

#include "vram/error.hpp"

namespace vram::plugins {

void publish_adapters(Context& ctx, const std::vector<Tensor>& adapters, double bytes_per_param) {
    ctx.trainable_tensors = adapters;
    double n = 0;
    for (const auto& t : adapters) n += static_cast<double>(t.numel()) * static_cast<double>(t.copies);
    ctx.set(Sym::P_trainable, n);
    ctx.method.frozen_base = true;
    ctx.method.trainable_bytes = bytes_per_param;
    ctx.method.adapter_params = static_cast<std::int64_t>(n);
    // Nothing of the frozen base keeps a Linear input unless an adapter reads it (prepare_lora says).
    ctx.method.kept_inputs = KeptInputs{false, false, false, false};
}

double adapter_dtype_bytes(const std::string& dtype, const std::string& path) {
    if (dtype == "fp32") return 4;
    if (dtype == "bf16" || dtype == "fp16") return 2;
    throw ParamError(path, "unknown adapter dtype '" + dtype + "'; allowed: fp32, bf16, fp16");
}

ParamSpec adapter_dtype_spec() {
    // PEFT's get_peft_model(autocast_adapter_dtype=True) (the default, peft mapping_func.py) upcasts
    // bf16/fp16 adapters to fp32; LitGPT's bf16-true and autocast_adapter_dtype=False keep them 16-bit.
    return {"dtype", ParamType::string, "fp32",
            "adapter storage dtype: fp32 (PEFT default, autocast_adapter_dtype=True) or the 16-bit base dtype",
            0, 0, {"fp32", "bf16", "fp16"}};
}

}  // namespace vram::plugins
