// report_util.hpp - internal helpers shared by the report renderers (not installed).
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "report/report.hpp"

namespace vram::report_detail {

/// "batch 4 × 2,048 tokens per sequence", or with workload.lengths the peak micro-batch:
/// "peak micro-batch 1 × 5,048 tokens (padding_free of the 4 longest samples: 2,048, 2,000, 700, 300)".
std::string workload_shape(const Scenario& scenario, const Estimate& e);
/// "12.55" (two decimals of GiB = 2^30 bytes).
std::string gib2(Bytes bytes);
/// "+1.25" / "-0.50" / "0.00": signed GiB for differences.
std::string signed_gib2(std::int64_t delta);
/// "+1,234" / "-5" / "0": signed exact bytes.
std::string signed_count(std::int64_t delta);
/// "19.0 %".
std::string percent1(double fraction);

/// The terms that make up a rank's peak: phase-less terms plus those of the phase the estimate
/// found largest (terms of different phases never coexist, so the bar must not stack them).
std::vector<const Term*> peak_terms(const RankBreakdown& rank);

/// Display colour of a category: index into a fixed palette (same order everywhere).
int category_index(Category category);
/// 256-colour ANSI code of a category for the terminal.
int category_ansi(Category category);
/// Light- and dark-scheme CSS colours of a category.
const char* category_css_light(Category category);
const char* category_css_dark(Category category);

/// Escapes for the text formats.
std::string html_escape(const std::string& text);
std::string csv_field(const std::string& text);
std::string markdown_cell(const std::string& text);

/// Display width of UTF-8 text (code points, ANSI escapes skipped): every glyph we print is
/// one column wide.
std::size_t display_width(const std::string& text);
/// Re-flows every line wider than `width` at spaces; continuation lines are indented two more
/// than the line's own indent. Words wider than the width stay whole.
std::string fit_lines(const std::string& text, int width);

/// One row of a comparison: a component (id + phase) across scenarios.
struct CompareRow {
    std::string id;
    std::string phase;
    Category category = Category::other;
    std::vector<const Term*> terms;  ///< per scenario, nullptr when the scenario lacks it
    const Term* first() const;
    /// Neither the baseline nor scenario i has the component: no difference to show.
    bool absent(std::size_t i) const { return !terms[0] && !terms[i]; }
};

/// Components of the most loaded rank of every item, in order of first appearance.
std::vector<CompareRow> compare_rows(const std::vector<ReportItem>& items);
/// bytes of a term or 0.
inline Bytes bytes_of(const Term* t) { return t ? t->bytes : 0; }
/// b - a as a signed difference.
std::int64_t difference(Bytes a, Bytes b);

/// Consecutive ranks with the same terms and bytes (the middle pipeline stages of an even
/// split), shown once: ranks[first..last] and how a report names them.
struct RankGroup {
    std::size_t first = 0;
    std::size_t last = 0;
    std::string label;          ///< "pipeline stage 0 (first)", "pipeline stages 1–2 (middle, identical: each stage holds this)"
    bool most_loaded = false;   ///< the group holds the estimate's most loaded rank
};
/// Every rank of the estimate in order, identical neighbours grouped: no stage is left out.
std::vector<RankGroup> rank_groups(const Estimate& e);

/// Short caption of a scenario's hardware: "NVIDIA H100 SXM5 80GB × 1, 79.11 GiB usable each".
std::string gpu_caption(const Estimate& e);

}  // namespace vram::report_detail
