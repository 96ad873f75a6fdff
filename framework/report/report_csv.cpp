// report_csv.cpp - CSV (RFC 4180) for spreadsheets and scripts.
// run: one row per component of every rank; compare: one row per component, scenarios side by side.
// SPDX-License-Identifier: Apache-2.0
#include <cstdio>

#include "report_util.hpp"

namespace vram {
namespace {

using namespace report_detail;

std::string gib6(Bytes b) {
    // Six decimals keep a byte-level difference visible in a spreadsheet column of GiB.
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.6f", static_cast<double>(b) / kGiB);
    return buf;
}

}  // namespace

std::string estimate_to_csv(const ReportItem& it, const ReportOptions& options) {
    (void)options;  // every column is always present: scripts need a fixed header
    std::string out = "scenario,rank,component,category,bytes,gib,formula,source,phase,values\r\n";
    for (const auto& rank : it.estimate.ranks)
        for (const auto& t : rank.terms)
            out += csv_field(it.scenario.name) + "," + csv_field(rank.label) + "," + csv_field(t.id) + "," +
                   to_string(t.category) + "," + std::to_string(t.bytes) + "," + gib6(t.bytes) + "," +
                   csv_field(t.formula) + "," + csv_field(t.source) + "," + csv_field(t.phase) + "," +
                   csv_field(t.substituted) + "\r\n";
    return out;
}

std::string comparison_to_csv(const std::vector<ReportItem>& items, const ReportOptions& options) {
    (void)options;
    std::string out = "component,category,phase";
    for (std::size_t i = 0; i < items.size(); ++i) {
        out += "," + csv_field(items[i].label + " bytes");
        if (i > 0) out += "," + csv_field(items[i].label + " delta bytes");
    }
    out += ",formula,source\r\n";
    for (const auto& row : compare_rows(items)) {
        out += csv_field(row.id) + "," + to_string(row.category) + "," + csv_field(row.phase);
        for (std::size_t i = 0; i < row.terms.size(); ++i) {
            // An empty cell (not 0) says the scenario has no such component.
            out += "," + (row.terms[i] ? std::to_string(row.terms[i]->bytes) : std::string());
            if (i > 0)
                out += "," + (row.absent(i) ? std::string()
                                            : std::to_string(difference(bytes_of(row.terms[0]), bytes_of(row.terms[i]))));
        }
        const Term* t = row.first();
        out += "," + csv_field(t ? t->formula : "") + "," + csv_field(t ? t->source : "") + "\r\n";
    }
    out += "total (peak per GPU),total,";
    for (std::size_t i = 0; i < items.size(); ++i) {
        out += "," + std::to_string(items[i].estimate.total_bytes);
        if (i > 0) out += "," + std::to_string(difference(items[0].estimate.total_bytes, items[i].estimate.total_bytes));
    }
    out += ",,\r\n";
    out += "GPU capacity,capacity,";
    for (std::size_t i = 0; i < items.size(); ++i) {
        const Bytes cap = items[i].estimate.gpu_memory_bytes;
        out += "," + (cap ? std::to_string(cap) : std::string());
        if (i > 0) {
            const Bytes base = items[0].estimate.gpu_memory_bytes;
            out += "," + (cap && base ? std::to_string(difference(base, cap)) : std::string());
        }
    }
    out += ",,\r\n";
    return out;
}

}  // namespace vram
