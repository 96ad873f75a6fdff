// vram/report.hpp - host side: renders estimates (the only file with Boost.JSON is report_json.cpp)
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "vram/estimate.hpp"
#include "vram/export.hpp"
#include "vram/model.hpp"

namespace vram {

struct ReportOptions {
    bool explain = false;
    bool color = false;
    int width = 100;
};

/// JSON of `vram run` (contract.md, schema_version 1).
VRAM_API std::string estimate_to_json(const Scenario& scenario, const ModelSpec& model,
                                      const Context& ctx, const Estimate& estimate,
                                      const ReportOptions& options);
/// Human table in GiB.
VRAM_API std::string estimate_to_table(const Scenario& scenario, const ModelSpec& model,
                                       const Context& ctx, const Estimate& estimate,
                                       const ReportOptions& options);
/// `vram inspect` output.
VRAM_API std::string model_to_json(const ModelSpec& model, std::int64_t kv_bytes_per_token,
                                   const std::string& kv_dtype, const std::string& attention);
VRAM_API std::string model_to_table(const ModelSpec& model, std::int64_t kv_bytes_per_token,
                                    const std::string& kv_dtype, const std::string& attention);
/// Escapes a string for JSON (for hand-built JSON in host commands).
VRAM_API std::string json_quote(const std::string& text);

}  // namespace vram
