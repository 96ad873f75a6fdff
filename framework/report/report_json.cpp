// report_json.cpp - JSON reports, contract.md schema_version 1, written with the JsonWriter
// every command uses.
// SPDX-License-Identifier: Apache-2.0
#include "report/json_writer.hpp"
#include "report/report.hpp"
#include "report_util.hpp"

namespace vram {
namespace {

void write_term(JsonWriter& w, const Term& t) {
    w.object();
    w.field("name", t.id).field("category", to_string(t.category)).field("bytes", t.bytes);
    w.field("formula", t.formula).field("substituted", t.substituted).field("source", t.source);
    if (!t.phase.empty()) w.field("phase", t.phase);
    w.end();
}

void write_terms(JsonWriter& w, const std::vector<Term>& terms) {
    w.array();
    for (const auto& t : terms) write_term(w, t);
    w.end();
}

}  // namespace

void write_estimate_fields(JsonWriter& w, const Scenario& scenario, const ModelSpec& model, const Estimate& e,
                           const ReportOptions& options) {
    w.field("schema_version", 1).field("scenario", scenario.name);
    w.key("model").object();
    w.field("name", model.name).field("parameters", parameter_count(model)).field("attention", e.attention);
    w.field("kv_cache_bytes_per_token", e.kv_bytes_per_token).field("weight_format", e.weight_format);
    w.field("kv_dtype", e.kv_dtype);
    w.end();
    w.key("components");
    write_terms(w, e.ranks[e.most_loaded].terms);
    w.field("total_bytes", e.total_bytes);
    w.key("memory").object();
    w.field("allocated_peak_bytes", e.memory.allocated_peak).field("reserved_peak_bytes", e.memory.reserved_peak);
    w.field("device_bytes", e.memory.device).field("host_bytes", e.memory.host);
    w.end();
    if (e.gpu_memory_bytes > 0) {
        w.key("gpu").object();
        w.field("name", e.gpu.name).field("vendor", e.gpu.vendor).field("memory_bytes", e.gpu_memory_bytes);
        w.field("marketed_memory_bytes", e.gpu.memory_bytes).field("count", e.gpu_count);
        w.field("utilization", e.utilization);
        w.end();
        w.field("fits", e.fits);
        if (e.refusal.empty()) w.key("refusal").null();
        else w.field("refusal", e.refusal);
    } else {
        w.key("gpu").null();
        w.key("fits").null();
        w.key("refusal").null();
    }
    w.key("workload").object();
    w.field("type", scenario.workload.type).field("batch_size", scenario.workload.batch_size);
    w.field("sequence_length", scenario.workload.sequence_length);
    w.field("tokens_per_sequence", e.tokens_per_sequence);
    if (!e.micro_batch_samples.empty()) {
        // workload.lengths: the micro-batch that makes the peak.
        w.key("peak_micro_batch").object();
        w.field("batching", scenario.workload.batching).field("rows", e.micro_batch_rows);
        w.field("tokens_per_row", e.tokens_per_sequence);
        w.key("samples").array();
        for (auto v : e.micro_batch_samples) w.value(v);
        w.end();
        w.end();
    }
    w.key("modality_tokens").object();
    for (const auto& [k, v] : e.modality_tokens) w.field(k, v);
    w.end();
    w.end();
    w.key("serving").object();
    w.field("kv_cache_bytes", e.kv_cache_bytes).field("max_kv_tokens", static_cast<std::int64_t>(e.max_kv_tokens));
    w.field("max_concurrency", e.max_concurrency);
    w.end();
    w.key("training").object().field("trainable_parameters", e.trainable_parameters).end();
    if (e.ranks.size() > 1) {
        w.key("ranks").array();
        for (const auto& r : e.ranks) {
            w.object().field("label", r.label).field("pipeline_stage", r.stage).field("total_bytes", r.total);
            w.key("components");
            write_terms(w, r.terms);
            w.end();
        }
        w.end();
    }
    if (options.explain) {
        w.key("symbols").array();
        for (const auto& sym : e.symbols) {
            if (!sym.set) continue;
            w.object().field("name", sym.name).field("value", sym.value).field("unit", sym.unit);
            w.field("meaning", sym.meaning).field("set_by", sym.set_by).end();
        }
        w.end();
        w.key("notes").array();
        for (const auto& n : e.notes) w.value(n);
        w.end();
    }
}

std::string estimate_to_json(const Scenario& scenario, const ModelSpec& model, const Estimate& e,
                             const ReportOptions& options) {
    JsonWriter w;
    w.object();
    write_estimate_fields(w, scenario, model, e, options);
    w.end();
    return w.str();
}

std::string comparison_to_json(const std::vector<ReportItem>& items, const ReportOptions& options) {
    // Differences are to the first scenario; bytes are per GPU of each scenario's most loaded rank.
    JsonWriter w;
    w.object().field("schema_version", 1).field("baseline", 0);
    w.key("scenarios").array();
    for (const auto& it : items) {
        const Estimate& e = it.estimate;
        w.object().field("file", it.label).field("scenario", it.scenario.name).field("total_bytes", e.total_bytes);
        w.field("delta_total_bytes", report_detail::difference(items.front().estimate.total_bytes, e.total_bytes));
        if (e.gpu_memory_bytes > 0) {
            w.field("gpu", e.gpu.name).field("gpu_memory_bytes", e.gpu_memory_bytes).field("gpu_count", e.gpu_count);
            w.field("utilization", e.utilization).field("fits", e.fits);
        } else {
            w.key("gpu").null();
            w.key("fits").null();
        }
        w.end();
    }
    w.end();
    w.key("components").array();
    for (const auto& row : report_detail::compare_rows(items)) {
        w.object().field("name", row.id).field("category", to_string(row.category));
        if (!row.phase.empty()) w.field("phase", row.phase);
        // null, not 0: the scenario has no such component at all.
        w.key("bytes").array();
        for (const Term* t : row.terms) {
            if (t) w.value(t->bytes);
            else w.null();
        }
        w.end();
        w.key("delta_bytes").array();
        for (std::size_t i = 0; i < row.terms.size(); ++i) {
            if (row.absent(i)) w.null();
            else w.value(report_detail::difference(report_detail::bytes_of(row.terms.front()),
                                                   report_detail::bytes_of(row.terms[i])));
        }
        w.end();
        if (const Term* t = row.first()) w.field("formula", t->formula).field("source", t->source);
        w.end();
    }
    w.end();
    w.key("runs").array();
    for (const auto& it : items) {
        w.object();
        write_estimate_fields(w, it.scenario, it.model, it.estimate, options);
        w.end();
    }
    w.end();
    w.end();
    return w.str();
}

std::string model_to_json(const ModelSpec& model, std::int64_t kv_bytes_per_token, const std::string& kv_dtype,
                          const std::string& attention, const CheckpointComparison* checkpoint) {
    JsonWriter w;
    w.object().field("name", model.name).field("model_type", model.model_type).field("source", model.source);
    w.field("parameters", parameter_count(model)).field("active_parameters", active_parameter_count(model));
    w.key("parameters_by_group").object();
    for (const auto& [g, n] : parameters_by_group(model)) w.field(g, n);
    w.end();
    w.field("attention", attention).field("layers", model.layers).field("hidden_size", model.hidden);
    w.field("num_attention_heads", model.heads).field("num_key_value_heads", model.kv_heads);
    w.field("head_dim", model.head_dim).field("intermediate_size", model.intermediate).field("vocab_size", model.vocab);
    w.field("tie_word_embeddings", model.tied_embeddings);
    if (model.experts > 0) {
        w.key("moe").object();
        w.field("experts", model.experts).field("experts_per_token", model.experts_per_token);
        w.field("shared_experts", model.shared_experts).field("moe_intermediate_size", model.moe_intermediate);
        w.end();
    }
    w.field("kv_cache_dtype", kv_dtype).field("kv_cache_bytes_per_token", kv_bytes_per_token);
    w.key("notes").array();
    for (const auto& n : model.notes) w.value(n);
    w.end();
    // Only when headers were read: presets and config.json files keep their keys unchanged.
    if (checkpoint) {
        w.key("checkpoint");
        write_checkpoint_json(w, *checkpoint);
    }
    w.end();
    return w.str();
}

}  // namespace vram
