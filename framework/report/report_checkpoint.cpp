// report_checkpoint.cpp - `vram inspect`'s Checkpoint section: the safetensors headers against
// the family's count (model/checkpoint_compare.hpp), as table lines and as a JSON object.
// SPDX-License-Identifier: Apache-2.0
#include <cstdlib>

#include "report/report.hpp"
#include "vram/bytes.hpp"

namespace vram {
namespace {

std::string count(std::int64_t n) {
    return (n < 0 ? "-" : "") + format_count(static_cast<std::uint64_t>(n < 0 ? -n : n));
}

std::string signed_count(std::int64_t n) { return (n > 0 ? "+" : "") + count(n); }

std::string shape_text(const std::vector<std::int64_t>& shape) {
    std::string out = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
    return out + "]";
}

std::string named(const NamedShape& n) {
    std::string out = n.name + " " + shape_text(n.shape);
    if (n.family_copies != 1)  // routed experts: how many of the family's copies
        out += " (" + std::to_string(n.copies) + (n.copies == n.family_copies ? "" : " of " + std::to_string(n.family_copies)) +
               " copies)";
    return out;
}

/// "a [1], b [2] and 3 more": a wrong family file can differ in hundreds of tensors per layer.
template <class T, class F>
std::string listing(const std::vector<T>& items, F text, std::size_t cap) {
    std::string out;
    for (std::size_t i = 0; i < items.size() && i < cap; ++i) out += (i ? ", " : "") + text(items[i]);
    if (items.size() > cap) out += " and " + std::to_string(items.size() - cap) + " more";
    return out;
}

std::string difference_line(const CheckpointDifference& d) {
    constexpr std::size_t cap = 4;
    std::string line = d.where + ": family " + count(d.family_elements);
    if (d.checkpoint_elements >= 0)
        line += " vs checkpoint " + count(d.checkpoint_elements) + " (" +
                signed_count(d.checkpoint_elements - d.family_elements) + ")";
    else
        line += " parameters";
    std::string parts;
    if (!d.missing_in_family.empty())
        parts += "checkpoint has " + listing(d.missing_in_family, named, cap) + " that the family lacks";
    if (!d.missing_in_checkpoint.empty())
        parts += std::string(parts.empty() ? "" : "; ") + "family has " + listing(d.missing_in_checkpoint, named, cap) +
                 " that the checkpoint lacks";
    if (!d.different_shape.empty())
        parts += std::string(parts.empty() ? "" : "; ") +
                 listing(d.different_shape,
                         [](const ShapeDifference& s) {
                             return s.name + " is " +
                                    (s.family_copies != 1 ? std::to_string(s.family_copies) + " x " : "") +
                                    shape_text(s.family_shape) + " in the family, " + shape_text(s.checkpoint_shape) +
                                    " in the checkpoint";
                         },
                         cap);
    return line + (parts.empty() ? "" : ": " + parts);
}

void write_named(JsonWriter& w, const std::vector<NamedShape>& list) {
    w.array();
    for (const auto& n : list) {
        w.object(JsonWriter::Layout::line).field("name", n.name).key("shape").array();
        for (auto d : n.shape) w.value(d);
        w.end().field("copies", n.copies).field("family_copies", n.family_copies).end();
    }
    w.end();
}

}  // namespace

std::string checkpoint_to_table(const CheckpointComparison& c, std::size_t max_places) {
    std::string out = "Checkpoint: " + c.source + "\n";
    if (!c.by_elements) out += "  " + c.reason + "\n";
    if (c.matches()) {
        out += c.by_elements ? "  matches the family count: " + count(c.family_elements) + " parameters in " +
                                   format_count(c.checkpoint_tensors) + " tensors\n"
                             : "  matches the family's tensors: all " + format_count(c.family_tensors) +
                                   " family tensors are present (" + format_count(c.checkpoint_tensors) +
                                   " checkpoint tensors compared)\n";
    } else {
        const std::size_t n = c.differences.size();
        out += "  differs from the family in " + std::to_string(n) + (n == 1 ? " place" : " places");
        if (c.by_elements)
            out += " (family " + count(c.family_elements) + " vs checkpoint " + count(c.checkpoint_elements) +
                   " parameters, " + signed_count(c.checkpoint_elements - c.family_elements) + ")";
        out += ":\n";
        for (std::size_t i = 0; i < n && i < max_places; ++i) out += "  " + difference_line(c.differences[i]) + "\n";
        if (n > max_places)
            out += "  ... and " + std::to_string(n - max_places) + " more (--format json lists every difference)\n";
    }
    for (const auto& a : c.not_attributed)
        out += "  not attributed: " + a.what + " (" + format_count(a.tensors) + (a.tensors == 1 ? " tensor, " : " tensors, ") +
               count(a.elements) + " elements): " + a.why + "\n";
    for (const auto& n : c.notes) out += "  note: " + n + "\n";
    return out;
}

void write_checkpoint_json(JsonWriter& w, const CheckpointComparison& c) {
    w.object().field("source", c.source).field("files", c.files).field("tensors", c.tensors);
    w.field("bytes", c.bytes).field("elements", c.elements);
    if (c.quantization.empty()) w.key("quantization").null();
    else w.field("quantization", c.quantization);
    w.field("comparison", c.by_elements ? "elements" : "presence");
    if (c.reason.empty()) w.key("reason").null();
    else w.field("reason", c.reason);
    w.field("matches", c.matches()).field("family_elements", c.family_elements);
    if (c.by_elements) w.field("checkpoint_elements", c.checkpoint_elements);
    else w.key("checkpoint_elements").null();
    w.field("family_tensors", c.family_tensors).field("compared_tensors", c.checkpoint_tensors);
    w.key("differences").array();
    for (const auto& d : c.differences) {
        w.object().field("where", d.where);
        if (d.layer >= 0) w.field("layer", d.layer);
        else w.key("layer").null();
        w.field("family_elements", d.family_elements);
        if (d.checkpoint_elements >= 0) w.field("checkpoint_elements", d.checkpoint_elements);
        else w.key("checkpoint_elements").null();
        w.key("missing_in_family");
        write_named(w, d.missing_in_family);
        w.key("missing_in_checkpoint");
        write_named(w, d.missing_in_checkpoint);
        w.key("different_shape").array();
        for (const auto& s : d.different_shape) {
            w.object(JsonWriter::Layout::line).field("name", s.name).key("family_shape").array();
            for (auto x : s.family_shape) w.value(x);
            w.end().field("family_copies", s.family_copies).key("checkpoint_shape").array();
            for (auto x : s.checkpoint_shape) w.value(x);
            w.end().end();
        }
        w.end().end();
    }
    w.end();
    w.key("not_attributed").array();
    for (const auto& a : c.not_attributed)
        w.object(JsonWriter::Layout::line)
            .field("what", a.what)
            .field("why", a.why)
            .field("tensors", a.tensors)
            .field("elements", a.elements)
            .end();
    w.end();
    w.key("notes").array();
    for (const auto& n : c.notes) w.value(n);
    w.end().end();
}

}  // namespace vram
