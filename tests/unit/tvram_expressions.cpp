// tvram_expressions.cpp - issue 9: scenario expression components (the formula language, replacing
// built-in terms, error messages with file, component and column) and `vram symbols`.
// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "test_support.hpp"
#include "vram/error.hpp"
#include "expression/expression.hpp"
#include "scenario/scenario_loader.hpp"

using namespace vram;
using namespace vram::test;

namespace {

// Llama-2-7B (h 4096, L 32, n_q = n_kv 32, head_dim 128), bf16, batch 2 × 1,024 tokens.
const std::string kBase = R"(name: expression test
model: {preset: llama-2-7b}
precision: {weights: bf16}
workload: {type: inference, batch_size: 2, sequence_length: 1024}
hardware: {memory_gib: 80}
)";

// A Context with a few symbols set by hand, for the language tests.
struct LanguageFixture {
    ModelSpec model;
    Scenario scenario;
    Context ctx{model, scenario};
    LanguageFixture() {
        ctx.begin_stage("test");
        ctx.set(Sym::b, 8);
        ctx.set(Sym::s, 4096);
        ctx.set(Sym::h, 4096);
        ctx.set(Sym::L, 32);
    }
    double eval(const std::string& text) {
        Expression e = Expression::compile(text);
        e.bind(ctx);
        return e.evaluate(ctx);
    }
};

