// fuzz_expression.cpp - libFuzzer target: the research formula language (compile, bind, evaluate).
// SPDX-License-Identifier: Apache-2.0
#include <cstddef>
#include <cstdint>
#include <string>

#include "vram/context.hpp"
#include "expression/expression.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const vram::ModelSpec model;
    static const vram::Scenario scenario;
    static vram::Context* ctx = [] {
        auto* c = new vram::Context(model, scenario);
        for (int i = 0; i < static_cast<int>(vram::Sym::count_); ++i) c->set(static_cast<std::size_t>(i), i + 1.5);
        return c;
    }();
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        vram::Expression e = vram::Expression::compile(text);
        e.bind(*ctx);
        (void)e.evaluate(*ctx);
        (void)e.substitute(*ctx);
    } catch (const vram::Error&) {
    }
    return 0;
}
