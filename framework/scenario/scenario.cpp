// scenario.cpp - strict validation of the scenario tree into the typed Scenario (contract.md v1).
// SPDX-License-Identifier: Apache-2.0
#include <cmath>
#include <filesystem>

#include "vram/error.hpp"
#include "plugin/registry.hpp"
#include "scenario/scenario_loader.hpp"

namespace vram {
namespace {

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
    return out;
}

/// Walks one map of the tree with the key paths and marks needed for messages.
class Reader {
public:
    Reader(Scenario& s, const std::string& file) : s_(s), file_(file) {}

    std::string at(const ConfigNode& node, const std::string& path) const {
        const SourceMark m = node.mark();
        if (m.line > 0) return file_ + ":" + std::to_string(m.line) + ":" + std::to_string(m.column) + ": " + path;
        return file_ + ": " + path;
    }
    [[noreturn]] void fail(const ConfigNode& node, const std::string& path, const std::string& what) const {
        const SourceMark m = node.mark();
        std::string where = file_;
        if (m.line > 0) where += ":" + std::to_string(m.line) + ":" + std::to_string(m.column);
        throw ScenarioError(where, path + ": " + what);
    }

    /// Rejects keys of `map` not in `allowed` (unless `open`), records marks.
    void keys(const ConfigNode& map, const std::string& path, const std::vector<std::string>& allowed) {
        if (!map.is_map()) fail(map, path, std::string("expected a map, got ") + describe(map.kind()));
        for (const auto& [k, v] : map.entries()) {
            const std::string p = path.empty() ? k : path + "." + k;
            s_.marks[p] = v.mark();
            bool ok = false;
            for (const auto& a : allowed) ok = ok || a == k;
            if (!ok) {
                auto close = closest_names(k, allowed, 1);
                std::string msg = "unknown key '" + k + "'";
                if (!close.empty()) msg += " (did you mean '" + close.front() + "'?)";
                fail(v, p, msg + "; allowed: " + join(allowed));
            }
        }
    }

    std::string string(const ConfigNode& v, const std::string& path, const std::vector<std::string>& choices = {}) {
        if (!v.is_string() && !v.is_number())
            fail(v, path, std::string("expected a string, got ") + describe(v.kind()));
        const std::string& s = v.text();
        if (!choices.empty()) {
            bool ok = false;
            for (const auto& c : choices) ok = ok || c == s;
            if (!ok) fail(v, path, "'" + s + "' is not allowed; allowed: " + join(choices));
        }
        return s;
    }

    double number(const ConfigNode& v, const std::string& path, double min, double max) {
        if (!v.is_number()) fail(v, path, std::string("expected a number, got ") +
                                              (v.is_string() ? "'" + v.as_string() + "'" : describe(v.kind())));
        const double x = v.as_number();
        if (!std::isfinite(x)) fail(v, path, "must be a finite number, got " + v.text());
        if (x < min || x > max)
            fail(v, path, "value " + v.text() + " is out of range; allowed: " + format(min) + " to " + format(max));
        return x;
    }

    std::int64_t integer(const ConfigNode& v, const std::string& path, std::int64_t min, std::int64_t max) {
        const double x = number(v, path, static_cast<double>(min), static_cast<double>(max));
        if (!v.is_integer()) fail(v, path, "expected an integer, got " + v.text());
        return static_cast<std::int64_t>(x);
    }

