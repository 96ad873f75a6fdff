// expression/expression.hpp - the formula language of scenario `components:` (docs/research.md)
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vram/component.hpp"
#include "vram/context.hpp"
#include "vram/error.hpp"
#include "vram/export.hpp"
#include "vram/scenario.hpp"

namespace vram {

/// A formula could not be compiled or bound. `column` is 1-based and counts characters
/// (UTF-8 code points) of the formula text; the message does not repeat it.
class VRAM_API ExpressionError : public Error {
public:
    ExpressionError(std::size_t column, const std::string& message);
    ~ExpressionError() override;
    std::size_t column() const noexcept { return column_; }
    const std::string& detail() const noexcept { return detail_; }

private:
    std::size_t column_;
    std::string detail_;
};

/// A compiled arithmetic formula over Context symbols.
///
/// Language: numbers (`4096`, `0.5`, `1e9`), symbols (`b`, `P_total`, plugin-defined names),
/// `+ -` (also `−`), `* /` (also `× · ÷`), powers `^` / `**` (right-associative, binding tighter
/// than unary minus: `-2^2` is -4), parentheses, comparisons `< <= > >= == !=` (1 or 0),
/// `&& || !`, the conditional `c ? a : b` and the functions min(a, b, ...), max(a, b, ...),
/// ceil, floor, round, abs, sqrt, log2 and if(c, a, b). A value is true when it is not 0.
///
/// Lifetime: compile() parses once into postfix code; bind() resolves symbol names to Context
/// indices (after each preparation: plugin-defined symbols may change index); evaluate() runs the
/// code with a fixed stack and never allocates.
class VRAM_API Expression {
public:
    Expression();
    ~Expression();
    Expression(const Expression&);
    Expression& operator=(const Expression&);
    Expression(Expression&&) noexcept;
    Expression& operator=(Expression&&) noexcept;

    /// Parses `text`. Throws ExpressionError (with the column) on a syntax error, an unknown
    /// function, a wrong argument count or nesting deeper than the evaluation stack.
    static Expression compile(std::string_view text);

    /// Resolves every symbol against `ctx`. Throws ExpressionError at the symbol's column for an
    /// unknown name, suggesting close ones ("unknown symbol 'hh'; did you mean: h, head_dim").
    void bind(const Context& ctx);
    /// Whether bind() succeeded since the last compile.
    bool bound() const noexcept;

    /// Value for `ctx` (which must be the Context bound, or one with the same symbol table).
    /// Hot path: no allocation, no exceptions. May return a negative, infinite or NaN value;
    /// the caller decides what that means.
    double evaluate(const Context& ctx) const noexcept;

    /// The formula text with every symbol replaced by its value in `ctx` ("2 × 8 × 4096").
    std::string substitute(const Context& ctx) const;
    /// The formula text as compiled.
    const std::string& text() const noexcept;
    /// Distinct symbol names the formula reads, in order of first use.
    std::vector<std::string> symbols() const;
    /// Number of postfix instructions (after constant folding), for tests and benchmarks.
    std::size_t code_size() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// A breakdown term defined in a scenario's `components:` block.
class VRAM_API ExpressionComponent final : public Component {
public:
    /// `where` is "file:line:col" of the component's formula; `phase` is inherited from the
    /// component it replaces ("" otherwise).
    ExpressionComponent(const ExpressionSpec& spec, Category category, Expression expression,
                        std::string where, std::string phase);
    ~ExpressionComponent() override;

    std::string_view id() const override { return spec_.name; }
    Category category() const override { return category_; }
    std::string_view formula() const override { return spec_.formula; }
    std::string_view source() const override { return source_; }
    bool applies(const Context&) const override { return true; }
    /// Throws ScenarioError naming the file, the component and its value when the result is
    /// negative, infinite or NaN.
    Bytes evaluate(const Context& ctx) const override;
    std::string substitute(const Context& ctx) const override;
    std::string_view phase() const override { return phase_; }

    /// Re-resolves symbols after a preparation; throws ScenarioError (file:line:col,
    /// component, formula column).
    void bind(const Context& ctx);
    const ExpressionSpec& spec() const noexcept { return spec_; }

private:
    [[noreturn]] void fail(const std::string& message) const;
    ExpressionSpec spec_;
    Category category_;
    Expression expression_;
    std::string where_;
    std::string source_;
    std::string phase_;
};

/// Host side: the scenario's expression components of one Estimator.
class VRAM_API ScenarioComponents {
public:
    ScenarioComponents();
    ~ScenarioComponents();
    ScenarioComponents(ScenarioComponents&&) noexcept;
    ScenarioComponents& operator=(ScenarioComponents&&) noexcept;

    /// Compiles every entry of scenario.components and edits `components` (the registry's, in
    /// order): a `replaces: id` entry takes the replaced component's place, others are appended.
    /// Throws ScenarioError (file:line:col, component) for a bad category, a duplicate name, an
    /// unknown `replaces` id or a malformed formula.
    /// Formulas may read the symbols of `symbols` only (built-ins and declared ones): an unknown
    /// name is refused here, at compile time, with its column and close names.
    void resolve(const Scenario& scenario, std::vector<const Component*>& components, const SymbolTable& symbols);
    /// Binds every formula to the prepared Context; throws ScenarioError for unknown symbols.
    void bind(const Context& ctx);
    std::size_t size() const noexcept { return items_.size(); }

private:
    std::vector<std::unique_ptr<ExpressionComponent>> items_;
};

}  // namespace vram
