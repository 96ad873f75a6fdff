// plan_facts.cpp - helpers that fill the typed plan facts (vram/plan.hpp) the same way for
// first-party and third-party plugins.
// SPDX-License-Identifier: Apache-2.0
#include "vram/plan.hpp"

namespace vram {

KeptInputs kept_inputs_of_adapters(const ModelSpec& model, const std::vector<const Tensor*>& linears, bool dropout) {
    // With a frozen base nothing else keeps these inputs: start from "none kept".
    KeptInputs kept{false, false, false, false};
    // With dropout the adapter reads the dropped copy (saved by the adapter itself), not the input.
    if (dropout) return kept;
    static const char* const kOutputProjections[] = {"o_proj", "out_proj", "dense", "c_proj", "wo", "o", "proj"};
    const std::int64_t h = model.hidden;
    for (const Tensor* t : linears) {
        if (t->layer < 0) continue;
        if (t->group == "attention") {
            bool out = false;
            for (const char* name : kOutputProjections) out = out || t->module == name;
            if (out) kept.attn_out = true;
            else if (t->cols == h) kept.attn_in = true;
        } else if (t->group.find("mlp") != std::string::npos || t->group.find("expert") != std::string::npos) {
            (t->cols == h ? kept.mlp_in : kept.mlp_mid) = true;
        }
    }
    return kept;
}

bool fp8_linear(const Tensor& t) noexcept {
    return t.linear && !t.embedding && t.layer >= 0 && t.group != "router" && t.group != "mtp";
}

}  // namespace vram