    bool boolean(const ConfigNode& v, const std::string& path) {
        if (!v.is_bool()) fail(v, path, std::string("expected true or false, got ") + describe(v.kind()));
        return v.as_bool();
    }

private:
    static std::string format(double x) {
        if (std::isinf(x)) return x > 0 ? "any" : "-any";
        return format_number(x);
    }
    Scenario& s_;
    std::string file_;
};

constexpr std::int64_t kMaxCount = 1LL << 40;  // far beyond any real batch, length or GPU count

void read_model(Reader& r, Scenario& s, const ConfigNode& m) {
    r.keys(m, "model", {"preset", "config", "architecture", "hub", "revision"});
    int sources = 0;
    if (auto* v = m.find("preset")) { s.model.preset = r.string(*v, "model.preset"); ++sources; }
    if (auto* v = m.find("config")) { s.model.config = r.string(*v, "model.config"); ++sources; }
    if (auto* v = m.find("hub")) { s.model.hub = r.string(*v, "model.hub"); ++sources; }
    if (auto* v = m.find("revision")) s.model.revision = r.string(*v, "model.revision");
    if (auto* v = m.find("architecture")) {
        if (!v->is_map()) r.fail(*v, "model.architecture", "expected a map of config.json keys");
        s.model.architecture = *v;
        ++sources;
    }
    if (sources != 1)
        r.fail(m, "model", "give exactly one of preset, config, architecture or hub (got " + std::to_string(sources) + ")");
}

void read_workload(Reader& r, Scenario& s, const ConfigNode& w) {
    r.keys(w, "workload", {"type", "batch_size", "sequence_length", "prompt_length"});
    if (auto* v = w.find("type")) s.workload.type = r.string(*v, "workload.type", {"inference", "training"});
    if (auto* v = w.find("batch_size")) s.workload.batch_size = r.integer(*v, "workload.batch_size", 1, kMaxCount);
    if (auto* v = w.find("sequence_length"))
        s.workload.sequence_length = r.integer(*v, "workload.sequence_length", 1, kMaxCount);
    if (auto* v = w.find("prompt_length"))
        s.workload.prompt_length = r.integer(*v, "workload.prompt_length", 0, kMaxCount);
}

void read_precision(Reader& r, Scenario& s, const ConfigNode& p) {
    if (!p.is_map()) r.fail(p, "precision", std::string("expected a map, got ") + describe(p.kind()));
    s.precision.options = ConfigNode::make_map(p.mark());
    for (const auto& [k, v] : p.entries()) {
        const std::string path = "precision." + k;
        s.marks[path] = v.mark();
        if (k == "weights") s.precision.weights = r.string(v, path);
        else if (k == "kv_cache") s.precision.kv_cache = r.string(v, path);
        else if (k == "activations") s.precision.activations = r.string(v, path);
        else s.precision.options.set(k, v);  // checked against the weight format's options later
    }
}

void read_training(Reader& r, Scenario& s, const ConfigNode& t) {
    if (!t.is_map()) r.fail(t, "training", std::string("expected a map, got ") + describe(t.kind()));
    s.training.blocks = ConfigNode::make_map(t.mark());
    for (const auto& [k, v] : t.entries()) {
        const std::string path = "training." + k;
        s.marks[path] = v.mark();
        if (k == "method") s.training.method = r.string(v, path);
        else if (k == "objective") s.training.objective = r.string(v, path);
        else if (k == "optimizer") s.training.optimizer = r.string(v, path);
        else if (k == "mixed_precision") {
            if (v.is_bool() && !v.as_bool()) s.training.mixed_precision = "none";
            else s.training.mixed_precision = r.string(v, path, {"none", "fp16", "bf16"});
        } else if (k == "gradient_checkpointing") {
            if (v.is_bool()) s.training.gradient_checkpointing = v.as_bool() ? "full" : "none";
            else s.training.gradient_checkpointing = r.string(v, path, {"none", "full", "selective"});
        } else if (k == "flash_attention") s.training.flash_attention = r.boolean(v, path);
        else if (v.is_map()) s.training.blocks.set(k, v);  // method/objective options, checked by the plugin
        else
            r.fail(v, path, "unknown key '" + k + "'; allowed: method, objective, optimizer, mixed_precision, "
                            "gradient_checkpointing, flash_attention, or a map of options of the method or "
                            "objective (e.g. lora:, grpo:)");
    }
}

void read_parallelism(Reader& r, Scenario& s, const ConfigNode& p) {
    r.keys(p, "parallelism", {"tensor", "pipeline", "data", "expert", "context", "zero", "fsdp",
                              "sequence_parallel", "offload", "microbatches"});
    auto& q = s.parallelism;
    if (auto* v = p.find("tensor")) q.tensor = r.integer(*v, "parallelism.tensor", 1, 65536);
    if (auto* v = p.find("pipeline")) q.pipeline = r.integer(*v, "parallelism.pipeline", 1, 65536);
    if (auto* v = p.find("data")) q.data = r.integer(*v, "parallelism.data", 1, 1 << 24);
    if (auto* v = p.find("expert")) q.expert = r.integer(*v, "parallelism.expert", 1, 65536);
    if (auto* v = p.find("context")) q.context = r.integer(*v, "parallelism.context", 1, 65536);
    if (auto* v = p.find("zero")) q.zero = r.integer(*v, "parallelism.zero", 0, 3);
    if (auto* v = p.find("fsdp")) {
        if (v->is_bool()) q.fsdp = v->as_bool() ? "full_shard" : "none";
        else q.fsdp = r.string(*v, "parallelism.fsdp", {"none", "full_shard", "shard_grad_op"});
    }
    if (auto* v = p.find("sequence_parallel")) q.sequence_parallel = r.boolean(*v, "parallelism.sequence_parallel");
    if (auto* v = p.find("offload"))
        q.offload = r.string(*v, "parallelism.offload", {"none", "optimizer", "optimizer+parameters"});
    if (auto* v = p.find("microbatches")) q.microbatches = r.integer(*v, "parallelism.microbatches", 0, 1 << 20);
}

void read_hardware(Reader& r, Scenario& s, const ConfigNode& h) {
    r.keys(h, "hardware", {"gpu", "memory_gib", "count", "catalog"});
    if (auto* v = h.find("gpu")) s.hardware.gpu = r.string(*v, "hardware.gpu");
    if (auto* v = h.find("memory_gib")) s.hardware.memory_gib = r.number(*v, "hardware.memory_gib", 1e-3, 1e9);
    if (auto* v = h.find("catalog")) s.hardware.catalog = r.string(*v, "hardware.catalog");
    if (auto* v = h.find("count")) {
        if (v->is_string() && v->as_string() == "auto") {
            s.hardware.count_auto = true;
            s.hardware.count = 0;
        } else if (v->is_string()) {
            r.fail(*v, "hardware.count", "'" + v->as_string() + "' is not allowed; allowed: a positive integer or auto");
        } else {
            s.hardware.count = r.integer(*v, "hardware.count", 1, 1 << 24);
        }
    }
}

void read_runtime(Reader& r, Scenario& s, const ConfigNode& rt) {
    if (!rt.is_map()) r.fail(rt, "runtime", std::string("expected a map, got ") + describe(rt.kind()));
    s.runtime.options = ConfigNode::make_map(rt.mark());
    for (const auto& [k, v] : rt.entries()) {
        const std::string path = "runtime." + k;
        s.marks[path] = v.mark();
        if (k == "engine") s.runtime.engine = r.string(v, path);
        else s.runtime.options.set(k, v);  // checked against the runtime profile's options later
    }
}

void read_inputs(Reader& r, Scenario& s, const ConfigNode& list) {
    if (!list.is_list()) r.fail(list, "inputs", std::string("expected a list, got ") + describe(list.kind()));
    std::size_t i = 0;
    for (const auto& item : list.items()) {
        const std::string path = "inputs[" + std::to_string(i++) + "]";
        r.keys(item, path, {"modality", "width", "height", "count", "seconds", "fps", "tokenizer", "options"});
        InputSpec in;
        auto* m = item.find("modality");
        if (!m) r.fail(item, path + ".modality", "missing; allowed: image, video, audio");
        in.modality = r.string(*m, path + ".modality", {"image", "video", "audio"});
        if (auto* v = item.find("width")) in.width = r.integer(*v, path + ".width", 1, 1 << 20);
        if (auto* v = item.find("height")) in.height = r.integer(*v, path + ".height", 1, 1 << 20);
        if (auto* v = item.find("count")) in.count = r.integer(*v, path + ".count", 1, 1 << 20);
        if (auto* v = item.find("seconds")) in.seconds = r.number(*v, path + ".seconds", 0, 1e7);
        if (auto* v = item.find("fps")) in.fps = r.number(*v, path + ".fps", 1e-3, 1000);
        if (auto* v = item.find("tokenizer")) in.tokenizer = r.string(*v, path + ".tokenizer");
        if (auto* v = item.find("options")) {
            if (!v->is_map()) r.fail(*v, path + ".options", "expected a map");
            in.options = *v;
        }
        s.marks[path] = item.mark();
        s.inputs.push_back(std::move(in));
    }
}

void read_components(Reader& r, Scenario& s, const ConfigNode& list) {
    if (!list.is_list()) r.fail(list, "components", std::string("expected a list, got ") + describe(list.kind()));
    std::size_t i = 0;
    for (const auto& item : list.items()) {
        const std::string path = "components[" + std::to_string(i++) + "]";
        r.keys(item, path, {"name", "category", "formula", "replaces", "source"});
        ExpressionSpec e;
        e.path = path;
        auto* name = item.find("name");
        auto* formula = item.find("formula");
        if (!name) r.fail(item, path + ".name", "missing; every component needs a name");
        if (!formula) r.fail(item, path + ".formula", "missing; every component needs a formula");
        e.name = r.string(*name, path + ".name");
        e.formula = r.string(*formula, path + ".formula");
        if (auto* v = item.find("category")) e.category = r.string(*v, path + ".category");
        if (auto* v = item.find("replaces")) e.replaces = r.string(*v, path + ".replaces");
        if (auto* v = item.find("source")) e.source = r.string(*v, path + ".source");
        s.marks[path] = item.mark();
        s.marks[path + ".formula"] = formula->mark();
        s.components.push_back(std::move(e));
    }
}

}  // namespace