// The error of estimating `yaml`, or "" when it succeeds.
std::string error_of(const std::string& yaml, std::string* file = nullptr) {
    const std::string path = write_scenario(yaml, "expr");
    if (file) *file = path;
    try {
        Estimator est(core_registry(), load_scenario(path, {}), preset_dir());
        est.estimate();
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(expressions)

BOOST_FIXTURE_TEST_CASE(issue9_language_precedence_functions_and_conditionals, LanguageFixture) {
    BOOST_TEST(eval("2 + 3 * 4") == 14.0);
    BOOST_TEST(eval("(2 + 3) * 4") == 20.0);
    BOOST_TEST(eval("-2^2") == -4.0);          // power binds tighter than unary minus
    BOOST_TEST(eval("2^3^2") == 512.0);        // right-associative: 2^9
    BOOST_TEST(eval("2 ** 10") == 1024.0);
    BOOST_TEST(eval("2^-1") == 0.5);
    BOOST_TEST(eval("10 \xC3\x97 6 \xC3\xB7 4 \xE2\x88\x92 1") == 14.0);  // 10 × 6 ÷ 4 − 1
    BOOST_TEST(eval("2 \xC2\xB7 b") == 16.0);                          // 2 · b
    BOOST_TEST(eval("min(3, 1, 2)") == 1.0);
    BOOST_TEST(eval("max(b, 5, 2)") == 8.0);
    BOOST_TEST(eval("ceil(7 / 2) + floor(7 / 2)") == 7.0);             // 4 + 3
    BOOST_TEST(eval("log2(s)") == 12.0);                               // 4096 = 2^12
    BOOST_TEST(eval("b > 4 ? 10 : 20") == 10.0);
    BOOST_TEST(eval("b <= 4 ? 10 : b == 8 ? 30 : 40") == 30.0);        // nested, right-associative
    BOOST_TEST(eval("if(b != 8, 1, 2)") == 2.0);
    BOOST_TEST(eval("(b >= 8) + (b < 8) * 10") == 1.0);
    BOOST_TEST(eval("b > 1 && L == 32") == 1.0);
    BOOST_TEST(eval("!(b > 1) || 0") == 0.0);
    BOOST_TEST(eval("1.5e3 + .5") == 1500.5);
    BOOST_TEST(eval("abs(-3) + sqrt(16) + round(2.5)") == 10.0);       // 3 + 4 + 3
    // 2 · b · s · h = 2 · 8 · 4,096 · 4,096 = 268,435,456
    BOOST_TEST(eval("2 * b * s * h") == 268435456.0);
}

BOOST_FIXTURE_TEST_CASE(issue9_compiles_to_folded_postfix_over_symbol_indices, LanguageFixture) {
    // 2^30 folds to one constant and the product fuses with its symbol: [const 2^30, mul_sym b].
    Expression e = Expression::compile("2^30 * b");
    BOOST_TEST(e.code_size() == 2u);
    // 2 · L · n_kv · head_dim · b · s: one load and five fused multiplications.
    BOOST_TEST(Expression::compile("2 * L * n_kv * head_dim * b * s").code_size() == 6u);
    // Mixed operators keep their order: (b - s) / 2 + L = (8 - 4096) / 2 + 32 = -2012
    BOOST_TEST(eval("(b - s) / 2 + L") == -2012.0);
    BOOST_TEST(eval("L - b / 2 * 3") == 20.0);   // 32 - (8 / 2) * 3
    BOOST_TEST(eval("h / (b * 2) - 1") == 255.0);  // 4096 / 16 - 1
    BOOST_TEST(!e.bound());
    e.bind(ctx);
    BOOST_TEST(e.evaluate(ctx) == 8.0 * 1073741824.0);
    // Numbers change, the code does not: evaluate reads the Context each time.
    ctx.set(Sym::b, 3);
    BOOST_TEST(e.evaluate(ctx) == 3.0 * 1073741824.0);
    BOOST_TEST(e.substitute(ctx) == "2^30 * 3");
    const auto names = Expression::compile("b * s + b").symbols();
    BOOST_TEST(names.size() == 2u);
}

BOOST_AUTO_TEST_CASE(issue9_reads_plugin_defined_symbols) {
    // A plugin declares its symbol at registration; the host puts it in the table every Context reads.
    const ModelSpec model;
    const Scenario scenario;
    SymbolTable table = builtin_symbols();
    table.push_back({"acme_factor", "", "a plugin's own quantity", "acme.plugin"});
    Context c(model, scenario, &table);
    c.begin_stage("acme.plugin");
    c.set(c.symbol("acme_factor"), 1.25);
    Expression e = Expression::compile("acme_factor * 8");
    e.bind(c);
    BOOST_TEST(e.evaluate(c) == 10.0);
}

BOOST_FIXTURE_TEST_CASE(issue9_syntax_errors_carry_the_column, LanguageFixture) {
    auto column_of_error = [&](const std::string& text) -> std::pair<std::size_t, std::string> {
        try {
            Expression e = Expression::compile(text);
            e.bind(ctx);
        } catch (const ExpressionError& err) {
            return {err.column(), err.detail()};
        }
        return {0, ""};
    };
    auto [c1, m1] = column_of_error("2 * (b + s");
    BOOST_TEST(c1 == 11u);  // end of the text: "2 * (b + s" is 10 characters
    BOOST_TEST(contains(m1, "expected ')' to close the '(' at column 5"));
    auto [c2, m2] = column_of_error("2 * b * hh");
    BOOST_TEST(c2 == 9u);
    BOOST_TEST(m2 == "unknown symbol 'hh'; did you mean: h, head_dim");
    auto [c3, m3] = column_of_error("b * foo(2)");
    BOOST_TEST(c3 == 5u);
    BOOST_TEST(contains(m3, "unknown function 'foo'; functions: min, max, ceil"));
    auto [c4, m4] = column_of_error("ceil(b, s)");
    BOOST_TEST(c4 == 1u);
    BOOST_TEST(m4 == "ceil() takes 1 argument, got 2");
    auto [c5, m5] = column_of_error("2h");
    BOOST_TEST(c5 == 2u);
    BOOST_TEST(contains(m5, "write the multiplication"));
    auto [c6, m6] = column_of_error("\xC3\x97 b");  // a leading ×; columns count characters, not bytes
    BOOST_TEST(c6 == 1u);
    auto [c7, m7] = column_of_error("b \xC3\x97 $");
    BOOST_TEST(c7 == 5u);
    BOOST_TEST(contains(m7, "unexpected character '$'"));
    auto [c8, m8] = column_of_error("");
    BOOST_TEST(m8 == "empty formula");
    auto [c9, m9] = column_of_error("b s");
    BOOST_TEST(c9 == 3u);
    BOOST_TEST(m9 == "unexpected 's' after a complete formula (missing an operator?)");
}

BOOST_AUTO_TEST_CASE(issue9_expression_component_bytes_equal_hand_computed_value) {
    // my_buffer = 2 · b · s · h = 2 · 2 · 1,024 · 4,096 = 16,777,216 B
    const Result with = estimate_yaml(kBase + R"(components:
  - {name: my_buffer, category: activations, formula: "2 * b * s * h"}
)");
    const Result without = estimate_yaml(kBase);
    BOOST_TEST(with.bytes("my_buffer") == 16777216u);
    BOOST_TEST(with.estimate.total_bytes == without.estimate.total_bytes + 16777216u);
    const auto& terms = with.estimate.ranks[with.estimate.most_loaded].terms;
    const auto it = std::find_if(terms.begin(), terms.end(), [](const Term& t) { return t.id == "my_buffer"; });
    BOOST_REQUIRE(it != terms.end());
    BOOST_TEST(std::string(to_string(it->category)) == "activations");
    BOOST_TEST(it->formula == "2 * b * s * h");
    BOOST_TEST(it->substituted == "2 * 2 * 1024 * 4096 = 16,777,216 B");
    BOOST_TEST(contains(it->source, "components[0]"));
}

BOOST_AUTO_TEST_CASE(issue9_replaced_builtin_term_disappears_from_the_breakdown) {
    // Built-in KV cache: b · s · L · 2 · n_kv · head_dim · 2 B = 2 · 1,024 · 32 · 2 · 32 · 128 · 2
    //                  = 1,073,741,824 B.
    // The replacement halves it (a 1-byte KV layout): 2 · L · n_kv · head_dim · b · s · 1 B
    //                  = 536,870,912 B.
    const Result base = estimate_yaml(kBase);
    BOOST_TEST(base.bytes("core.kv_cache") == 1073741824u);
    const Result r = estimate_yaml(kBase + R"(components:
  - name: kv_fp8
    category: kv_cache
    replaces: core.kv_cache
    formula: 2 × L × n_kv × head_dim × b × s × 1
)");
    BOOST_TEST(!r.has("core.kv_cache"));
    BOOST_TEST(r.bytes("kv_fp8") == 536870912u);
    BOOST_TEST(r.category(Category::kv_cache) == 536870912u);
    BOOST_TEST(r.estimate.kv_cache_bytes == 536870912u);
    BOOST_TEST(r.estimate.total_bytes == base.estimate.total_bytes - 1073741824u + 536870912u);
    // The replacement takes the replaced term's place in the breakdown.
    const auto& a = base.estimate.ranks[base.estimate.most_loaded].terms;
    const auto& b = r.estimate.ranks[r.estimate.most_loaded].terms;
    BOOST_REQUIRE_EQUAL(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        BOOST_TEST((a[i].id == "core.kv_cache" ? b[i].id == "kv_fp8" : a[i].id == b[i].id));
}

BOOST_AUTO_TEST_CASE(issue9_malformed_formula_error_names_file_component_and_column) {
    std::string file;
    // Line 7 of the file: `    formula: "2 * (b + hh"`; the value starts at column 14.
    const std::string err = error_of(kBase + R"(components:
  - name: my_buffer
    formula: "2 * (b + hh"
)", &file);
    BOOST_TEST_INFO(err);
    BOOST_TEST(err == file + ":8:14: components[0] (my_buffer): formula column 12: expected ')' to close the '(' at "
                             "column 5, got 'end of formula'");
    const std::string unknown = error_of(kBase + R"(components:
  - name: my_buffer
    category: buffers
    formula: "2 * b * hh"
)", &file);
    BOOST_TEST(unknown == file + ":9:14: components[0] (my_buffer): formula column 9: unknown symbol 'hh'; did you "
                                 "mean: h, head_dim");
    BOOST_TEST(unknown.find('\n') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(issue9_negative_or_non_finite_results_name_the_component) {
    const std::string neg = error_of(kBase + R"(components:
  - {name: shrink, category: other, formula: "s - 2 * s"}
)");
    BOOST_TEST_INFO(neg);
    BOOST_TEST(contains(neg, "components[0] (shrink): formula 's - 2 * s' is negative (-1024) for 1024 - 2 * 1024"));
    const std::string inf = error_of(kBase + R"y(components:
  - {name: blowup, category: other, formula: "h / (b - 2)"}
)y");
    BOOST_TEST_INFO(inf);
    BOOST_TEST(contains(inf, "components[0] (blowup): formula 'h / (b - 2)' is infinite"));
}

BOOST_AUTO_TEST_CASE(issue9_bad_category_name_and_replaces_are_errors) {
    const std::string cat = error_of(kBase + R"(components:
  - {name: x, category: activation, formula: "1"}
)");
    BOOST_TEST(contains(cat, "components[0] (x): unknown category 'activation'; allowed: weights, kv_cache, activations"));
    const std::string rep = error_of(kBase + R"(components:
  - {name: x, category: kv_cache, replaces: core.kv_cach, formula: "1"}
)");
    BOOST_TEST_INFO(rep);
    BOOST_TEST(contains(rep, "components[0] (x): replaces: no component 'core.kv_cach'; did you mean: core.kv_cache"));
    const std::string twice = error_of(kBase + R"(components:
  - {name: x, category: kv_cache, replaces: core.kv_cache, formula: "1"}
  - {name: y, category: kv_cache, replaces: core.kv_cache, formula: "2"}
)");
    BOOST_TEST(contains(twice, "components[1] (y): replaces: 'core.kv_cache' is already replaced by components[0]"));
    const std::string dup = error_of(kBase + R"(components:
  - {name: x, formula: "1"}
  - {name: x, formula: "2"}
)");
    BOOST_TEST(contains(dup, "components[1] (x): name 'x' is already used by components[0]"));
    const std::string builtin = error_of(kBase + R"(components:
  - {name: core.weights, formula: "1"}
)");
    BOOST_TEST(contains(builtin, "is a built-in component; use replaces: core.weights"));
}

BOOST_AUTO_TEST_CASE(issue9_symbols_command_lists_value_unit_meaning_and_origin) {
    // The scenario's own formula is broken: the symbol list must still come out, since it is what
    // one reads to fix the formula.
    const std::string path = write_scenario(kBase + R"(components:
  - {name: wip, formula: "2 * hh"}
)", "symbols");
    const CliResult r = run_cli({"symbols", path, "--format", "json"});
    BOOST_TEST_INFO(r.err);
    BOOST_REQUIRE_EQUAL(r.rc, 0);
    BOOST_TEST(contains(r.out, R"({"name": "P_total", "value": 6738415616, "unit": "parameters", "meaning": "exact parameter count", "owner": "core", "set_by": "core.model"})"));
    BOOST_TEST(contains(r.out, R"({"name": "b", "value": 2, "unit": "sequences")"));
    // KV bytes per token = 2 · 32 layers · 32 heads · 128 · 2 B = 524,288
    BOOST_TEST(contains(r.out, R"({"name": "kv_per_token", "value": 524288, "unit": "bytes")"));
    const CliResult table = run_cli({"symbols", path, "--format", "table"});
    BOOST_TEST(contains(table.out, "head_dim"));
    BOOST_TEST(contains(table.out, "core.format.bf16"));
    // Without a scenario: names, units and meanings only.
    const CliResult bare = run_cli({"symbols", "--format", "json"});
    BOOST_TEST(bare.rc == 0);
    BOOST_TEST(contains(bare.out, R"({"name": "n_kv", "value": null, "unit": "heads")"));
    // The run itself reports the broken formula as a scenario error (exit 1, one line).
    const CliResult run = run_cli({"run", path, "--format", "json"});
    BOOST_TEST(run.rc == 1);
    BOOST_TEST(contains(run.err, "components[0] (wip): formula column 5: unknown symbol 'hh'"));
    BOOST_TEST(run.out.empty());
}

BOOST_AUTO_TEST_CASE(issue9_research_preset_overrides_kv_cache_with_an_expression) {
    // presets/scenarios/research-kivi-2bit-kv-llama2-7b.yaml, Llama-2-7B, batch 16 × 4,096:
    //   16 × 32 × (2 × 32 × 128) × (3,968 × 0.375 + 128 × 2) = 16 × 32 × 8,192 × 1,744
    //   = 7,314,866,176 B, where bf16 would take 16 × 4,096 × 524,288 = 34,359,738,368 B.
    Scenario s = load_scenario(source_path("presets/scenarios/research-kivi-2bit-kv-llama2-7b.yaml"), {});
    Estimator est(core_registry(), std::move(s), preset_dir());
    const Result r{est.estimate()};
    BOOST_TEST(!r.has("core.kv_cache"));
    BOOST_TEST(r.bytes("research.kivi_kv_cache") == 7314866176u);
    BOOST_TEST(r.category(Category::kv_cache) == 7314866176u);
    // Under tensor parallelism each GPU keeps n_kv / t heads: t = 2 halves it.
    Scenario s2 = load_scenario(source_path("presets/scenarios/research-kivi-2bit-kv-llama2-7b.yaml"),
                                {"parallelism.tensor=2", "hardware.count=2"});
    Estimator est2(core_registry(), std::move(s2), preset_dir());
    const Result r2{est2.estimate()};
    BOOST_TEST(r2.bytes("research.kivi_kv_cache") == 7314866176u / 2);
}

BOOST_FIXTURE_TEST_CASE(issue9_random_formulas_compile_or_fail_with_a_column, LanguageFixture) {
    // Formulas are data read from files: any text either compiles and evaluates, or fails with
    // an ExpressionError whose column lies inside the text (or just past its end).
    const char* pieces[] = {"b", "s", "h", "hh", "2", "0.5", "1e3", "+", "-", "*", "/", "^", "**", "(", ")",
                            ",", "?", ":", "<", "<=", "==", "!", "&&", "||", "min(", "max(", "ceil(",
                            "if(", "log2(", " ", "\xC3\x97", "$", "2h", "."};
    std::uint32_t seed = 12345;
    auto next = [&] { return seed = seed * 1664525u + 1013904223u; };  // Numerical Recipes LCG
    int compiled = 0, failed = 0;
    for (int n = 0; n < 5000; ++n) {
        std::string text;
        const int len = 1 + static_cast<int>(next() % 12);
        for (int k = 0; k < len; ++k) text += pieces[next() % (sizeof pieces / sizeof pieces[0])];
        std::size_t chars = 0;
        for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
        try {
            Expression e = Expression::compile(text);
            e.bind(ctx);
            (void)e.evaluate(ctx);
            ++compiled;
        } catch (const ExpressionError& err) {
            BOOST_TEST_INFO(text);
            BOOST_TEST((err.column() >= 1 && err.column() <= chars + 1));
            ++failed;
        }
    }
    BOOST_TEST(compiled > 10);
    BOOST_TEST(failed > 100);
    // Nesting is bounded instead of exhausting the stack.
    BOOST_CHECK_THROW(Expression::compile(std::string(100000, '(') + "1"), ExpressionError);
    BOOST_CHECK_THROW(Expression::compile(std::string(100000, '-') + "1"), ExpressionError);
    BOOST_TEST(eval(std::string(150, '(') + "b" + std::string(150, ')')) == 8.0);
}

BOOST_AUTO_TEST_SUITE_END()
