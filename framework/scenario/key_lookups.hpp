// scenario/key_lookups.hpp - which keys were asked of ConfigNodes on this thread.
// A model family's adapter is the only authority on which config.json keys it understands; by
// recording what it looks up (found or not), an inline `model.architecture` can reject a key no
// adapter read and suggest the one it did ask for (`num_key_value_head` -> `num_key_value_heads`)
// without a second, drifting list of keys per family.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vram/export.hpp"

namespace vram {

/// While alive, collects every key passed to ConfigNode::find on this thread (nested scopes
/// each see their own lookups; the outer one resumes afterwards).
class VRAM_API KeyLookups {
public:
    KeyLookups();
    ~KeyLookups();
    KeyLookups(const KeyLookups&) = delete;
    KeyLookups& operator=(const KeyLookups&) = delete;

    bool contains(std::string_view key) const noexcept;
    /// Distinct keys looked up, in first-lookup order.
    std::vector<std::string> keys() const;

private:
    std::vector<std::string> keys_;
    std::vector<std::string>* previous_;
};

/// Called by ConfigNode::find.
void note_key_lookup(std::string_view key) noexcept;

}  // namespace vram
