// fuzz_scenario.cpp - libFuzzer target: scenario YAML text -> validated Scenario.
// Any input must end in a Scenario or a vram::Error; never a crash, hang or leak.
// SPDX-License-Identifier: Apache-2.0
#include <cstddef>
#include <cstdint>
#include <string>

#include "vram/error.hpp"
#include "scenario/scenario_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        vram::ConfigNode root = vram::parse_yaml_text(text, "fuzz.yaml");
        vram::Scenario s = vram::build_scenario(root, "fuzz.yaml");
        (void)s.where("workload.batch_size");
    } catch (const vram::Error&) {
    }
    return 0;
}
