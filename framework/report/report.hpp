// report/report.hpp - host side: renders Estimate snapshots (JSON through report/json_writer.hpp)
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "model/checkpoint_compare.hpp"
#include "pipeline/estimate.hpp"
#include "report/json_writer.hpp"
#include "vram/export.hpp"
#include "vram/model.hpp"

namespace vram {

struct ReportOptions {
    bool explain = false;
    bool color = false;   ///< ANSI colour in the terminal table (the host decides: TTY, NO_COLOR, --color)
    int width = 100;      ///< terminal columns the table may use
};

/// One estimated scenario as the renderers see it: the scenario and model as given, and the
/// Estimate snapshot (renderers never read an Estimator's live Context).
struct ReportItem {
    const Scenario& scenario;
    const ModelSpec& model;
    const Estimate& estimate;
    std::string label;    ///< how `compare` names the scenario (its file name)
    /// Keys nobody gave and the defaults used (a question asked with flags only): reports
    /// print them first, so the answer never hides what it assumed.
    std::vector<std::pair<std::string, std::string>> assumed = {};
};

/// Formats of `vram run` and `vram compare`: table, json, markdown, csv, html.
VRAM_API const std::vector<std::string>& report_formats();
/// Renders one estimate in a format of report_formats(); throws UsageError on another name.
VRAM_API std::string render_estimate(const std::string& format, const ReportItem& item,
                                     const ReportOptions& options);
/// Renders scenarios side by side (the first is the baseline of the differences).
VRAM_API std::string render_comparison(const std::string& format, const std::vector<ReportItem>& items,
                                       const ReportOptions& options);

/// Markdown for pull requests and wikis: summary, a table per rank, a Mermaid pie.
VRAM_API std::string estimate_to_markdown(const ReportItem& item, const ReportOptions& options);
/// CSV, one row per component: scenario, rank, component, category, bytes, GiB, formula, source.
VRAM_API std::string estimate_to_csv(const ReportItem& item, const ReportOptions& options);
/// One self-contained HTML file (inline SVG, CSS and JS; no network).
VRAM_API std::string estimate_to_html(const ReportItem& item, const ReportOptions& options);

VRAM_API std::string comparison_to_table(const std::vector<ReportItem>& items, const ReportOptions& options);
VRAM_API std::string comparison_to_json(const std::vector<ReportItem>& items, const ReportOptions& options);
VRAM_API std::string comparison_to_markdown(const std::vector<ReportItem>& items, const ReportOptions& options);
VRAM_API std::string comparison_to_csv(const std::vector<ReportItem>& items, const ReportOptions& options);
VRAM_API std::string comparison_to_html(const std::vector<ReportItem>& items, const ReportOptions& options);

/// The terminal stacked bar of a rank's peak against the GPU capacity (0 = unknown), with its
/// legend: two or three lines no wider than options.width.
VRAM_API std::string stacked_bar_text(const RankBreakdown& rank, Bytes capacity, const ReportOptions& options);

/// JSON of `vram run` (contract.md, schema_version 1).
VRAM_API std::string estimate_to_json(const Scenario& scenario, const ModelSpec& model,
                                      const Estimate& estimate, const ReportOptions& options);
/// Human table in GiB.
VRAM_API std::string estimate_to_table(const Scenario& scenario, const ModelSpec& model,
                                       const Estimate& estimate, const ReportOptions& options);
/// `vram inspect` output; `checkpoint` (a hub model whose safetensors headers were read) adds the
/// comparison of the checkpoint's tensors with the family's: a `checkpoint` object, a Checkpoint section.
VRAM_API std::string model_to_json(const ModelSpec& model, std::int64_t kv_bytes_per_token,
                                   const std::string& kv_dtype, const std::string& attention,
                                   const CheckpointComparison* checkpoint = nullptr);
VRAM_API std::string model_to_table(const ModelSpec& model, std::int64_t kv_bytes_per_token,
                                    const std::string& kv_dtype, const std::string& attention,
                                    const CheckpointComparison* checkpoint = nullptr);
/// The Checkpoint section of `vram inspect`'s table: at most `max_places` differences, then a count.
VRAM_API std::string checkpoint_to_table(const CheckpointComparison& comparison, std::size_t max_places = 10);
/// The `checkpoint` object of `vram inspect --format json`, written as the writer's next value.
VRAM_API void write_checkpoint_json(JsonWriter& writer, const CheckpointComparison& comparison);
/// The keys of `vram run`'s JSON, written into the writer's innermost open object (a sweep row
/// adds its point first; compare nests one per scenario).
VRAM_API void write_estimate_fields(JsonWriter& writer, const Scenario& scenario, const ModelSpec& model,
                                    const Estimate& estimate, const ReportOptions& options);

}  // namespace vram
