// model/family_expression.hpp - the expression language of family files (docs/models.md
// "Family files"): values read from a config.json, parsed expressions, names with {expr} parts.
//
// Why a small evaluator of its own instead of framework/expression: the formula language binds
// to Context symbols (numbers the pipeline publishes) and evaluates doubles without allocating.
// A family file reads a config.json instead: absent keys (null, with `??` to give a default),
// strings ("model_type == 'qwen2'"), lists (layer_types[i]), nested maps (text_config.hidden_size)
// and exact 64-bit integers (parameter counts must be exact, doubles are not past 2^53).
// Internal to the family-file units (family_reader.cpp, family_evaluator.cpp); the parser lives in
// family_expression.cpp.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vram/config_node.hpp"

namespace vram::family_detail {

// ---------------------------------------------------------------------------------------------
// Values and expressions

/// A thrown evaluation or parse problem; the caller adds the file, line and field.
struct FamilyProblem {
    std::string message;
};

[[noreturn]] inline void fail(const std::string& message) { throw FamilyProblem{message}; }

/// What an expression evaluates to. Lists and maps stay pointers into the config tree, which
/// outlives every evaluation of one build().
struct Value {
    enum class Kind { null, boolean, integer, real, string, node } kind = Kind::null;
    bool b = false;
    std::int64_t i = 0;
    double d = 0.0;
    std::string s;
    const ConfigNode* node = nullptr;
    std::string missing;  ///< null: the name that was absent, for messages

    static Value null_of(std::string name) {
        Value v;
        v.missing = std::move(name);
        return v;
    }
    static Value boolean(bool x) {
        Value v;
        v.kind = Kind::boolean;
        v.b = x;
        return v;
    }
    static Value integer(std::int64_t x) {
        Value v;
        v.kind = Kind::integer;
        v.i = x;
        return v;
    }
    static Value real(double x) {
        Value v;
        v.kind = Kind::real;
        v.d = x;
        return v;
    }
    static Value string(std::string x) {
        Value v;
        v.kind = Kind::string;
        v.s = std::move(x);
        return v;
    }
    bool is_null() const { return kind == Kind::null; }
    bool is_number() const { return kind == Kind::integer || kind == Kind::real; }
    double number() const { return kind == Kind::integer ? static_cast<double>(i) : d; }
};

inline Value from_node(const ConfigNode* n, const std::string& name) {
    if (!n || n->is_null()) return Value::null_of(name);
    switch (n->kind()) {
        case ConfigNode::Kind::boolean: return Value::boolean(n->as_bool());
        case ConfigNode::Kind::number:
            if (n->is_integer()) return Value::integer(n->as_integer());
            return Value::real(n->as_number());
        case ConfigNode::Kind::string: return Value::string(n->as_string());
        default: {
            Value v;
            v.kind = Value::Kind::node;
            v.node = n;
            return v;
        }
    }
}

inline std::string show(const Value& v) {
    switch (v.kind) {
        case Value::Kind::null: return "null";
        case Value::Kind::boolean: return v.b ? "true" : "false";
        case Value::Kind::integer: return std::to_string(v.i);
        case Value::Kind::real: {
            std::string s = std::to_string(v.d);
            return s;
        }
        case Value::Kind::string: return "'" + v.s + "'";
        case Value::Kind::node: return v.node->is_list() ? "a list" : "a map";
    }
    return "?";
}

[[noreturn]] inline void missing(const Value& v) {
    fail("'" + v.missing + "' is not in the config and has no default (add it to defaults: or use ?? in the "
         "expression)");
}

inline bool truthy(const Value& v) {
    switch (v.kind) {
        case Value::Kind::null: return false;
        case Value::Kind::boolean: return v.b;
        case Value::Kind::integer: return v.i != 0;
        case Value::Kind::real: return v.d != 0.0;
        case Value::Kind::string: return !v.s.empty();
        case Value::Kind::node: return true;
    }
    return false;
}

/// An integer the family needs (a size, a count): exact integers only.
inline std::int64_t as_int(const Value& v) {
    if (v.kind == Value::Kind::integer) return v.i;
    if (v.kind == Value::Kind::real && std::floor(v.d) == v.d && std::fabs(v.d) < 9.0e15)
        return static_cast<std::int64_t>(v.d);
    if (v.kind == Value::Kind::boolean) return v.b ? 1 : 0;
    if (v.is_null()) missing(v);
    fail("expected an integer, got " + show(v));
}

inline double as_number(const Value& v) {
    if (v.is_number()) return v.number();
    if (v.is_null()) missing(v);
    fail("expected a number, got " + show(v));
}

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

/// One parsed expression node.
struct Expr {
    enum class Op {
        literal, name, member, index, call, neg, lnot, add, sub, mul, div, idiv, mod, lt, le, gt, ge, eq, ne,
        land, lor, coalesce, cond
    } op = Op::literal;
    Value value;             ///< literal
    std::string text;        ///< name / member key / function name
    std::vector<ExprPtr> args;
};

/// A parsed expression with its source text (for messages).
struct Formula {
    ExprPtr root;
    std::string text;
    int line = 0;
    bool empty() const { return root == nullptr; }
};

/// Parses one expression; throws FamilyProblem with the column of what is wrong.
ExprPtr parse_expression(std::string_view text);

/// Looks names up: evaluation-local variables first (innermost last), then the config.
struct Scope {
    const ConfigNode* config = nullptr;
    std::vector<std::pair<std::string, Value>> vars;

