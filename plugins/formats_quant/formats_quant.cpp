// formats_quant.cpp - plugin entry: quantized weight formats (bitsandbytes, MXFP4, GPTQ, AWQ,
// compressed-tensors int4 / w8a8, GGUF file types).
// SPDX-License-Identifier: Apache-2.0
#include "quant_formats.hpp"
#include "vram/plugin_api.hpp"

VRAM_PLUGIN(vram_formats_quant, "0.1.0") {
    using namespace vram::plugins;
    reg.add(std::make_unique<Bnb4BitFormat>(false));
    reg.add(std::make_unique<Bnb4BitFormat>(true));
    reg.add(std::make_unique<Mxfp4Format>());
    reg.add(std::make_unique<GroupQuantFormat>(GroupQuantFormat::Kind::gptq));
    reg.add(std::make_unique<GroupQuantFormat>(GroupQuantFormat::Kind::awq));
    reg.add(std::make_unique<GroupQuantFormat>(GroupQuantFormat::Kind::int4));
    reg.add(std::make_unique<GroupQuantFormat>(GroupQuantFormat::Kind::w8a8));
    reg.add(std::make_unique<GgufFormat>(GgufFormat::Ftype::q4_0));
    reg.add(std::make_unique<GgufFormat>(GgufFormat::Ftype::q8_0));
    reg.add(std::make_unique<GgufFormat>(GgufFormat::Ftype::q4_k_m));
    reg.add(std::make_unique<GgufFormat>(GgufFormat::Ftype::q5_k_m));
    reg.add(std::make_unique<GgufFormat>(GgufFormat::Ftype::q6_k));
}
