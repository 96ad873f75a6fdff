// catalog_table_test.cpp - the generated table is what parse_gpu_csv makes of presets/gpus/builtin.csv:
// every row, in order, every field (CTest gpus_builtin.table; argv[1] is the CSV).
// SPDX-License-Identifier: Apache-2.0
#include <cstdio>
#include <string>

#include "catalog_data.hpp"
#include "vram/gpu_csv.hpp"

namespace {

std::string aliases(const vram::GpuSpec& g) {
    std::string out;
    for (const auto& a : g.aliases) out += "[" + a + "]";
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: gpus_builtin_table_test presets/gpus/builtin.csv\n");
        return 2;
    }
    const auto parsed = vram::read_gpu_csv(argv[1]);
    const auto table = vram::plugins::builtin_gpus();
    int bad = 0;
    if (parsed.size() != table.size()) {
        std::fprintf(stderr, "rows: CSV %zu, table %zu\n", parsed.size(), table.size());
        return 1;
    }
    for (std::size_t i = 0; i < parsed.size(); ++i) {
        const auto& p = parsed[i];
        const auto& t = table[i];
        const bool same = p.name == t.name && p.vendor == t.vendor && p.kind == t.kind &&
                          p.memory_bytes == t.memory_bytes && p.usable_bytes == t.usable_bytes &&
                          p.bandwidth_gbs == t.bandwidth_gbs && p.bf16_tflops == t.bf16_tflops &&
                          p.fp8_tflops == t.fp8_tflops && p.tdp_w == t.tdp_w && p.price_usd == t.price_usd &&
                          p.price_kind == t.price_kind && p.source == t.source && p.licence == t.licence &&
                          aliases(p) == aliases(t) && p.devices == t.devices && p.notes == t.notes;
        if (!same) {
            std::fprintf(stderr, "row %zu differs: CSV '%s', table '%s'\n", i, p.name.c_str(), t.name.c_str());
            ++bad;
        }
    }
    std::printf("%zu rows compared, %d differ\n", parsed.size(), bad);
    return bad == 0 ? 0 : 1;
}
