// model/family_definition.hpp - a family file as parsed (family_reader.cpp) and evaluated into a
// ModelSpec (family_evaluator.cpp). Internal to the family-file units.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/family_expression.hpp"
#include "vram/config_node.hpp"
#include "vram/model.hpp"

namespace vram {

// ---------------------------------------------------------------------------------------------
// The parsed family file

/// One entry of `tensors:` (or of a block): a tensor, or a group of entries.
struct FamilyItem {
    enum class Kind { linear, norm, vector, embedding, lm_head, tensor, buffer, use, repeat, each_layer } kind{};
    int line = 0;
    family_detail::Template name;
    std::string block;        ///< use:
    std::string group;        ///< default group of this entry (and of a block's children)
    bool force_group = false; ///< the group replaces the children's own (MTP layers)
    std::string module;
    family_detail::Formula when, rows, cols, bias, copies, active, layer, count, from;
    bool linear_flag = false, embedding_flag = false;
    std::string var;          ///< repeat: loop variable
    std::vector<FamilyItem> children;
};

/// The key a tensor entry is written with in a family file ("linear", "norm", ... "buffer"):
/// the reader looks it up, the evaluator names it in messages.
inline const char* family_item_key(FamilyItem::Kind kind) noexcept {
    switch (kind) {
        case FamilyItem::Kind::linear: return "linear";
        case FamilyItem::Kind::norm: return "norm";
        case FamilyItem::Kind::vector: return "vector";
        case FamilyItem::Kind::embedding: return "embedding";
        case FamilyItem::Kind::lm_head: return "lm_head";
        case FamilyItem::Kind::buffer: return "buffer";
        default: return "tensor";
    }
}

struct FamilyDefinition {
    std::string name, path, source, description;
    std::vector<std::string> model_types, covers, buffers;
    ConfigNode defaults = ConfigNode::make_map();
    std::vector<std::pair<std::string, family_detail::Formula>> derived, spec, layers, vision, audio;
    std::map<std::string, std::vector<FamilyItem>> blocks;
    std::vector<FamilyItem> tensors;
    std::vector<std::pair<family_detail::Template, family_detail::Formula>> notes;  ///< text, optional condition
    int notes_line = 0;
    std::vector<std::pair<family_detail::Formula, std::string>> refuse;  ///< configs the family does not model
};

/// Parses one family file; throws ScenarioError("FILE:LINE", what is wrong) on any error.
std::shared_ptr<FamilyDefinition> parse_family(const std::string& path);

/// The ModelSpec a family makes of one config.json; `where` names the config in messages.
ModelSpec evaluate_family(const FamilyDefinition& family, const std::string& where, const ConfigNode& config);

}  // namespace vram