std::string Scenario::where(const std::string& key_path) const {
    std::string p = key_path;
    while (!p.empty()) {
        auto it = marks.find(p);
        if (it != marks.end() && it->second.line > 0)
            return file + ":" + std::to_string(it->second.line) + ":" + std::to_string(it->second.column);
        const auto cut = p.find_last_of(".[");
        if (cut == std::string::npos) break;
        p.resize(cut);
    }
    return file;
}

Scenario build_scenario(const ConfigNode& root, const std::string& file) {
    Scenario s;
    s.file = file;
    s.directory = std::filesystem::path(file).parent_path().string();
    Reader r(s, file);
    if (!root.is_map())
        throw ScenarioError(file, std::string("a scenario is a map of sections, got ") + describe(root.kind()));
    r.keys(root, "", {"name", "description", "model", "precision", "workload", "inputs", "training",
                      "parallelism", "hardware", "runtime", "plugins", "components"});
    if (auto* v = root.find("name")) s.name = r.string(*v, "name");
    const ConfigNode* model = root.find("model");
    if (!model) r.fail(root, "model", "missing; give model: {preset: NAME} or {config: path/to/config.json}");
    read_model(r, s, *model);
    if (auto* v = root.find("workload")) read_workload(r, s, *v);
    if (auto* v = root.find("precision")) read_precision(r, s, *v);
    if (auto* v = root.find("training")) read_training(r, s, *v);
    if (auto* v = root.find("parallelism")) read_parallelism(r, s, *v);
    if (auto* v = root.find("hardware")) read_hardware(r, s, *v);
    if (auto* v = root.find("runtime")) read_runtime(r, s, *v);
    if (auto* v = root.find("inputs")) read_inputs(r, s, *v);
    if (auto* v = root.find("components")) read_components(r, s, *v);
    if (auto* v = root.find("plugins")) {
        if (!v->is_list()) r.fail(*v, "plugins", "expected a list of plugin files or directories");
        for (const auto& item : v->items()) s.plugins.push_back(r.string(item, "plugins"));
    }
    if (root.find("training") && !s.training_run())
        r.fail(*root.find("training"), "training", "a training block needs workload.type: training");
    if (s.name.empty()) s.name = std::filesystem::path(file).stem().string();
    return s;
}

void apply_overrides(ConfigNode& root, const std::vector<std::string>& overrides) {
    for (const auto& o : overrides) {
        const auto eq = o.find('=');
        if (eq == std::string::npos || eq == 0)
            throw UsageError("--set '" + o + "': expected key.path=value");
        const std::string path = o.substr(0, eq);
        ConfigNode value = parse_yaml_text(o.substr(eq + 1), "--set " + path);
        value.set_mark({});
        if (!root.is_map()) root = ConfigNode::make_map();
        ConfigNode* node = &root;
        std::size_t start = 0;
        while (true) {
            const auto dot = path.find('.', start);
            const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
            if (key.empty()) throw UsageError("--set '" + o + "': empty key in the path");
            if (dot == std::string::npos) {
                node->set(key, std::move(value));
                break;
            }
            ConfigNode* next = node->find(key);
            if (!next || !next->is_map()) next = &node->set(key, ConfigNode::make_map());
            node = next;
            start = dot + 1;
        }
    }
}

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
    ConfigNode root = parse_yaml_file(path);
    apply_overrides(root, overrides);
    return build_scenario(root, path);
}

}  // namespace vram