    Value lookup(const std::string& name) const {
        for (auto it = vars.rbegin(); it != vars.rend(); ++it)
            if (it->first == name) return it->second;
        if (name == "config") {
            Value v;
            v.kind = Value::Kind::node;
            v.node = config;
            return v;
        }
        return from_node(config->find(name), name);
    }
    void set(const std::string& name, Value v) { vars.emplace_back(name, std::move(v)); }
};

// The builtins write the result through the pointer; reading it only after the call keeps the
// order defined (a by-value argument next to the call would not be).
template <class Op>
inline std::int64_t checked(Op op, std::int64_t x, std::int64_t y) {
    std::int64_t r = 0;
    if (op(x, y, &r)) fail("integer overflow");
    return r;
}

inline Value eval(const Expr& e, const Scope& s);

inline Value arith(Expr::Op op, const Value& a, const Value& b) {
    if (a.is_null()) missing(a);
    if (b.is_null()) missing(b);
    if (op == Expr::Op::add && a.kind == Value::Kind::string && b.kind == Value::Kind::string) return Value::string(a.s + b.s);
    const bool ints = (a.kind == Value::Kind::integer || a.kind == Value::Kind::boolean) &&
                      (b.kind == Value::Kind::integer || b.kind == Value::Kind::boolean);
    if (ints) {
        const std::int64_t x = as_int(a), y = as_int(b);
        switch (op) {
            case Expr::Op::add:
                return Value::integer(checked([](auto p, auto q, auto* r) { return __builtin_add_overflow(p, q, r); }, x, y));
            case Expr::Op::sub:
                return Value::integer(checked([](auto p, auto q, auto* r) { return __builtin_sub_overflow(p, q, r); }, x, y));
            case Expr::Op::mul:
                return Value::integer(checked([](auto p, auto q, auto* r) { return __builtin_mul_overflow(p, q, r); }, x, y));
            case Expr::Op::div:
                if (y == 0) fail("division by zero");
                if (x % y == 0) return Value::integer(x / y);
                return Value::real(static_cast<double>(x) / static_cast<double>(y));
            case Expr::Op::idiv: {
                if (y == 0) fail("division by zero");
                std::int64_t q = x / y;
                if ((x % y != 0) && ((x < 0) != (y < 0))) --q;
                return Value::integer(q);
            }
            case Expr::Op::mod:
                if (y == 0) fail("division by zero");
                return Value::integer(((x % y) + y) % y);
            default: break;
        }
    }
    const double x = as_number(a), y = as_number(b);
    switch (op) {
        case Expr::Op::add: return Value::real(x + y);
        case Expr::Op::sub: return Value::real(x - y);
        case Expr::Op::mul: return Value::real(x * y);
        case Expr::Op::div:
            if (y == 0) fail("division by zero");
            return Value::real(x / y);
        case Expr::Op::idiv:
            if (y == 0) fail("division by zero");
            return Value::real(std::floor(x / y));
        case Expr::Op::mod:
            if (y == 0) fail("division by zero");
            return Value::real(std::fmod(x, y));
        default: break;
    }
    fail("bad arithmetic");
}

inline bool equal(const Value& a, const Value& b) {
    if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
    if (a.is_number() && b.is_number()) return a.number() == b.number();
    if (a.kind == Value::Kind::boolean && b.kind == Value::Kind::boolean) return a.b == b.b;
    if (a.kind == Value::Kind::string && b.kind == Value::Kind::string) return a.s == b.s;
    return false;
}

inline const std::vector<ConfigNode>& list_of(const Value& v, const std::string& fn) {
    if (v.kind == Value::Kind::node && v.node->is_list()) return v.node->items();
    if (v.is_null()) missing(v);
    fail(fn + "(): expected a list, got " + show(v));
}

inline Value call(const Expr& e, const Scope& s) {
    const std::string& f = e.text;
    std::vector<Value> a;
    for (const auto& x : e.args) a.push_back(eval(*x, s));
    const auto need = [&](std::size_t n) {
        if (a.size() != n) fail(f + "() takes " + std::to_string(n) + " argument" + (n == 1 ? "" : "s"));
    };
    if (f == "min" || f == "max") {
        if (a.empty()) fail(f + "() needs at least one argument");
        Value best = a[0];
        for (std::size_t k = 1; k < a.size(); ++k) {
            const bool less = as_number(a[k]) < as_number(best);
            if ((f == "min") == less && as_number(a[k]) != as_number(best)) best = a[k];
        }
        as_number(best);
        return best;
    }
    if (f == "ceil" || f == "floor" || f == "round" || f == "abs" || f == "int") {
        need(1);
        if (a[0].kind == Value::Kind::integer) return f == "abs" ? Value::integer(a[0].i < 0 ? -a[0].i : a[0].i) : a[0];
        const double x = as_number(a[0]);
        const double r = f == "ceil" ? std::ceil(x) : f == "floor" ? std::floor(x) : f == "round" ? std::round(x)
                       : f == "abs"  ? std::fabs(x) : std::trunc(x);
        if (f == "abs") return Value::real(r);
        if (!(std::fabs(r) < 9.0e15)) fail(f + "(): " + show(a[0]) + " is out of range");
        return Value::integer(static_cast<std::int64_t>(r));
    }
    if (f == "len") {
        need(1);
        if (a[0].kind == Value::Kind::string) return Value::integer(static_cast<std::int64_t>(a[0].s.size()));
        if (a[0].kind == Value::Kind::node)
            return Value::integer(static_cast<std::int64_t>(a[0].node->is_list() ? a[0].node->items().size()
                                                                                 : a[0].node->entries().size()));
        if (a[0].is_null()) missing(a[0]);
        fail("len(): expected a list, a map or a string, got " + show(a[0]));
    }
    if (f == "contains") {
        need(2);
        if (a[0].is_null()) return Value::boolean(false);
        if (a[0].kind == Value::Kind::string) {
            if (a[1].kind != Value::Kind::string) fail("contains(): a string contains only strings");
            return Value::boolean(a[0].s.find(a[1].s) != std::string::npos);
        }
        if (a[0].kind == Value::Kind::node && a[0].node->is_map())
            return Value::boolean(a[1].kind == Value::Kind::string && a[0].node->find(a[1].s) != nullptr);
        for (const auto& item : list_of(a[0], f))
            if (equal(from_node(&item, ""), a[1])) return Value::boolean(true);
        return Value::boolean(false);
    }
    if (f == "any_contains") {
        need(2);
        if (a[0].is_null()) return Value::boolean(false);
        if (a[1].kind != Value::Kind::string) fail("any_contains(): the second argument is a string");
        for (const auto& item : list_of(a[0], f))
            if (item.is_string() && item.as_string().find(a[1].s) != std::string::npos) return Value::boolean(true);
        return Value::boolean(false);
    }
    if (f == "count") {
        need(2);
        if (a[0].is_null()) return Value::integer(0);
        std::int64_t n = 0;
        for (const auto& item : list_of(a[0], f)) n += equal(from_node(&item, ""), a[1]) ? 1 : 0;
        return Value::integer(n);
    }
    fail("unknown function '" + f + "'");
}

inline Value eval(const Expr& e, const Scope& s) {
    using Op = Expr::Op;
    switch (e.op) {
        case Op::literal: return e.value;
        case Op::name: return s.lookup(e.text);
        case Op::member: {
            const Value base = eval(*e.args[0], s);
            if (base.is_null()) return Value::null_of(base.missing + "." + e.text);
            if (base.kind != Value::Kind::node || !base.node->is_map())
                fail("." + e.text + ": " + show(base) + " is not a map");
            return from_node(base.node->find(e.text), e.text);
        }
        case Op::index: {
            const Value base = eval(*e.args[0], s);
            const Value i = eval(*e.args[1], s);
            if (base.is_null()) return Value::null_of(base.missing + "[" + show(i) + "]");
            if (base.kind == Value::Kind::node && base.node->is_map()) {
                if (i.kind != Value::Kind::string) fail("a map is indexed by a string");
                return from_node(base.node->find(i.s), i.s);
            }
            const auto& items = list_of(base, "[]");
            const std::int64_t k = as_int(i);
            if (k < 0 || k >= static_cast<std::int64_t>(items.size()))
                fail("index " + std::to_string(k) + " is outside a list of " + std::to_string(items.size()));
            return from_node(&items[static_cast<std::size_t>(k)], "[" + std::to_string(k) + "]");
        }
        case Op::call: return call(e, s);
        case Op::neg: {
            const Value v = eval(*e.args[0], s);
            if (v.kind == Value::Kind::integer) return Value::integer(-v.i);
            return Value::real(-as_number(v));
        }
        case Op::lnot: return Value::boolean(!truthy(eval(*e.args[0], s)));
        case Op::add: case Op::sub: case Op::mul: case Op::div: case Op::idiv: case Op::mod:
            return arith(e.op, eval(*e.args[0], s), eval(*e.args[1], s));
        case Op::eq: return Value::boolean(equal(eval(*e.args[0], s), eval(*e.args[1], s)));
        case Op::ne: return Value::boolean(!equal(eval(*e.args[0], s), eval(*e.args[1], s)));
        case Op::lt: case Op::le: case Op::gt: case Op::ge: {
            const double x = as_number(eval(*e.args[0], s)), y = as_number(eval(*e.args[1], s));
            const bool r = e.op == Op::lt ? x < y : e.op == Op::le ? x <= y : e.op == Op::gt ? x > y : x >= y;
            return Value::boolean(r);
        }
        case Op::land: return Value::boolean(truthy(eval(*e.args[0], s)) && truthy(eval(*e.args[1], s)));
        case Op::lor: return Value::boolean(truthy(eval(*e.args[0], s)) || truthy(eval(*e.args[1], s)));
        case Op::coalesce: {
            Value v = eval(*e.args[0], s);
            return v.is_null() ? eval(*e.args[1], s) : v;
        }
        case Op::cond: return truthy(eval(*e.args[0], s)) ? eval(*e.args[1], s) : eval(*e.args[2], s);
    }
    fail("bad expression");
}

/// A name with `{expr}` parts ("visual.blocks.{j}.attn.qkv").
struct Template {
    std::vector<std::pair<std::string, ExprPtr>> parts;  ///< literal text, or an expression

    std::string render(const Scope& s) const {
        std::string out;
        for (const auto& [text, expr] : parts) {
            if (!expr) {
                out += text;
                continue;
            }
            const Value v = eval(*expr, s);
            if (v.kind == Value::Kind::string) out += v.s;
            else if (v.kind == Value::Kind::integer) out += std::to_string(v.i);
            else if (v.is_null()) missing(v);
            else out += show(v);
        }
        return out;
    }
};

/// Parses a name with `{expr}` parts; throws FamilyProblem.
Template parse_template(const std::string& text);

}  // namespace vram::family_detail
