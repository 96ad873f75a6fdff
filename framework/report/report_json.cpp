// report_json.cpp - JSON reports (Boost.JSON), contract.md schema_version 1.
// SPDX-License-Identifier: Apache-2.0
#include <boost/json.hpp>

#include "report_util.hpp"
#include "report/report.hpp"

namespace json = boost::json;

namespace vram {
namespace {

json::object term_json(const Term& t, bool explain) {
    json::object o;
    o["name"] = t.id;
    o["category"] = to_string(t.category);
    o["bytes"] = t.bytes;
    o["formula"] = t.formula;
    o["substituted"] = t.substituted;
    o["source"] = t.source;
    if (!t.phase.empty()) o["phase"] = t.phase;
    (void)explain;
    return o;
}

std::string serialize_pretty(const json::value& v, int indent = 0) {
    // Boost.JSON 1.81 has no pretty printer: indent objects and arrays, keep scalars compact.
    std::string pad(static_cast<std::size_t>(indent), ' ');
    std::string inner(static_cast<std::size_t>(indent + 2), ' ');
    if (v.is_object()) {
        const auto& o = v.get_object();
        if (o.empty()) return "{}";
        std::string out = "{\n";
        std::size_t i = 0;
        for (const auto& kv : o) {
            out += inner + json::serialize(json::value(kv.key())) + ": " + serialize_pretty(kv.value(), indent + 2);
            out += ++i < o.size() ? ",\n" : "\n";
        }
        return out + pad + "}";
    }
    if (v.is_array()) {
        const auto& a = v.get_array();
        if (a.empty()) return "[]";
        bool scalars = true;
        for (const auto& x : a) scalars = scalars && !x.is_object() && !x.is_array();
        if (scalars) return json::serialize(v);
        std::string out = "[\n";
        for (std::size_t i = 0; i < a.size(); ++i) {
            out += inner + serialize_pretty(a[i], indent + 2);
            out += i + 1 < a.size() ? ",\n" : "\n";
        }
        return out + pad + "]";
    }
    return json::serialize(v);
}

}  // namespace

std::string json_quote(const std::string& text) { return json::serialize(json::value(text)); }

namespace {

// The `run` document as an object, so `compare` can embed one per scenario.
json::object run_object(const Scenario& scenario, const ModelSpec& model, const Context& ctx, const Estimate& e,
                        const ReportOptions& options) {
    json::object root;
    root["schema_version"] = 1;
    root["scenario"] = scenario.name;
    json::object m;
    m["name"] = model.name;
    m["parameters"] = parameter_count(model);
    m["attention"] = ctx.attention_label;
    m["kv_cache_bytes_per_token"] = static_cast<std::int64_t>(ctx[Sym::kv_per_token]);
    m["weight_format"] = ctx.weight_format;
    m["kv_dtype"] = ctx.kv_dtype;
    root["model"] = std::move(m);
    const RankBreakdown& top = e.ranks[e.most_loaded];
    json::array comps;
    for (const auto& t : top.terms) comps.push_back(term_json(t, options.explain));
    root["components"] = std::move(comps);
    root["total_bytes"] = e.total_bytes;
    if (e.gpu_memory_bytes > 0) {
        json::object g;
        g["name"] = e.gpu.name;
        g["vendor"] = e.gpu.vendor;
        g["memory_bytes"] = e.gpu_memory_bytes;
        g["marketed_memory_bytes"] = e.gpu.memory_bytes;
        g["count"] = e.gpu_count;
        g["utilization"] = e.utilization;
        root["gpu"] = std::move(g);
        root["fits"] = e.fits;
    } else {
        root["gpu"] = nullptr;
        root["fits"] = nullptr;
    }
    json::object w;
    w["type"] = scenario.workload.type;
    w["batch_size"] = scenario.workload.batch_size;
    w["sequence_length"] = scenario.workload.sequence_length;
    w["tokens_per_sequence"] = e.tokens_per_sequence;
    json::object mt;
    for (const auto& [k, v] : e.modality_tokens) mt[k] = v;
    w["modality_tokens"] = std::move(mt);
    root["workload"] = std::move(w);
    json::object sv;
    sv["kv_cache_bytes"] = e.kv_cache_bytes;
    sv["max_kv_tokens"] = static_cast<std::int64_t>(e.max_kv_tokens);
    sv["max_concurrency"] = e.max_concurrency;
    root["serving"] = std::move(sv);
    json::object tr;
    tr["trainable_parameters"] = e.trainable_parameters;
    root["training"] = std::move(tr);
    if (e.ranks.size() > 1) {
        json::array ranks;
        for (const auto& r : e.ranks) {
            json::object o;
            o["label"] = r.label;
            o["pipeline_stage"] = r.stage;
            o["total_bytes"] = r.total;
            json::array terms;
            for (const auto& t : r.terms) terms.push_back(term_json(t, options.explain));
            o["components"] = std::move(terms);
            ranks.push_back(std::move(o));
        }
        root["ranks"] = std::move(ranks);
    }
    if (options.explain) {
        json::array syms;
        for (std::size_t i = 0; i < ctx.symbol_count(); ++i) {
            if (!ctx.is_set(i)) continue;
            json::object s;
            s["name"] = ctx.info(i).name;
            s["value"] = ctx.value(i);
            s["unit"] = ctx.info(i).unit;
            s["meaning"] = ctx.info(i).meaning;
            s["set_by"] = ctx.origin(i);
            syms.push_back(std::move(s));
        }
        root["symbols"] = std::move(syms);
        json::array notes;
        for (const auto& n : e.notes) notes.push_back(json::value(n));
        root["notes"] = std::move(notes);
    }
    return root;
}

}  // namespace

std::string estimate_to_json(const Scenario& scenario, const ModelSpec& model, const Context& ctx,
                             const Estimate& e, const ReportOptions& options) {
    return serialize_pretty(run_object(scenario, model, ctx, e, options)) + "\n";
}

std::string comparison_to_json(const std::vector<ReportItem>& items, const ReportOptions& options) {
    // Differences are to the first scenario; bytes are per GPU of each scenario's most loaded rank.
    json::object root;
    root["schema_version"] = 1;
    root["baseline"] = 0;
    json::array scenarios;
    for (const auto& it : items) {
        json::object s;
        s["file"] = it.label;
        s["scenario"] = it.scenario.name;
        s["total_bytes"] = it.estimate.total_bytes;
        s["delta_total_bytes"] = report_detail::difference(items.front().estimate.total_bytes, it.estimate.total_bytes);
        if (it.estimate.gpu_memory_bytes > 0) {
            s["gpu"] = it.estimate.gpu.name;
            s["gpu_memory_bytes"] = it.estimate.gpu_memory_bytes;
            s["gpu_count"] = it.estimate.gpu_count;
            s["utilization"] = it.estimate.utilization;
            s["fits"] = it.estimate.fits;
        } else {
            s["gpu"] = nullptr;
            s["fits"] = nullptr;
        }
        scenarios.push_back(std::move(s));
    }
    root["scenarios"] = std::move(scenarios);
    json::array comps;
    for (const auto& row : report_detail::compare_rows(items)) {
        json::object c;
        c["name"] = row.id;
        c["category"] = to_string(row.category);
        if (!row.phase.empty()) c["phase"] = row.phase;
        json::array bytes, deltas;
        for (std::size_t i = 0; i < row.terms.size(); ++i) {
            const Term* t = row.terms[i];
            // null, not 0: the scenario has no such component at all.
            if (t) bytes.push_back(json::value(t->bytes));
            else bytes.push_back(nullptr);
            if (row.absent(i)) deltas.push_back(nullptr);
            else deltas.push_back(report_detail::difference(report_detail::bytes_of(row.terms.front()), report_detail::bytes_of(t)));
        }
        c["bytes"] = std::move(bytes);
        c["delta_bytes"] = std::move(deltas);
        if (const Term* t = row.first()) {
            c["formula"] = t->formula;
            c["source"] = t->source;
        }
        comps.push_back(std::move(c));
    }
    root["components"] = std::move(comps);
    json::array runs;
    for (const auto& it : items) runs.push_back(run_object(it.scenario, it.model, it.ctx, it.estimate, options));
    root["runs"] = std::move(runs);
    return serialize_pretty(root) + "\n";
}

std::string model_to_json(const ModelSpec& model, std::int64_t kv_bytes_per_token, const std::string& kv_dtype,
                          const std::string& attention) {
    json::object root;
    root["name"] = model.name;
    root["model_type"] = model.model_type;
    root["source"] = model.source;
    root["parameters"] = parameter_count(model);
    root["active_parameters"] = active_parameter_count(model);
    json::object groups;
    for (const auto& [g, n] : parameters_by_group(model)) groups[g] = n;
    root["parameters_by_group"] = std::move(groups);
    root["attention"] = attention;
    root["layers"] = model.layers;
    root["hidden_size"] = model.hidden;
    root["num_attention_heads"] = model.heads;
    root["num_key_value_heads"] = model.kv_heads;
    root["head_dim"] = model.head_dim;
    root["intermediate_size"] = model.intermediate;
    root["vocab_size"] = model.vocab;
    root["tie_word_embeddings"] = model.tied_embeddings;
    if (model.experts > 0) {
        json::object moe;
        moe["experts"] = model.experts;
        moe["experts_per_token"] = model.experts_per_token;
        moe["shared_experts"] = model.shared_experts;
        moe["moe_intermediate_size"] = model.moe_intermediate;
        root["moe"] = std::move(moe);
    }
    root["kv_cache_dtype"] = kv_dtype;
    root["kv_cache_bytes_per_token"] = kv_bytes_per_token;
    json::array notes;
    for (const auto& n : model.notes) notes.push_back(json::value(n));
    root["notes"] = std::move(notes);
    return serialize_pretty(root) + "\n";
}

}  // namespace vram
