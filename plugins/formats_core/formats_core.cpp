// formats_core.cpp - plugin entry: fp32, bf16, fp16, fp8 and int8 weights.
// SPDX-License-Identifier: Apache-2.0
#include "float_formats.hpp"
#include "vram/plugin_api.hpp"

VRAM_PLUGIN(vram_formats_core, "0.1.0") {
    using namespace vram::plugins;
    reg.add(std::make_unique<DenseFloatFormat>("fp32", 4.0, std::vector<std::string>{"float32"}));
    reg.add(std::make_unique<DenseFloatFormat>("bf16", 2.0, std::vector<std::string>{"bfloat16"}));
    reg.add(std::make_unique<DenseFloatFormat>("fp16", 2.0, std::vector<std::string>{"float16", "half"}));
    reg.add(std::make_unique<EightBitFormat>(EightBitFormat::Kind::fp8_per_tensor));
    reg.add(std::make_unique<EightBitFormat>(EightBitFormat::Kind::int8_per_row));
}
