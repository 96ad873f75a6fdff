// pipeline/estimator_impl.hpp - the state of one prepared scenario, shared by the pipeline's
// units (internal). Each unit owns one step and reads only what earlier steps set:
//   resolve.cpp     lookups and I/O: formats, methods, runtime, tokenizers, GPU and CSV catalogs
//   plan.cpp        the Context stages in order: model ... parallelism checks, runtime, ranks
//   evaluate.cpp    pure: the per-rank, per-phase peak (the hot path of fit and sweep)
//   count_auto.cpp  hardware.count: auto
//   estimate.cpp    the Estimator API and the Estimate snapshot reports read
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "expression/expression.hpp"
#include "hub/hub.hpp"
#include "pipeline/estimate.hpp"
#include "plugin/registry.hpp"
#include "vram/error.hpp"

namespace vram {

/// Bytes of one rank by phase. Terms of different phases never coexist in memory (prefill and
/// decode, forward and optimizer step), so a rank's peak is its phase-less bytes plus its largest
/// phase. This is the one place that rule lives: the hot path, per-category sweeps and the
/// snapshot all read it from here. Fixed capacity: filling it never allocates.
class PhasePeak {
public:
    static constexpr std::size_t kMaxPhases = 8;

    void clear() noexcept { always_ = 0, n_ = 0; }
    /// Adds a term's bytes to its phase ("" = phase-less); throws EstimateError past 8 phases.
    void add(std::string_view phase, Bytes bytes);
    /// Phase-less bytes plus the largest phase.
    Bytes peak() const noexcept;
    /// The first phase with the most bytes; size() when no term has a phase.
    std::size_t peak_index() const noexcept;
    /// Whether a term of `phase` is resident at the peak (phase-less, or of the peak phase).
    bool at_peak(std::string_view phase) const noexcept;
    std::size_t size() const noexcept { return n_; }
    std::string_view phase(std::size_t j) const noexcept { return phases_[j].first; }
    Bytes bytes(std::size_t j) const noexcept { return phases_[j].second; }

private:
    Bytes always_ = 0;
    std::array<std::pair<std::string_view, Bytes>, kMaxPhases> phases_{};
    std::size_t n_ = 0;  // in order of first appearance
};

struct Estimator::Impl {
    const Registry& registry;
    Scenario scenario;
    std::string preset_dir;
    std::optional<CheckpointInfo> checkpoint;  // real tensor sizes of a hub checkpoint
    ModelSpec model;
    Context ctx;

    // resolve.cpp
    const WeightFormat* format = nullptr;
    Params format_params;
    const TrainingMethod* method = nullptr;
    Params method_params;
    const TrainingObjective* objective = nullptr;
    Params objective_params;
    const Optimizer* optimizer = nullptr;
    Params optimizer_params;
    const RuntimeProfile* runtime = nullptr;
    Params runtime_params;
    std::vector<const ModalityTokenizer*> tokenizers;  // one per input
    std::vector<const Component*> components;
    ScenarioComponents owned;  // scenario-defined components (components: block)
    GpuSpec gpu;
    Bytes usable = 0;
    bool have_gpu = false;

    // plan.cpp
    std::int64_t count = 1;
    std::vector<std::int64_t> roles{0};
    // Modalities whose reported count is encoder frames reached through cross-attention
    // (Whisper), not tokens in the decoder sequence: tokenizer_stage fills it, snapshot copies it.
    std::vector<std::string> encoder_frame_modalities;
    // Reused across preparations: copy-assigning a blank context reuses the vectors' storage,
    // where constructing one allocates every symbol's name and meaning again (sweeps prepare
    // once per point).
    Context blank{model, scenario, &registry.symbols};
    // Depend on the model and the weight format only: computed once, not per preparation.
    double p_total = -1, p_active = -1;
    std::array<double, 4> rank_placement{};            // t, p, ep, offload budget of rank_weight_bytes
    std::vector<std::int64_t> rank_roles;
    std::vector<Bytes> rank_tensor_bytes;
    std::vector<std::pair<std::int64_t, double>> rank_weight_bytes;
    std::vector<Bytes> format_bytes_cache;
    Bytes format_bytes_total = 0;  ///< sum of format_bytes_cache
    std::int64_t unconverted_params = 0;  ///< parameters precision.modules_to_not_convert kept unquantized
    std::int64_t unconverted_tensors = 0;
    /// Weights-only models: the terms left out; the estimate names the categories of those that
    /// exist in this scenario (Component::applies) as unknown.
    std::vector<const Component*> unknown_components;
    bool format_bytes_valid = false;  ///< cleared when the model, format or its options change
    void ensure_format_bytes();

    // evaluate.cpp
    std::vector<Bytes> values_buf;       // evaluate_categories: bytes per component
    /// Whether the runtime profile admits the prepared scenario on every rank role
    /// (RuntimeProfile::admits); `reason` as there. Hot path when `reason` is null.
    bool admitted(std::string* reason);

    // count_auto.cpp
    ParallelismSpec auto_base;           // the scenario's own layout
    ParallelismSpec auto_layout;         // the layout it resolved to
    bool auto_resolved = false;

    Impl(const Registry& r, Scenario s, std::string dir);

    [[noreturn]] void fail_at(const std::string& path, const std::string& message) const {
        throw ScenarioError(scenario.where(path), message);
    }
    // Checkpoint sizes replace the format's arithmetic when the scenario asks for them
    // (precision.weights: checkpoint) or names no weight format for a hub model with headers.
    bool use_checkpoint() const {
        if (!checkpoint) return false;
        return scenario.precision.weights == "checkpoint" || scenario.marks.count("precision.weights") == 0;
    }

    // resolve.cpp
    void resolve();
    void resolve_training();
    void resolve_tokenizers();
    void resolve_hardware();
    template <class T>
    const T& lookup(const Catalog<T>& catalog, const std::string& name, const std::string& path) const {
        try {
            return catalog.get(name, path);
        } catch (const UnknownComponentError& e) {
            fail_at(path, e.what());
        }
    }
    Params params_for(const ConfigNode* block, const std::vector<ParamSpec>& specs, const std::string& path) const;

    // plan.cpp
    void prepare();
    void model_stage();
    void format_stage();
    void tokenizer_stage();
    void method_stage();
    void publish_method_facts();
    void parallelism_stage();
    void runtime_stage();
    void rank_stage();
    // fp8.cpp
    void fp8_stage();
    Bytes format_bytes(std::size_t i);

    // evaluate.cpp
    void drop_mtp_layers();
    void drop_lm_head();
    struct DroppedGroup {
        std::int64_t params = 0;       ///< the group's parameters that held bytes
        double trainable_params = 0;   ///< of its tensors removed from the trainable set
    };
    DroppedGroup drop_tensor_group(std::string_view group);
    Bytes evaluate_role(std::int64_t stage, Bytes* values, PhasePeak& phases);
    /// workload.lengths: sets Sym::b and Sym::s to the peak micro-batch's shape (plan.cpp).
    void peak_micro_batch();
    std::vector<std::int64_t> micro_batch_samples;  ///< set by peak_micro_batch()
    Bytes evaluate_peak();
    Bytes evaluate_categories(CategoryBytes& out);

    // count_auto.cpp
    void resolve_count_auto();

    // estimate.cpp
    Estimate snapshot();
};

}  // namespace vram
