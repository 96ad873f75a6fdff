// family_file.cpp - model families as data: parsing a family file and evaluating it into a
// ModelSpec (format: docs/models.md "Family files").
//
// Why a small evaluator of its own instead of framework/expression: the formula language binds
// to Context symbols (numbers the pipeline publishes) and evaluates doubles without allocating.
// A family file reads a config.json instead: absent keys (null, with `??` to give a default),
// strings ("model_type == 'qwen2'"), lists (layer_types[i]), nested maps (text_config.hidden_size)
// and exact 64-bit integers (parameter counts must be exact, doubles are not past 2^53). Keeping
// that evaluator here, in the one file that needs it, leaves the formula language unchanged.
// SPDX-License-Identifier: Apache-2.0
#include "model/family_file.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <utility>

#include "plugin/registry.hpp"
#include "scenario/scenario_loader.hpp"
#include "vram/error.hpp"
#include "vram/model_builder.hpp"

namespace fs = std::filesystem;

namespace vram {
namespace {

// ---------------------------------------------------------------------------------------------
// Values and expressions

/// A thrown evaluation or parse problem; the caller adds the file, line and field.
struct FamilyProblem {
    std::string message;
};

[[noreturn]] void fail(const std::string& message) { throw FamilyProblem{message}; }

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

Value from_node(const ConfigNode* n, const std::string& name) {
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

std::string show(const Value& v) {
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

[[noreturn]] void missing(const Value& v) {
    fail("'" + v.missing + "' is not in the config and has no default (add it to defaults: or use ?? in the "
         "expression)");
}

bool truthy(const Value& v) {
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
std::int64_t as_int(const Value& v) {
    if (v.kind == Value::Kind::integer) return v.i;
    if (v.kind == Value::Kind::real && std::floor(v.d) == v.d && std::fabs(v.d) < 9.0e15)
        return static_cast<std::int64_t>(v.d);
    if (v.kind == Value::Kind::boolean) return v.b ? 1 : 0;
    if (v.is_null()) missing(v);
    fail("expected an integer, got " + show(v));
}

double as_number(const Value& v) {
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

class Parser {
public:
    explicit Parser(std::string_view text) : t_(text) {}

    ExprPtr parse() {
        ExprPtr e = conditional();
        skip();
        if (p_ < t_.size()) fail("unexpected '" + std::string(t_.substr(p_, 12)) + "' at column " + std::to_string(p_ + 1));
        return e;
    }

private:
    std::string_view t_;
    std::size_t p_ = 0;
    int depth_ = 0;

    void skip() {
        while (p_ < t_.size() && std::isspace(static_cast<unsigned char>(t_[p_]))) ++p_;
    }
    bool eat(std::string_view tok) {
        skip();
        if (t_.substr(p_, tok.size()) != tok) return false;
        // `?` must not eat the first half of `??`, `/` not the first half of `//` ...
        if (tok == "?" && t_.substr(p_, 2) == "??") return false;
        if (tok == "/" && t_.substr(p_, 2) == "//") return false;
        if ((tok == "<" || tok == ">" || tok == "!" ) && t_.substr(p_ + 1, 1) == "=") return false;
        if (tok == "*" && t_.substr(p_, 2) == "**") return false;
        p_ += tok.size();
        return true;
    }
    void expect(std::string_view tok) {
        if (!eat(tok)) fail("expected '" + std::string(tok) + "' at column " + std::to_string(p_ + 1));
    }
    static ExprPtr make(Expr::Op op, std::vector<ExprPtr> args, std::string text = {}) {
        auto e = std::make_shared<Expr>();
        e->op = op;
        e->args = std::move(args);
        e->text = std::move(text);
        return e;
    }
    struct Depth {
        int& d;
        explicit Depth(int& x) : d(x) {
            if (++d > 64) fail("expression nested too deeply");
        }
        ~Depth() { --d; }
    };

    ExprPtr conditional() {
        Depth guard(depth_);
        ExprPtr c = coalesce();
        if (eat("?")) {
            ExprPtr a = conditional();
            expect(":");
            ExprPtr b = conditional();
            return make(Expr::Op::cond, {c, a, b});
        }
        return c;
    }
    ExprPtr coalesce() {
        ExprPtr a = logic_or();
        while (eat("??")) a = make(Expr::Op::coalesce, {a, logic_or()});
        return a;
    }
    ExprPtr logic_or() {
        ExprPtr a = logic_and();
        while (eat("||")) a = make(Expr::Op::lor, {a, logic_and()});
        return a;
    }
    ExprPtr logic_and() {
        ExprPtr a = comparison();
        while (eat("&&")) a = make(Expr::Op::land, {a, comparison()});
        return a;
    }
    ExprPtr comparison() {
        ExprPtr a = additive();
        static const std::pair<const char*, Expr::Op> ops[] = {{"==", Expr::Op::eq}, {"!=", Expr::Op::ne},
                                                               {"<=", Expr::Op::le}, {">=", Expr::Op::ge},
                                                               {"<", Expr::Op::lt},  {">", Expr::Op::gt}};
        for (const auto& [tok, op] : ops)
            if (eat(tok)) return make(op, {a, additive()});
        return a;
    }
    ExprPtr additive() {
        ExprPtr a = multiplicative();
        for (;;) {
            if (eat("+")) a = make(Expr::Op::add, {a, multiplicative()});
            else if (eat("-")) a = make(Expr::Op::sub, {a, multiplicative()});
            else return a;
        }
    }
    ExprPtr multiplicative() {
        ExprPtr a = unary();
        for (;;) {
            if (eat("*")) a = make(Expr::Op::mul, {a, unary()});
            else if (eat("//")) a = make(Expr::Op::idiv, {a, unary()});
            else if (eat("/")) a = make(Expr::Op::div, {a, unary()});
            else if (eat("%")) a = make(Expr::Op::mod, {a, unary()});
            else return a;
        }
    }
    ExprPtr unary() {
        Depth guard(depth_);
        if (eat("-")) return make(Expr::Op::neg, {unary()});
        if (eat("!")) return make(Expr::Op::lnot, {unary()});
        return postfix();
    }
    ExprPtr postfix() {
        ExprPtr e = primary();
        for (;;) {
            skip();
            if (p_ < t_.size() && t_[p_] == '.' && p_ + 1 < t_.size() && !std::isdigit(static_cast<unsigned char>(t_[p_ + 1]))) {
                ++p_;
                e = make(Expr::Op::member, {e}, identifier());
            } else if (eat("[")) {
                ExprPtr i = conditional();
                expect("]");
                e = make(Expr::Op::index, {e, i});
            } else {
                return e;
            }
        }
    }
    std::string identifier() {
        skip();
        const std::size_t start = p_;
        while (p_ < t_.size() && (std::isalnum(static_cast<unsigned char>(t_[p_])) || t_[p_] == '_')) ++p_;
        if (start == p_ || std::isdigit(static_cast<unsigned char>(t_[start])))
            fail("expected a name at column " + std::to_string(start + 1));
        return std::string(t_.substr(start, p_ - start));
    }
    ExprPtr primary() {
        skip();
        if (p_ >= t_.size()) fail("unexpected end of the expression");
        const char c = t_[p_];
        if (eat("(")) {
            ExprPtr e = conditional();
            expect(")");
            return e;
        }
        if (c == '"' || c == '\'') {
            const std::size_t end = t_.find(c, p_ + 1);
            if (end == std::string_view::npos) fail("unterminated string at column " + std::to_string(p_ + 1));
            auto e = std::make_shared<Expr>();
            e->value = Value::string(std::string(t_.substr(p_ + 1, end - p_ - 1)));
            p_ = end + 1;
            return e;
        }
        if (std::isdigit(static_cast<unsigned char>(c))) {
            std::size_t end = p_;
            bool real = false;
            while (end < t_.size() && (std::isdigit(static_cast<unsigned char>(t_[end])) || t_[end] == '.' ||
                                       t_[end] == 'e' || t_[end] == 'E' || t_[end] == '_' ||
                                       ((t_[end] == '-' || t_[end] == '+') && end > p_ &&
                                        (t_[end - 1] == 'e' || t_[end - 1] == 'E')))) {
                real = real || t_[end] == '.' || t_[end] == 'e' || t_[end] == 'E';
                ++end;
            }
            std::string digits;
            for (std::size_t k = p_; k < end; ++k)
                if (t_[k] != '_') digits += t_[k];
            p_ = end;
            auto e = std::make_shared<Expr>();
            try {
                e->value = real ? Value::real(std::stod(digits)) : Value::integer(std::stoll(digits));
            } catch (const std::exception&) {
                fail("bad number '" + digits + "'");
            }
            return e;
        }
        const std::string id = identifier();
        if (id == "true" || id == "false") {
            auto e = std::make_shared<Expr>();
            e->value = Value::boolean(id == "true");
            return e;
        }
        if (id == "null" || id == "None") return std::make_shared<Expr>();
        if (eat("(")) {
            static const char* known[] = {"min", "max", "ceil", "floor", "round", "abs", "len", "int",
                                          "contains", "any_contains", "count"};
            if (std::find_if(std::begin(known), std::end(known), [&](const char* k) { return id == k; }) ==
                std::end(known))
                fail("unknown function '" + id + "'; known: min, max, ceil, floor, round, abs, len, int, contains, "
                     "any_contains, count");
            std::vector<ExprPtr> args;
            if (!eat(")")) {
                do args.push_back(conditional());
                while (eat(","));
                expect(")");
            }
            return make(Expr::Op::call, std::move(args), id);
        }
        return make(Expr::Op::name, {}, id);
    }
};

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
std::int64_t checked(Op op, std::int64_t x, std::int64_t y) {
    std::int64_t r = 0;
    if (op(x, y, &r)) fail("integer overflow");
    return r;
}

Value eval(const Expr& e, const Scope& s);

Value arith(Expr::Op op, const Value& a, const Value& b) {
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

bool equal(const Value& a, const Value& b) {
    if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
    if (a.is_number() && b.is_number()) return a.number() == b.number();
    if (a.kind == Value::Kind::boolean && b.kind == Value::Kind::boolean) return a.b == b.b;
    if (a.kind == Value::Kind::string && b.kind == Value::Kind::string) return a.s == b.s;
    return false;
}

const std::vector<ConfigNode>& list_of(const Value& v, const std::string& fn) {
    if (v.kind == Value::Kind::node && v.node->is_list()) return v.node->items();
    if (v.is_null()) missing(v);
    fail(fn + "(): expected a list, got " + show(v));
}

Value call(const Expr& e, const Scope& s) {
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

Value eval(const Expr& e, const Scope& s) {
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

Template parse_template(const std::string& text) {
    Template t;
    std::size_t p = 0;
    while (p < text.size()) {
        const std::size_t open = text.find('{', p);
        if (open == std::string::npos) {
            t.parts.emplace_back(text.substr(p), nullptr);
            break;
        }
        if (open > p) t.parts.emplace_back(text.substr(p, open - p), nullptr);
        const std::size_t close = text.find('}', open);
        if (close == std::string::npos) fail("'{' without '}' in '" + text + "'");
        t.parts.emplace_back(std::string(), Parser(std::string_view(text).substr(open + 1, close - open - 1)).parse());
        p = close + 1;
    }
    return t;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The parsed family file

/// One entry of `tensors:` (or of a block): a tensor, or a group of entries.
struct FamilyItem {
    enum class Kind { linear, norm, vector, embedding, lm_head, tensor, buffer, use, repeat, each_layer } kind{};
    int line = 0;
    Template name;
    std::string block;        ///< use:
    std::string group;        ///< default group of this entry (and of a block's children)
    bool force_group = false; ///< the group replaces the children's own (MTP layers)
    std::string module;
    Formula when, rows, cols, bias, copies, active, layer, count, from;
    bool linear_flag = false, embedding_flag = false;
    std::string var;          ///< repeat: loop variable
    std::vector<FamilyItem> children;
};

struct FamilyDefinition {
    std::string name, path, source, description;
    std::vector<std::string> model_types, covers, buffers;
    ConfigNode defaults = ConfigNode::make_map();
    std::vector<std::pair<std::string, Formula>> derived, spec, layers, vision, audio;
    std::map<std::string, std::vector<FamilyItem>> blocks;
    std::vector<FamilyItem> tensors;
    std::vector<std::pair<Template, Formula>> notes;  ///< text, optional condition
    int notes_line = 0;
    std::vector<std::pair<Formula, std::string>> refuse;  ///< configs the family does not model
};

namespace {

// ---------------------------------------------------------------------------------------------
// Reading the file

struct FileReader {
    std::string path;

    [[noreturn]] void error(const ConfigNode& at, const std::string& message) const {
        throw ScenarioError(path + ":" + std::to_string(at.mark().line), message);
    }
    Formula formula(const ConfigNode& n, const std::string& key) const {
        Formula f;
        f.line = n.mark().line;
        if (n.is_null()) error(n, key + ": empty; expected an expression");
        if (n.is_list() || n.is_map()) error(n, key + ": expected an expression, got " + describe(n.kind()));
        f.text = n.is_string() ? n.as_string() : n.text();
        if (n.is_bool()) f.text = n.as_bool() ? "true" : "false";
        try {
            f.root = Parser(f.text).parse();
        } catch (const FamilyProblem& p) {
            error(n, key + ": " + p.message + " in '" + f.text + "'");
        }
        return f;
    }
    Template name_template(const ConfigNode& n, const std::string& key) const {
        if (!n.is_string()) error(n, key + ": expected a tensor name");
        try {
            return parse_template(n.as_string());
        } catch (const FamilyProblem& p) {
            error(n, key + ": " + p.message);
        }
    }
    std::vector<std::string> strings(const ConfigNode& n, const std::string& key) const {
        std::vector<std::string> out;
        if (n.is_string()) return {n.as_string()};
        if (!n.is_list()) error(n, key + ": expected a list of names");
        for (const auto& item : n.items()) {
            if (!item.is_string()) error(item, key + ": expected a list of names");
            out.push_back(item.as_string());
        }
        return out;
    }
    std::vector<std::pair<std::string, Formula>> formulas(const ConfigNode& n, const std::string& key,
                                                          const std::vector<std::string>& allowed) const {
        if (!n.is_map()) error(n, key + ": expected a map of name: expression");
        std::vector<std::pair<std::string, Formula>> out;
        for (const auto& [k, v] : n.entries()) {
            if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
                const auto close = closest_names(k, allowed, 1);
                std::string msg = key + "." + k + ": unknown field";
                if (!close.empty()) msg += " (did you mean '" + close.front() + "'?)";
                std::string list;
                for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
                error(v.is_null() ? n : v, msg + "; allowed: " + list);
            }
            out.emplace_back(k, formula(v, key + "." + k));
        }
        return out;
    }

    FamilyItem item(const ConfigNode& n, const std::string& where) const {
        if (!n.is_map()) error(n, where + ": expected a map (linear:, norm:, vector:, embedding:, lm_head:, tensor:, "
                                          "buffer:, use:, repeat: or each_layer:)");
        static const std::pair<const char*, FamilyItem::Kind> kinds[] = {
            {"linear", FamilyItem::Kind::linear},       {"norm", FamilyItem::Kind::norm},
            {"vector", FamilyItem::Kind::vector},       {"embedding", FamilyItem::Kind::embedding},
            {"lm_head", FamilyItem::Kind::lm_head},     {"tensor", FamilyItem::Kind::tensor},
            {"buffer", FamilyItem::Kind::buffer},       {"use", FamilyItem::Kind::use},
            {"repeat", FamilyItem::Kind::repeat},       {"each_layer", FamilyItem::Kind::each_layer}};
        FamilyItem it;
        it.line = n.mark().line;
        int found = 0;
        for (const auto& [key, kind] : kinds)
            if (n.find(key)) {
                ++found;
                it.kind = kind;
            }
        if (found != 1)
            error(n, where + ": " + (found == 0 ? "names no kind" : "names several kinds") +
                         "; each entry has exactly one of linear, norm, vector, embedding, lm_head, tensor, buffer, "
                         "use, repeat, each_layer");
        static const char* fields[] = {"linear", "norm", "vector", "embedding", "lm_head", "tensor", "buffer", "use",
                                       "repeat", "each_layer", "group", "force_group", "module", "when", "rows",
                                       "cols", "out", "in", "size", "bias", "copies", "active", "layer", "var",
                                       "from", "tensors", "is_linear", "is_embedding"};
        for (const auto& [k, v] : n.entries())
            // std::find with a string comparison: a lambda capturing the structured binding `k`
            // is C++20 that Debian 12's clang 14 (the fuzz build) rejects.
            if (std::find(std::begin(fields), std::end(fields), std::string_view(k)) == std::end(fields)) {
                std::vector<std::string> all(std::begin(fields), std::end(fields));
                const auto close = closest_names(k, all, 1);
                error(v.is_null() ? n : v, where + "." + k + ": unknown field" +
                                               (close.empty() ? std::string() : " (did you mean '" + close.front() + "'?)"));
            }
        const auto opt = [&](const char* key, Formula& f) {
            if (const ConfigNode* v = n.find(key)) f = formula(*v, where + "." + key);
        };
        if (const ConfigNode* g = n.find("group")) {
            if (!g->is_string()) error(*g, where + ".group: expected a name");
            it.group = g->as_string();
        }
        if (const ConfigNode* g = n.find("force_group")) {
            if (!g->is_string()) error(*g, where + ".force_group: expected a name");
            it.group = g->as_string();
            it.force_group = true;
        }
        if (const ConfigNode* m = n.find("module")) it.module = m->text();
        if (const ConfigNode* v = n.find("is_linear")) it.linear_flag = v->is_bool() && v->as_bool();
        if (const ConfigNode* v = n.find("is_embedding")) it.embedding_flag = v->is_bool() && v->as_bool();
        opt("when", it.when);
        opt("bias", it.bias);
        opt("copies", it.copies);
        opt("active", it.active);
        opt("layer", it.layer);
        opt("rows", it.rows);
        opt("cols", it.cols);
        opt("out", it.rows);
        opt("in", it.cols);
        opt("size", it.rows);
        const auto children = [&](const ConfigNode& list, const std::string& key) {
            if (!list.is_list()) error(list, key + ": expected a list of tensor entries");
            for (std::size_t k = 0; k < list.items().size(); ++k)
                it.children.push_back(item(list.items()[k], key + "[" + std::to_string(k) + "]"));
        };
        switch (it.kind) {
            case FamilyItem::Kind::use: {
                const ConfigNode& b = *n.find("use");
                if (!b.is_string()) error(b, where + ".use: expected a block name");
                it.block = b.as_string();
                break;
            }
            case FamilyItem::Kind::each_layer: children(*n.find("each_layer"), where + ".each_layer"); break;
            case FamilyItem::Kind::repeat: {
                it.count = formula(*n.find("repeat"), where + ".repeat");
                it.var = "j";
                if (const ConfigNode* v = n.find("var")) it.var = v->text();
                if (const ConfigNode* v = n.find("from")) it.from = formula(*v, where + ".from");
                const ConfigNode* t = n.find("tensors");
                if (!t) error(n, where + ": repeat needs tensors: (the entries repeated)");
                children(*t, where + ".tensors");
                break;
            }
            case FamilyItem::Kind::lm_head: {
                const ConfigNode& v = *n.find("lm_head");
                it.name = v.is_string() ? name_template(v, where + ".lm_head") : parse_template("lm_head");
                break;
            }
            default: {
                const char* key = it.kind == FamilyItem::Kind::linear      ? "linear"
                                  : it.kind == FamilyItem::Kind::norm      ? "norm"
                                  : it.kind == FamilyItem::Kind::vector    ? "vector"
                                  : it.kind == FamilyItem::Kind::embedding ? "embedding"
                                  : it.kind == FamilyItem::Kind::buffer    ? "buffer"
                                                                           : "tensor";
                it.name = name_template(*n.find(key), where + "." + key);
                const bool needs_rows = it.kind != FamilyItem::Kind::buffer;
                if (needs_rows && it.rows.empty())
                    error(n, where + ": " + key + " needs its size (" +
                                 (it.kind == FamilyItem::Kind::linear ? "out: and in:" :
                                  it.kind == FamilyItem::Kind::norm || it.kind == FamilyItem::Kind::vector ? "size:" :
                                  "rows: and cols:") + ")");
                if ((it.kind == FamilyItem::Kind::linear || it.kind == FamilyItem::Kind::embedding) && it.cols.empty())
                    error(n, where + ": " + key + " needs " + (it.kind == FamilyItem::Kind::linear ? "in:" : "cols:"));
            }
        }
        return it;
    }

    std::vector<FamilyItem> items(const ConfigNode& n, const std::string& key) const {
        if (!n.is_list()) error(n, key + ": expected a list of tensor entries");
        std::vector<FamilyItem> out;
        for (std::size_t k = 0; k < n.items().size(); ++k)
            out.push_back(item(n.items()[k], key + "[" + std::to_string(k) + "]"));
        return out;
    }
};

const std::vector<std::string>& spec_fields() {
    static const std::vector<std::string> f = {
        "model_type", "torch_dtype", "hidden", "layers", "heads", "kv_heads", "head_dim", "v_head_dim",
        "intermediate", "vocab", "max_positions", "tied_embeddings", "gated_mlp", "encoder_only",
        "attention_dropout", "hidden_dropout", "experts", "experts_per_token", "shared_experts", "moe_intermediate",
        "shared_intermediate", "q_lora_rank", "kv_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim", "mtp_layers",
        "ssm_state", "ssm_conv", "ssm_inner", "ssm_heads", "ssm_groups", "encoder_tokens", "max_target_positions"};
    return f;
}

const std::vector<std::string>& tower_fields() {
    static const std::vector<std::string> f = {"model_type", "hidden", "layers", "heads", "intermediate",
                                               "image_size", "patch_size", "temporal_patch_size",
                                               "spatial_merge_size", "tokens_per_image", "num_mel_bins",
                                               "max_source_positions"};
    return f;
}

void check_blocks(const FileReader& r, const FamilyDefinition& d, const std::vector<FamilyItem>& items,
                  std::vector<std::string>& stack) {
    for (const auto& it : items) {
        if (it.kind == FamilyItem::Kind::use) {
            auto b = d.blocks.find(it.block);
            if (b == d.blocks.end()) {
                std::vector<std::string> names;
                for (const auto& [k, v] : d.blocks) names.push_back(k);
                std::string list;
                for (const auto& k : names) list += (list.empty() ? "" : ", ") + k;
                throw ScenarioError(r.path + ":" + std::to_string(it.line),
                                    "use: no block '" + it.block + "' in blocks:" + (list.empty() ? "" : " (has: " + list + ")"));
            }
            if (std::find(stack.begin(), stack.end(), it.block) != stack.end())
                throw ScenarioError(r.path + ":" + std::to_string(it.line), "use: block '" + it.block + "' uses itself");
            stack.push_back(it.block);
            check_blocks(r, d, b->second, stack);
            stack.pop_back();
        }
        check_blocks(r, d, it.children, stack);
    }
}

std::shared_ptr<FamilyDefinition> parse_family(const std::string& path) {
    const FileReader r{path};
    ConfigNode root;
    try {
        root = parse_yaml_file(path);
    } catch (const ScenarioError& e) {
        // The YAML reader already names file:line; keep its one line.
        throw;
    }
    if (!root.is_map()) throw ScenarioError(path + ":1", "a family file is a map (family:, model_types:, spec:, tensors: ...)");
    auto d = std::make_shared<FamilyDefinition>();
    d->path = path;
    static const std::vector<std::string> top = {"family", "model_types", "covers", "source", "description",
                                                 "defaults", "derived", "spec", "layers", "vision", "audio",
                                                 "blocks", "tensors", "buffers", "notes", "refuse"};
    for (const auto& [k, v] : root.entries())
        if (std::find(top.begin(), top.end(), k) == top.end()) {
            const auto close = closest_names(k, top, 1);
            r.error(v.is_null() ? root : v, k + ": unknown key of a family file" +
                                               (close.empty() ? std::string() : " (did you mean '" + close.front() + "'?)") +
                                               "; allowed: family, model_types, covers, source, description, defaults, "
                                               "derived, spec, layers, vision, audio, blocks, tensors, buffers, notes, refuse");
        }
    const ConfigNode* name = root.find("family");
    if (!name || !name->is_string() || name->as_string().empty())
        r.error(name ? *name : root, "family: missing; a family file names its family (family: olmo2)");
    d->name = name->as_string();
    for (char c : d->name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
            r.error(*name, "family: '" + d->name + "' may hold only letters, digits, '_', '-' and '.'");
    const ConfigNode* types = root.find("model_types");
    if (!types) r.error(root, "model_types: missing; the config.json model_type values this family serves");
    d->model_types = r.strings(*types, "model_types");
    if (d->model_types.empty()) r.error(*types, "model_types: empty");
    if (const ConfigNode* c = root.find("covers")) d->covers = r.strings(*c, "covers");
    if (const ConfigNode* s = root.find("source")) d->source = s->text();
    if (const ConfigNode* s = root.find("description")) d->description = s->text();
    if (const ConfigNode* b = root.find("buffers")) d->buffers = r.strings(*b, "buffers");
    if (const ConfigNode* def = root.find("defaults")) {
        if (!def->is_map()) r.error(*def, "defaults: expected a map of config key: value (the config class defaults)");
        d->defaults = *def;
    }
    if (const ConfigNode* v = root.find("derived")) d->derived = r.formulas(*v, "derived", {});
    const ConfigNode* spec = root.find("spec");
    if (!spec) r.error(root, "spec: missing; the ModelSpec fields (hidden, layers, heads, vocab ...) as expressions");
    d->spec = r.formulas(*spec, "spec", spec_fields());
    for (const char* req : {"hidden", "layers", "heads", "vocab"})
        if (std::none_of(d->spec.begin(), d->spec.end(), [&](const auto& f) { return f.first == req; }))
            r.error(*spec, std::string("spec.") + req + ": missing (required: hidden, layers, heads, vocab)");
    if (const ConfigNode* v = root.find("layers"))
        d->layers = r.formulas(*v, "layers", {"attention", "window", "moe", "cross_attention"});
    if (const ConfigNode* v = root.find("vision")) d->vision = r.formulas(*v, "vision", tower_fields());
    if (const ConfigNode* v = root.find("audio")) d->audio = r.formulas(*v, "audio", tower_fields());
    if (const ConfigNode* b = root.find("blocks")) {
        if (!b->is_map()) r.error(*b, "blocks: expected a map of name: [tensor entries]");
        for (const auto& [k, v] : b->entries()) d->blocks[k] = r.items(v, "blocks." + k);
    }
    const ConfigNode* tensors = root.find("tensors");
    if (!tensors) r.error(root, "tensors: missing; the family's parameter tensors");
    d->tensors = r.items(*tensors, "tensors");
    std::vector<std::string> stack;
    check_blocks(r, *d, d->tensors, stack);
    for (const auto& [k, v] : d->blocks) check_blocks(r, *d, v, stack);
    if (const ConfigNode* n = root.find("notes")) {
        if (!n->is_list()) r.error(*n, "notes: expected a list");
        d->notes_line = n->mark().line;
        for (const auto& item : n->items()) {
            if (item.is_string()) {
                d->notes.emplace_back(r.name_template(item, "notes"), Formula{});
            } else if (item.is_map() && item.find("text")) {
                Formula when;
                if (const ConfigNode* w = item.find("when")) when = r.formula(*w, "notes.when");
                d->notes.emplace_back(r.name_template(*item.find("text"), "notes.text"), when);
            } else {
                r.error(item, "notes: each note is a string or {text:, when:}");
            }
        }
    }
    if (const ConfigNode* n = root.find("refuse")) {
        if (!n->is_list()) r.error(*n, "refuse: expected a list of {when:, message:}");
        for (const auto& item : n->items()) {
            const ConfigNode* when = item.is_map() ? item.find("when") : nullptr;
            const ConfigNode* message = item.is_map() ? item.find("message") : nullptr;
            if (!when || !message || !message->is_string())
                r.error(item, "refuse: each entry is {when: EXPRESSION, message: TEXT}");
            d->refuse.emplace_back(r.formula(*when, "refuse.when"), message->as_string());
        }
    }
    return d;
}

// ---------------------------------------------------------------------------------------------
// Evaluating a family for one config

// The same bounds as ConfigReader (model_builder.cpp): sizes beyond these are typos or hostile
// input, and bounding them keeps every product inside 64 bits.
constexpr std::int64_t kMaxDimension = std::int64_t{1} << 24;
constexpr std::int64_t kMaxLayers = 16384;
constexpr std::int64_t kMaxTensorSide = std::int64_t{1} << 31;
constexpr std::size_t kMaxTensors = std::size_t{1} << 22;

/// `config` with each default filled where the key is absent or null (maps merge recursively:
/// `text_config:` defaults fill an existing text_config).
ConfigNode with_family_defaults(const ConfigNode& config, const ConfigNode& defaults) {
    ConfigNode out = config;
    for (const auto& [k, v] : defaults.entries()) {
        const ConfigNode* have = out.find(k);
        if (v.is_map() && have && have->is_map()) out.set(k, with_family_defaults(*have, v));
        else if (!have || have->is_null()) out.set(k, v);
    }
    return out;
}

class Evaluator {
public:
    Evaluator(const FamilyDefinition& d, const std::string& where) : d_(d), where_(where) {}

    [[noreturn]] void error(int line, const std::string& field, const std::string& message) const {
        throw ScenarioError(where_, "family " + d_.name + " (" + d_.path + ":" + std::to_string(line) + ") " + field +
                                        ": " + message);
    }
    Value value(const Formula& f, const Scope& s, const std::string& field) const {
        try {
            return eval(*f.root, s);
        } catch (const FamilyProblem& p) {
            error(f.line, field, p.message + " (in '" + f.text + "')");
        }
    }
    std::int64_t integer(const Formula& f, const Scope& s, const std::string& field, std::int64_t lo,
                         std::int64_t hi) const {
        const Value v = value(f, s, field);
        std::int64_t x = 0;
        try {
            x = as_int(v);
        } catch (const FamilyProblem& p) {
            error(f.line, field, p.message + " (in '" + f.text + "')");
        }
        if (x > hi)
            error(f.line, field, "'" + f.text + "' is " + std::to_string(x) + ", beyond any real model; allowed: at most " +
                                     std::to_string(hi));
        if (x < lo)
            error(f.line, field, "'" + f.text + "' is " + std::to_string(x) + "; allowed: at least " + std::to_string(lo));
        return x;
    }
    bool boolean(const Formula& f, const Scope& s, const std::string& field) const {
        return truthy(value(f, s, field));
    }
    std::string text(const Template& t, const Scope& s, int line, const std::string& field) const {
        try {
            return t.render(s);
        } catch (const FamilyProblem& p) {
            error(line, field, p.message);
        }
    }

    void items(const std::vector<FamilyItem>& list, Scope& s, ModelSpec& m, const std::string& group,
               bool forced, std::int32_t layer) const {
        for (const auto& it : list) item(it, s, m, group, forced, layer);
    }

    void item(const FamilyItem& it, Scope& s, ModelSpec& m, const std::string& outer_group, bool forced,
              std::int32_t layer) const {
        if (!it.when.empty() && !boolean(it.when, s, "when")) return;
        std::string group = forced ? outer_group : (it.group.empty() ? outer_group : it.group);
        const bool force = forced || it.force_group;
        if (it.kind == FamilyItem::Kind::buffer) return;  // documented, never counted
        if (it.kind == FamilyItem::Kind::use) {
            items(d_.blocks.at(it.block), s, m, group, force, layer);
            return;
        }
        if (it.kind == FamilyItem::Kind::each_layer || it.kind == FamilyItem::Kind::repeat) {
            const bool each = it.kind == FamilyItem::Kind::each_layer;
            const std::int64_t n = each ? m.layers : integer(it.count, s, "repeat", 0, kMaxLayers);
            // repeat's variable runs from `from` (default 0): MTP layers continue the layer index.
            const std::int64_t first = each || it.from.empty() ? 0 : integer(it.from, s, "from", 0, kMaxLayers);
            for (std::int64_t k = 0; k < n; ++k) {
                const std::size_t mark = s.vars.size();
                std::int32_t l = layer;
                if (each) {
                    const LayerSpec& spec = m.layer_specs[static_cast<std::size_t>(k)];
                    s.set("i", Value::integer(k));
                    s.set("layer_moe", Value::boolean(spec.moe));
                    s.set("layer_attention", Value::string(to_string(spec.attention)));
                    s.set("layer_window", Value::integer(spec.window));
                    s.set("layer_cross_attention", Value::boolean(spec.cross_attention));
                    l = static_cast<std::int32_t>(k);
                } else {
                    s.set(it.var, Value::integer(first + k));
                }
                if (!it.layer.empty()) l = static_cast<std::int32_t>(integer(it.layer, s, "layer", -1, kMaxLayers * 2));
                items(it.children, s, m, group, force, l);
                s.vars.resize(mark);
            }
            return;
        }
        const char* kind_name = it.kind == FamilyItem::Kind::linear      ? "linear"
                                : it.kind == FamilyItem::Kind::norm      ? "norm"
                                : it.kind == FamilyItem::Kind::vector    ? "vector"
                                : it.kind == FamilyItem::Kind::embedding ? "embedding"
                                : it.kind == FamilyItem::Kind::lm_head   ? "lm_head"
                                                                         : "tensor";
        const std::string name = text(it.name, s, it.line, kind_name);
        const std::string field = std::string(kind_name) + " " + name;
        if (group.empty()) {
            if (it.kind == FamilyItem::Kind::embedding) group = "embedding";
            else if (it.kind == FamilyItem::Kind::lm_head) group = "lm_head";
            else if (it.kind == FamilyItem::Kind::norm) group = "norms";
            else error(it.line, field, "group: missing (no enclosing group either)");
        }
        if (!it.layer.empty()) layer = static_cast<std::int32_t>(integer(it.layer, s, field + " layer", -1, kMaxLayers * 2));
        const auto side = [&](const Formula& f, const char* what) {
            return integer(f, s, field + " " + what, 1, kMaxTensorSide);
        };
        const std::int64_t copies = it.copies.empty() ? 1 : integer(it.copies, s, field + " copies", 1, kMaxDimension);
        const std::int64_t active = it.active.empty() ? copies : integer(it.active, s, field + " active", 0, copies);
        const bool bias = !it.bias.empty() && boolean(it.bias, s, field + " bias");
        ModelBuilder b(m);
        const std::size_t before = m.tensors.size();
        switch (it.kind) {
            case FamilyItem::Kind::linear: {
                std::string module = it.module;
                if (module.empty()) module = name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1);
                b.linear(name, module, group, layer, side(it.rows, "out"), side(it.cols, "in"), bias, copies, active);
                break;
            }
            case FamilyItem::Kind::norm:
                b.norm(name, group, layer, side(it.rows, "size"), bias);
                if (copies != 1)
                    for (std::size_t k = before; k < m.tensors.size(); ++k)
                        m.tensors[k].copies = m.tensors[k].active_copies = copies;
                break;
            case FamilyItem::Kind::vector:
                b.vector(name, group, layer, side(it.rows, "size"), copies);
                m.tensors.back().active_copies = active;
                break;
            case FamilyItem::Kind::embedding:
                b.embedding(name, group, side(it.rows, "rows"), side(it.cols, "cols"));
                m.tensors.back().layer = layer;
                break;
            case FamilyItem::Kind::lm_head: {
                const std::int64_t rows = it.rows.empty() ? m.vocab : side(it.rows, "rows");
                const std::int64_t cols = it.cols.empty() ? m.hidden : side(it.cols, "cols");
                b.lm_head(rows, cols, bias);
                Tensor& t = m.tensors[before];
                if (name != "lm_head") {
                    t.name = name + ".weight";
                    t.module = it.module.empty() ? name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1)
                                                 : it.module;
                    if (bias) m.tensors.back().name = name + ".bias";
                }
                t.group = m.tensors.back().group = group;
                break;
            }
            default: {
                b.other(name, group, layer, side(it.rows, "rows"), it.cols.empty() ? 1 : side(it.cols, "cols"), copies);
                Tensor& t = m.tensors.back();
                t.active_copies = active;
                t.linear = it.linear_flag;
                t.embedding = it.embedding_flag;
                if (!it.module.empty() || it.linear_flag)
                    t.module = it.module.empty() ? name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1)
                                                 : it.module;
                break;
            }
        }
        if (m.tensors.size() > kMaxTensors) error(it.line, field, "more than " + std::to_string(kMaxTensors) + " tensors");
    }

    LayerAttention attention_kind(const Formula& f, const Scope& s) const {
        const std::string text = f.text;
        std::string kind = text;
        // A bare word names the kind; anything else is an expression giving one (layer_types[i]).
        static const char* bare[] = {"full", "sliding", "mla", "ssm", "none"};
        if (std::find_if(std::begin(bare), std::end(bare), [&](const char* b) { return text == b; }) == std::end(bare)) {
            const Value v = value(f, s, "layers.attention");
            if (v.kind != Value::Kind::string)
                error(f.line, "layers.attention", "'" + text + "' gave " + show(v) + "; expected a layer kind");
            kind = v.s;
        }
        if (kind == "full" || kind == "full_attention" || kind == "attention" || kind == "global") return LayerAttention::full;
        if (kind == "sliding" || kind == "sliding_attention" || kind == "local") return LayerAttention::sliding;
        if (kind == "mla") return LayerAttention::mla;
        if (kind == "ssm" || kind == "linear_attention" || kind == "mamba") return LayerAttention::ssm;
        if (kind == "none") return LayerAttention::none;
        error(f.line, "layers.attention", "'" + kind + "' is not a layer kind; allowed: full, sliding, mla, ssm, none "
                                          "(or the HF layer_types words full_attention, sliding_attention, "
                                          "linear_attention, mamba)");
    }

    ModelSpec build(const ConfigNode& raw) const {
        const ConfigNode config = with_family_defaults(raw, d_.defaults);
        Scope s;
        s.config = &config;
        for (const auto& [k, f] : d_.derived) s.set(k, value(f, s, "derived." + k));
        for (const auto& [when, message] : d_.refuse)
            if (boolean(when, s, "refuse")) error(when.line, "refuse", message);
        ModelSpec m;
        std::map<std::string, const Formula*> spec;
        for (const auto& [k, f] : d_.spec) spec[k] = &f;
        const auto has = [&](const char* k) { return spec.count(k) > 0; };
        // Spec fields are evaluated in this function's order (hidden, layers, heads, kv_heads,
        // head_dim ...); each is a name the later ones can read (head_dim: hidden / heads).
        const auto get_int = [&](const char* k, std::int64_t fallback, std::int64_t lo = 0) {
            const std::string key = k;
            const std::int64_t v =
                has(k) ? integer(*spec[k], s, "spec." + key, lo, key == "layers" ? kMaxLayers : kMaxDimension) : fallback;
            s.set(key, Value::integer(v));
            return v;
        };
        const auto get_bool = [&](const char* k, bool fallback) {
            const bool v = has(k) ? boolean(*spec[k], s, std::string("spec.") + k) : fallback;
            s.set(k, Value::boolean(v));
            return v;
        };
        const auto get_number = [&](const char* k) {
            if (!has(k)) return 0.0;
            const Value v = value(*spec[k], s, std::string("spec.") + k);
            return v.is_number() ? v.number() : 0.0;
        };
        const auto get_string = [&](const char* k, const std::string& fallback) {
            if (!has(k)) return fallback;
            const Value v = value(*spec[k], s, std::string("spec.") + k);
            return v.kind == Value::Kind::string ? v.s : fallback;
        };
        const ConfigNode* type = config.find("model_type");
        m.model_type = get_string("model_type", type && type->is_string() ? type->as_string() : d_.model_types.front());
        const ConfigNode* dtype = config.first_of({"torch_dtype", "dtype"});
        m.torch_dtype = get_string("torch_dtype", dtype && dtype->is_string() ? dtype->as_string() : "");
        m.hidden = get_int("hidden", 0, 1);
        m.layers = get_int("layers", 0, 1);
        m.heads = get_int("heads", 0, 1);
        m.kv_heads = get_int("kv_heads", m.heads, 1);
        if (!has("head_dim") && m.hidden % m.heads != 0)
            error(spec["heads"]->line, "spec.head_dim", "heads " + std::to_string(m.heads) + " do not divide hidden " +
                                                           std::to_string(m.hidden) + " and spec gives no head_dim");
        m.head_dim = get_int("head_dim", m.hidden / m.heads, 1);
        m.v_head_dim = get_int("v_head_dim", 0);
        m.intermediate = get_int("intermediate", 0);
        m.vocab = get_int("vocab", 0, 1);
        m.max_positions = get_int("max_positions", 0);
        m.tied_embeddings = get_bool("tied_embeddings", false);
        m.gated_mlp = get_bool("gated_mlp", true);
        m.encoder_only = get_bool("encoder_only", false);
        m.attention_dropout = get_number("attention_dropout");
        m.hidden_dropout = get_number("hidden_dropout");
        m.experts = get_int("experts", 0);
        m.experts_per_token = get_int("experts_per_token", 0);
        m.shared_experts = get_int("shared_experts", 0);
        m.moe_intermediate = get_int("moe_intermediate", 0);
        m.shared_intermediate = get_int("shared_intermediate", 0);
        m.q_lora_rank = get_int("q_lora_rank", 0);
        m.kv_lora_rank = get_int("kv_lora_rank", 0);
        m.qk_nope_head_dim = get_int("qk_nope_head_dim", 0);
        m.qk_rope_head_dim = get_int("qk_rope_head_dim", 0);
        m.mtp_layers = get_int("mtp_layers", 0);
        m.ssm_state = get_int("ssm_state", 0);
        m.ssm_conv = get_int("ssm_conv", 0);
        m.ssm_inner = get_int("ssm_inner", 0);
        m.ssm_heads = get_int("ssm_heads", 0);
        m.ssm_groups = get_int("ssm_groups", 0);
        m.encoder_tokens = get_int("encoder_tokens", 0);
        m.max_target_positions = get_int("max_target_positions", 0);
        // The spec's values are names the layer facts and tensors can read (hidden, head_dim ...).
        const std::pair<const char*, std::int64_t> ints[] = {
            {"hidden", m.hidden}, {"layers", m.layers}, {"heads", m.heads}, {"kv_heads", m.kv_heads},
            {"head_dim", m.head_dim}, {"v_head_dim", m.v_head_dim ? m.v_head_dim : m.head_dim},
            {"intermediate", m.intermediate}, {"vocab", m.vocab}, {"max_positions", m.max_positions},
            {"experts", m.experts}, {"experts_per_token", m.experts_per_token}, {"shared_experts", m.shared_experts},
            {"moe_intermediate", m.moe_intermediate}, {"shared_intermediate", m.shared_intermediate},
            {"q_lora_rank", m.q_lora_rank}, {"kv_lora_rank", m.kv_lora_rank}, {"qk_nope_head_dim", m.qk_nope_head_dim},
            {"qk_rope_head_dim", m.qk_rope_head_dim}, {"mtp_layers", m.mtp_layers}, {"ssm_state", m.ssm_state},
            {"ssm_conv", m.ssm_conv}, {"ssm_inner", m.ssm_inner}, {"ssm_heads", m.ssm_heads},
            {"ssm_groups", m.ssm_groups}, {"encoder_tokens", m.encoder_tokens},
            {"max_target_positions", m.max_target_positions}};
        for (const auto& [k, v] : ints) s.set(k, Value::integer(v));
        s.set("tied_embeddings", Value::boolean(m.tied_embeddings));
        s.set("gated_mlp", Value::boolean(m.gated_mlp));
        s.set("model_type", Value::string(m.model_type));

        std::map<std::string, const Formula*> lf;
        for (const auto& [k, f] : d_.layers) lf[k] = &f;
        m.layer_specs.assign(static_cast<std::size_t>(m.layers), LayerSpec{});
        const ConfigNode* window_key = config.find("sliding_window");
        for (std::int64_t i = 0; i < m.layers; ++i) {
            const std::size_t mark = s.vars.size();
            s.set("i", Value::integer(i));
            LayerSpec& l = m.layer_specs[static_cast<std::size_t>(i)];
            if (lf.count("attention")) l.attention = attention_kind(*lf["attention"], s);
            if (lf.count("window"))
                l.window = l.attention == LayerAttention::sliding
                               ? integer(*lf["window"], s, "layers.window", 0, std::numeric_limits<std::int32_t>::max())
                               : 0;
            else if (l.attention == LayerAttention::sliding && window_key && window_key->is_integer())
                l.window = window_key->as_integer();
            if (lf.count("moe")) l.moe = boolean(*lf["moe"], s, "layers.moe");
            if (lf.count("cross_attention")) l.cross_attention = boolean(*lf["cross_attention"], s, "layers.cross_attention");
            s.vars.resize(mark);
        }
        items(d_.tensors, s, m, "", false, -1);

        const auto tower = [&](const std::vector<std::pair<std::string, Formula>>& fields, const char* kind) {
            TowerSpec t;
            if (fields.empty()) return t;
            t.kind = kind;
            for (const auto& [k, f] : fields) {
                const std::string field = std::string(kind) + "." + k;
                if (k == "model_type") {
                    const Value v = value(f, s, field);
                    t.model_type = v.kind == Value::Kind::string ? v.s : f.text;
                    continue;
                }
                const std::int64_t v = integer(f, s, field, 0, kMaxDimension);
                if (k == "hidden") t.hidden = v;
                else if (k == "layers") t.layers = v;
                else if (k == "heads") t.heads = v;
                else if (k == "intermediate") t.intermediate = v;
                else if (k == "image_size") t.image_size = v;
                else if (k == "patch_size") t.patch_size = v;
                else if (k == "temporal_patch_size") t.temporal_patch_size = v;
                else if (k == "spatial_merge_size") t.spatial_merge_size = v;
                else if (k == "tokens_per_image") t.tokens_per_image = v;
                else if (k == "num_mel_bins") t.num_mel_bins = v;
                else if (k == "max_source_positions") t.max_source_positions = v;
            }
            return t;
        };
        m.vision = tower(d_.vision, "vision");
        m.audio = tower(d_.audio, "audio");
        for (const auto& [t, when] : d_.notes)
            if (when.empty() || boolean(when, s, "notes.when")) m.notes.push_back(text(t, s, d_.notes_line, "notes"));
        if (!d_.buffers.empty()) {
            std::string list;
            for (const auto& b : d_.buffers) list += (list.empty() ? "" : ", ") + b;
            m.notes.push_back("buffers, not parameters: " + list);
        }
        m.family = "family." + d_.name;
        return m;
    }

private:
    const FamilyDefinition& d_;
    const std::string& where_;
};

}  // namespace

FamilyFileAdapter::FamilyFileAdapter(std::shared_ptr<const FamilyDefinition> definition)
    : path_(definition->path), header_{definition->name, definition->model_types, definition->covers},
      qualified_("family." + definition->name), def_(std::move(definition)) {
    std::call_once(parsed_, [] {});
}
FamilyFileAdapter::FamilyFileAdapter(std::string path, FamilyHeader header)
    : path_(std::move(path)), header_(std::move(header)), qualified_("family." + header_.family) {}
FamilyFileAdapter::~FamilyFileAdapter() = default;
std::string_view FamilyFileAdapter::name() const { return qualified_; }
std::vector<std::string> FamilyFileAdapter::model_types() const { return header_.model_types; }
const std::string& FamilyFileAdapter::family() const noexcept { return header_.family; }
const std::string& FamilyFileAdapter::path() const noexcept { return path_; }
const std::vector<std::string>& FamilyFileAdapter::covers() const noexcept { return header_.covers; }

const FamilyDefinition& FamilyFileAdapter::definition() const {
    // A throwing parse leaves the flag unset: the next use reports the same error again.
    std::call_once(parsed_, [this] {
        std::shared_ptr<const FamilyDefinition> d = parse_family(path_);
        // The scan read the same keys the parser did; a disagreement would be a scanner bug.
        if (d->name != header_.family || d->model_types != header_.model_types || d->covers != header_.covers)
            throw ScenarioError(path_, "family, model_types or covers read differently by the header scan and the "
                                       "parser; write them as one-line values or flow lists");
        def_ = std::move(d);
    });
    return *def_;
}

void FamilyFileAdapter::check() const { definition(); }

ModelSpec FamilyFileAdapter::build(const ConfigNode& config, const std::string& where) const {
    return Evaluator(definition(), where).build(config);
}

std::unique_ptr<FamilyFileAdapter> load_family_file(const std::string& path) {
    return std::make_unique<FamilyFileAdapter>(parse_family(path));
}

namespace {

std::string trim(std::string_view text) {
    std::size_t a = 0, b = text.size();
    while (a < b && std::isspace(static_cast<unsigned char>(text[a]))) ++a;
    while (b > a && std::isspace(static_cast<unsigned char>(text[b - 1]))) --b;
    return std::string(text.substr(a, b - a));
}

// A plain or quoted scalar without a comment; false for anything a full YAML reader is needed for.
bool header_scalar(std::string_view text, std::string& out) {
    std::string t = trim(text);
    if (const auto hash = t.find(" #"); hash != std::string::npos) t = trim(std::string_view(t).substr(0, hash));
    if (t.size() >= 2 && (t.front() == '"' || t.front() == '\'') && t.back() == t.front()) t = t.substr(1, t.size() - 2);
    for (char c : t)
        if (c == '"' || c == '\'' || c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == '&' || c == '*' ||
            c == '#')
            return false;
    out = t;
    return !out.empty();
}

}  // namespace

bool scan_family_header(const std::string& text, FamilyHeader& out) {
    out = FamilyHeader{};
    std::vector<std::string> lines;
    for (std::size_t at = 0; at <= text.size();) {
        const auto end = text.find('\n', at);
        lines.push_back(text.substr(at, end == std::string::npos ? std::string::npos : end - at));
        if (end == std::string::npos) break;
        at = end + 1;
    }
    bool have_family = false, have_types = false;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        if (line.empty() || line[0] == '#' || std::isspace(static_cast<unsigned char>(line[0]))) continue;
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        const std::string key = line.substr(0, colon);
        if (key != "family" && key != "model_types" && key != "covers") continue;
        std::string value = trim(std::string_view(line).substr(colon + 1));
        if (const auto hash = value.find(" #"); hash != std::string::npos && value.front() != '[') value = trim(value.substr(0, hash));
        std::vector<std::string> items;
        if (key == "family") {
            if (!header_scalar(value, out.family)) return false;
            have_family = true;
            continue;
        }
        if (value.empty()) {
            // Block list: the indented "- item" lines that follow.
            for (std::size_t j = i + 1; j < lines.size(); ++j) {
                const std::string item = trim(lines[j]);
                if (item.empty() || item[0] == '#') continue;
                if (!std::isspace(static_cast<unsigned char>(lines[j][0])) || item[0] != '-') break;
                std::string v;
                if (!header_scalar(std::string_view(item).substr(1), v)) return false;
                items.push_back(v);
            }
        } else {
            if (value.front() != '[') return false;
            const auto close = value.find(']');
            if (close == std::string::npos || !trim(std::string_view(value).substr(close + 1)).empty()) {
                const std::string rest = trim(std::string_view(value).substr(close == std::string::npos ? 0 : close + 1));
                if (close == std::string::npos || rest.front() != '#') return false;
            }
            const std::string inner = value.substr(1, close - 1);
            for (std::size_t at = 0; at <= inner.size();) {
                const auto comma = inner.find(',', at);
                const std::string piece = inner.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
                if (!trim(piece).empty()) {
                    std::string v;
                    if (!header_scalar(piece, v)) return false;
                    items.push_back(v);
                }
                if (comma == std::string::npos) break;
                at = comma + 1;
            }
        }
        if (key == "model_types") {
            out.model_types = std::move(items);
            have_types = !out.model_types.empty();
        } else {
            out.covers = std::move(items);
        }
    }
    for (char c : out.family)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) return false;
    return have_family && have_types;
}

std::string family_directory(const std::string& preset_dir) { return (fs::path(preset_dir) / "families").string(); }

std::size_t load_family_directory(Registry& registry, const std::string& directory) {
    std::error_code ec;
    if (!fs::is_directory(directory, ec)) return 0;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(directory, ec))
        if (e.path().extension() == ".yaml" && e.is_regular_file(ec)) files.push_back(e.path());
    std::sort(files.begin(), files.end());  // deterministic order, as for plugin libraries
    for (const auto& f : files) {
        const std::string path = f.string();
        // Start-up reads only each file's header; the rest is parsed when a model needs the
        // family (a `vram run` touches one family of dozens). A header the scan cannot read is
        // parsed in full now, so its error names file:line at once.
        std::shared_ptr<FamilyFileAdapter> adapter;
        FamilyHeader header;
        std::ifstream in(f, std::ios::binary);
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (in.bad() || !scan_family_header(text, header)) adapter = load_family_file(path);
        else adapter = std::make_shared<FamilyFileAdapter>(path, std::move(header));
        // A model_type has one family: a second claim is an error naming both, never a silent
        // override (the family C++ plugins and earlier files registered stays authoritative).
        for (const auto& type : adapter->model_types())
            for (const auto& e : registry.model_adapters.entries())
                for (const auto& t : e.item->model_types())
                    if (t == type)
                        throw ScenarioError(path, "model_type '" + type + "' is already served by " +
                                                      std::string(e.item->name()) + " (" + e.origin +
                                                      "); a family file never replaces another family: remove it "
                                                      "from model_types, or reuse that family with model.family");
        const std::string name = std::string(adapter->name());
        if (const ModelAdapter* other = registry.model_adapters.find(name))
            throw ScenarioError(path, "family '" + adapter->family() + "' is already defined by " +
                                          registry.model_adapters.origin(name) + " (" + std::string(other->name()) + ")");
        registry.model_adapters.add(adapter, name, {}, path);
    }
    return files.size();
}

}  // namespace vram
