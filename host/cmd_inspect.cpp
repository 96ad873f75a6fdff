// cmd_inspect.cpp - vram inspect MODEL: architecture, exact parameter counts, KV bytes per token.
// SPDX-License-Identifier: Apache-2.0
#include <iostream>

#include "app.hpp"
#include "vram/error.hpp"
#include "pipeline/estimate.hpp"
#include "model/checkpoint_compare.hpp"
#include "model/model_loader.hpp"
#include "report/report.hpp"

namespace vram::cli {

int cmd_inspect(App& app, int argc, const char* const* argv) {
    CommonOptions common;
    std::string model_arg;
    std::string kv_dtype = "bf16";
    po::options_description desc("options");
    desc.add_options()("model", po::value(&model_arg), "preset name, path to a config.json, or hub id or URL (docs/hub.md)")
        ("kv-dtype", po::value(&kv_dtype), "KV cache dtype for the per-token figure (default bf16)");
    add_common_options(desc, common, CommandTraits{{"table", "json"}, "", false, false});
    po::positional_options_description pos;
    pos.add("model", 1);
    parse_command("inspect", argc, argv, desc, pos);
    if (common.help) {
        std::cout << command_help("inspect", "MODEL  (a preset name in any case, a path to config.json or its folder, or a hub\n"
                                             "model: org/name, hf:org/name, ms:org/name, https://huggingface.co/org/name,\n"
                                             "hf.co/org/name, https://modelscope.cn/models/org/name, with @REV or /tree/REV)",
                                  desc);
        return 0;
    }
    if (model_arg.empty()) throw UsageError("vram inspect: missing MODEL (see vram inspect --help)");
    const std::string format = output_format(common);
    app.load_plugins(common);
    std::optional<CheckpointInfo> checkpoint;
    const ModelSpec model = load_model_argument(app.registry(), model_arg, app.preset_dir(), &checkpoint);
    const AttentionSummary att = describe_attention(app.registry(), model, kv_dtype);
    // The headers' tensors are authoritative for a hub model: set against the family's list, they
    // catch a wrong family file on first use (docs/hub.md "Checkpoint against family").
    std::optional<CheckpointComparison> comparison;
    if (checkpoint) comparison = compare_checkpoint(model, *checkpoint);
    const CheckpointComparison* compared = comparison ? &*comparison : nullptr;
    emit(common, format == "json" ? model_to_json(model, att.kv_bytes_per_token, kv_dtype, att.label, compared)
                                  : model_to_table(model, att.kv_bytes_per_token, kv_dtype, att.label, compared));
    return 0;
}

}  // namespace vram::cli
