// cpu_offload.cpp - vLLM's and SGLang's `--cpu-offload-gb`: decoder-layer weights kept in pinned
// host memory. Both engines build the decoder stack with make_layers, which passes every layer
// through maybe_offload_to_cpu (vLLM model_executor/models/utils.py, PR #6496; SGLang
// utils/offloader.py OffloaderV1): parameter after parameter moves to the host while the bytes
// moved by this process are under cpu_offload_gb · 2^30. The framework walks the same order
// (sharding.cpp offloaded_tensors) once the runtime sets EngineFacts::weight_offload_budget, so
// the weights, the engines' "model loading" figures and the pools that follow them all leave the
// host copy out; core.weights reports it in the host_bytes view.
//
// What runs the offloaded layers differs: vLLM V1 maps the pinned copy into the GPU's address
// space (UVA, get_cuda_view_from_cpu_tensor: "V1 CPU offloading requires uva") and reads it over
// PCIe with no GPU copy; vLLM V0 and SGLang copy the layer's state to the GPU for each forward
// and call torch.func.functional_call, so one layer's offloaded parameters are on the GPU again
// while it runs (vLLM V0: inside the profile run's peak, vllm.cpp; SGLang: the term below).
// SPDX-License-Identifier: Apache-2.0
#include "serving.hpp"
#include "vram/bytes.hpp"
#include "vram/sharding.hpp"

#include <cmath>

namespace vram::plugins {

ParamSpec cpu_offload_param() {
    return {"cpu_offload_gb", ParamType::number, "0",
            "weights each GPU's process keeps in pinned host memory, GiB (--cpu-offload-gb; the engine divides by "
            "1024^3): decoder-layer parameters in model order until the budget is spent; embeddings, LM head and "
            "vision tower stay on the GPU",
            0, 1 << 20, {}};
}

void set_cpu_offload(Context& ctx, double gib, const char* engine) {
    if (gib <= 0) return;
    ctx.engine.weight_offload_budget = gib * kGiB;
    ctx.notes.push_back(std::string("runtime ") + engine + ": cpu_offload_gb " + format_number(gib) +
                        " keeps decoder-layer weights in host memory (host_bytes view) and reads them per forward");
}

bool SglangOffloadedLayerCopyTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] == 0 && sglang_engine(ctx) && ctx.engine.weight_offload_budget > 0;
}

Bytes SglangOffloadedLayerCopyTerm::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes = to_bytes(largest_offloaded_layer_bytes(ctx), kId.data());
    if (explain)
        *explain = "largest decoder layer's offloaded parameters on this rank, copied back for its forward = " +
                   format_count(bytes) + " B";
    return bytes;
}

}  // namespace vram::plugins
