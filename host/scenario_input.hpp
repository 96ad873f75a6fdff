// scenario_input.hpp - where a command's scenario comes from: a file, a scenario preset by name,
// stdin (`-`), or nothing but flags (`vram run --model llama-3-8b --gpu H100`), with the
// one-line-question flags and --set applied on top (contract.md "One-line questions").
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "app.hpp"
#include "vram/config_node.hpp"
#include "vram/scenario.hpp"
#include "scenario/scenario_loader.hpp"

namespace vram::cli {

/// The flags that fill a scenario from the command line; empty = not given.
struct QuestionFlags {
    std::string model;    ///< --model: preset name (any case), config.json path, hub id or URL, or a count (70B)
    std::string gpu;      ///< --gpu: hardware.gpu
    std::string gpus;     ///< --gpus: hardware.count (N or auto)
    std::string batch;    ///< --batch: workload.batch_size
    std::string seq;      ///< --seq: workload.sequence_length
    std::string weights;  ///< --weights: precision.weights
    std::string kv;       ///< --kv: precision.kv_cache
    std::string engine;   ///< --engine: runtime.engine
    std::string method;   ///< --method: training.method (implies workload.type: training)
    bool any() const noexcept;
};

/// Adds --model, --gpu, --gpus, --batch, --seq, --weights, --kv, --engine, --method.
void add_question_options(po::options_description& desc, QuestionFlags& flags);

/// What the positional SCENARIO argument of run, validate, fit, sweep, recommend and compare
/// accepts, for --help and messages.
inline constexpr const char* kScenarioArgument = "SCENARIO.yaml | PRESET | - (stdin) | nothing (flags only)";

/// A scenario source parsed once, with its overrides; build() gives a fresh validated Scenario.
class ScenarioInput {
public:
    /// `argument`: a file, a scenario preset name (any case), "-" for stdin, or empty (then
    /// `flags` must name a model). Flags apply first, then --set (`sets`), then `extra`.
    ScenarioInput(const App& app, const std::string& argument, const QuestionFlags& flags,
                  const std::vector<std::string>& sets, const std::vector<Override>& extra = {});

    /// A scenario already parsed (a request body of `vram serve`): no flags, no overrides.
    /// `file` names it in messages ("<request>"); relative paths would resolve against nothing.
    ScenarioInput(ConfigNode root, std::string file, std::string label);

    /// A validated Scenario: the parsed tree with every override, plus `more` on top.
    Scenario build(const std::vector<Override>& more = {}) const;
    /// The scenario file for messages and relative paths: a path, "<stdin>" or "<command line>".
    const std::string& file() const noexcept { return file_; }
    /// How reports name the scenario: the file name, the preset name, "stdin" or "command line".
    const std::string& label() const noexcept { return label_; }
    /// Keys the answer depends on that nobody gave, with the default used (flags-only questions).
    const std::vector<std::pair<std::string, std::string>>& assumed() const noexcept { return assumed_; }

private:
    ConfigNode root_;
    std::string file_;
    std::string label_;
    std::vector<Override> overrides_;
    std::vector<std::pair<std::string, std::string>> assumed_;
};

}  // namespace vram::cli
