// runtime_serving.cpp - plugin entry: vLLM, SGLang, TensorRT-LLM and llama.cpp runtime profiles and
// their terms.
// SPDX-License-Identifier: Apache-2.0
#include "serving.hpp"
#include "trtllm.hpp"
#include "vram/plugin_api.hpp"

VRAM_PLUGIN(vram_runtime_serving, "0.1.0") {
    using namespace vram::plugins;
    declare_vllm_symbols(reg);
    declare_sglang_symbols(reg);
    declare_llama_cpp_symbols(reg);
    declare_trtllm_symbols(reg);
    reg.add(std::make_unique<VllmRuntime>());
    reg.add(std::make_unique<VllmRopeTableTerm>());
    reg.add(std::make_unique<VllmMxfp4PaddingTerm>());
    reg.add(std::make_unique<VllmLoraSlotsTerm>());
    reg.add(std::make_unique<VllmKvCacheTerm>());
    reg.add(std::make_unique<VllmProfilePeakTerm>());
    reg.add(std::make_unique<VllmEncoderOutputsTerm>());
    reg.add(std::make_unique<VllmNonTorchTerm>());
    reg.add(std::make_unique<VllmKvReserveTerm>());
    reg.add(std::make_unique<VllmNcclTerm>());
    reg.add(std::make_unique<VllmCudaGraphTerm>());
    reg.add(std::make_unique<VllmKvConnectorTerm>());
    reg.add(std::make_unique<SglangRuntime>());
    reg.add(std::make_unique<SglangRopeTableTerm>());
    reg.add(std::make_unique<SglangWeightSegmentsTerm>());
    reg.add(std::make_unique<SglangKvCacheTerm>());
    reg.add(std::make_unique<SglangKvReserveTerm>());
    reg.add(std::make_unique<SglangPrefillPeakTerm>());
    reg.add(std::make_unique<SglangDistInitTerm>());
    reg.add(std::make_unique<SglangCudaGraphTerm>());
    reg.add(std::make_unique<SglangOffloadedLayerCopyTerm>());
    reg.add(std::make_unique<TrtllmRuntime>());
    reg.add(std::make_unique<TrtllmLmHeadCopyTerm>());
    reg.add(std::make_unique<TrtllmExecutionContextTerm>());
    reg.add(std::make_unique<TrtllmRuntimeBuffersTerm>());
    reg.add(std::make_unique<TrtllmDecoderTerm>());
    reg.add(std::make_unique<TrtllmKvCacheTerm>());
    reg.add(std::make_unique<TrtllmKvReserveTerm>());
    reg.add(std::make_unique<LlamaCppRuntime>());
    reg.add(std::make_unique<LlamaCppWeightsTerm>());
    reg.add(std::make_unique<LlamaCppKvCacheTerm>());
    reg.add(std::make_unique<LlamaCppComputeTerm>());
}
