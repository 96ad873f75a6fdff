// tvram_pipeline.cpp - issue 16 (pipeline stages as units): the Estimate snapshot carries what
// reports read (phases, peak phase, symbols) and agrees with its own terms; the one JSON writer's
// layout, streaming and misuse; the one edit distance.
// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include <limits>
#include <stdexcept>

#include "report/json_writer.hpp"
#include "test_support.hpp"
#include "text/edit_distance.hpp"

using namespace vram;
using namespace vram::test;

namespace {

const char* const kPipelineTraining =
    "name: llama-2-7b pipeline training\n"
    "model: {preset: llama-2-7b}\n"
    "precision: {weights: bf16}\n"
    "workload: {type: training, batch_size: 1, sequence_length: 4096}\n"
    "training: {method: full, objective: sft, optimizer: adamw, mixed_precision: bf16}\n"
    "parallelism: {pipeline: 4}\n"
    "hardware: {memory_gib: 80}\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(pipeline)

// Every rank's total is its phase-less terms plus the terms of the phase the snapshot names as
// the peak; the phases listed add up to the terms of each phase.
BOOST_AUTO_TEST_CASE(issue16_snapshot_phases_agree_with_terms) {
    const Estimate e = estimate_yaml(kPipelineTraining).estimate;
    BOOST_REQUIRE(e.ranks.size() >= 2);
    for (const auto& r : e.ranks) {
        Bytes at_peak = 0;
        for (const auto& t : r.terms)
            if (t.phase.empty() || t.phase == r.peak_phase) at_peak += t.bytes;
        BOOST_TEST(at_peak == r.total);
        for (const auto& p : r.phases) {
            Bytes sum = 0;
            for (const auto& t : r.terms)
                if (t.phase == p.phase) sum += t.bytes;
            BOOST_TEST(sum == p.bytes);
            BOOST_TEST(p.bytes <= r.total);
        }
        if (r.phases.empty()) BOOST_TEST(r.peak_phase.empty());
    }
}

// The snapshot's symbols are those of the most loaded rank, and the decisions reports print are
// in the snapshot, not in the live Context.
BOOST_AUTO_TEST_CASE(issue16_snapshot_carries_symbols_and_decisions) {
    const Estimate e = estimate_yaml(kPipelineTraining).estimate;
    bool found_stage = false;
    for (const auto& s : e.symbols) {
        if (s.name != "stage") continue;
        found_stage = true;
        BOOST_TEST(s.set);
        BOOST_TEST(s.value == static_cast<double>(e.ranks[e.most_loaded].stage));
    }
    BOOST_TEST(found_stage);
    BOOST_TEST(!e.attention.empty());
    BOOST_TEST(e.weight_format == "bf16");
    BOOST_TEST(e.kv_dtype == "bf16");
    BOOST_TEST(e.kv_bytes_per_token > 0);
}

BOOST_AUTO_TEST_CASE(issue16_json_writer_layout) {
    JsonWriter w;
    w.object().field("key", "workload.batch_size").field("value", 37).field("fits", true);
    w.key("list").array().value(1).value(2).end();
    w.key("none").null();
    w.key("nested").object().field("x", 0.5).end();
    w.key("row").object(JsonWriter::Layout::line).field("a", 1).key("b").array().value("x").value("y").end().end();
    w.end();
    BOOST_TEST(w.str() ==
               "{\n  \"key\": \"workload.batch_size\",\n  \"value\": 37,\n  \"fits\": true,\n  \"list\": [1,2],\n"
               "  \"none\": null,\n  \"nested\": {\n    \"x\": 0.5\n  },\n  \"row\": {\"a\": 1, \"b\": [\"x\", \"y\"]}\n}\n");
}

// A root array is laid out item by item (a long sweep never holds every row as a tree).
BOOST_AUTO_TEST_CASE(issue16_json_writer_streams_root_arrays) {
    JsonWriter w;
    w.array();
    w.object(JsonWriter::Layout::line).field("a", 1).end();
    w.object().field("a", 2).end();
    w.end();
    BOOST_TEST(w.str() == "[\n  {\"a\": 1},\n  {\n    \"a\": 2\n  }\n]\n");
    JsonWriter empty;
    empty.array().end();
    BOOST_TEST(empty.str() == "[]\n");
}

// fixed() and general() give the number a reader of printf's text would get, printed plainly
// (whole numbers as integers, others in their shortest round-trip form).
BOOST_AUTO_TEST_CASE(issue16_json_writer_rounding_and_misuse) {
    JsonWriter w;
    w.array().fixed(2.0 / 3.0, 4).general(1234567.0).fixed(std::numeric_limits<double>::infinity(), 2).end();
    BOOST_TEST(w.str() == "[\n  0.6667,\n  1234570,\n  null\n]\n");
    JsonWriter bad;
    bad.object();
    BOOST_CHECK_THROW(bad.value(1), std::logic_error);   // no key
    bad.field("k", 1);
    BOOST_CHECK_THROW(bad.field("k", 2), std::logic_error);  // a key twice
    BOOST_CHECK_THROW(bad.str(), std::logic_error);      // still open
    bad.end();
    BOOST_CHECK_THROW(bad.end(), std::logic_error);      // nothing open
    BOOST_CHECK_THROW(bad.object(), std::logic_error);   // a second root
}

BOOST_AUTO_TEST_CASE(issue16_one_edit_distance) {
    BOOST_TEST(edit_distance("nvidai", "nvidia") == 2u);
    BOOST_TEST(edit_distance("nvidai", "nvidia", true) == 1u);
    BOOST_TEST(edit_distance("H100", "h100") == 0u);
    BOOST_TEST(edit_distance("", "abc") == 3u);
    BOOST_TEST(edit_distance("kitten", "sitting") == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
