// expression_component.cpp - breakdown terms from a scenario's `components:` block: compiled
// once per scenario, bound after every preparation, checked for sane bytes when evaluated.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>

#include "expression/expression.hpp"
#include "plugin/registry.hpp"

namespace vram {

ExpressionComponent::ExpressionComponent(const ExpressionSpec& spec, Category category, Expression expression,
                                         std::string where, std::string phase)
    : spec_(spec), category_(category), expression_(std::move(expression)), where_(std::move(where)),
      phase_(std::move(phase)) {
    source_ = spec_.source.empty() ? "scenario " + spec_.path + " (" + where_ + ")" : spec_.source;
}

ExpressionComponent::~ExpressionComponent() = default;

void ExpressionComponent::fail(const std::string& message) const {
    throw ScenarioError(where_, spec_.path + " (" + spec_.name + "): " + message);
}

Bytes ExpressionComponent::evaluate(const Context& ctx) const {
    // Unbound code would read symbol 0 for every name: refuse rather than return a wrong number.
    if (!expression_.bound()) fail("formula evaluated before the scenario was prepared (internal error)");
    const double v = expression_.evaluate(ctx);
    // 2^63: beyond it no GPU exists and the conversion to a byte count is no longer exact.
    if (!(v >= 0) || !std::isfinite(v) || v >= 9.2233720368547758e18) {
        const char* what = std::isnan(v) ? "is not a number" : !std::isfinite(v) ? "is infinite"
                           : v < 0 ? "is negative" : "exceeds 2^63 bytes";
        fail("formula '" + spec_.formula + "' " + what + " (" + format_number(v) + ") for " +
             expression_.substitute(ctx) + "; a component's bytes must be finite and >= 0");
    }
    return static_cast<Bytes>(std::ceil(v));
}

std::string ExpressionComponent::substitute(const Context& ctx) const {
    return expression_.substitute(ctx) + " = " + format_count(evaluate(ctx)) + " B";
}

void ExpressionComponent::bind(const Context& ctx) {
    try {
        expression_.bind(ctx);
    } catch (const ExpressionError& e) {
        fail("formula column " + std::to_string(e.column()) + ": " + e.detail());
    }
}

ScenarioComponents::ScenarioComponents() = default;
ScenarioComponents::~ScenarioComponents() = default;
ScenarioComponents::ScenarioComponents(ScenarioComponents&&) noexcept = default;
ScenarioComponents& ScenarioComponents::operator=(ScenarioComponents&&) noexcept = default;

void ScenarioComponents::resolve(const Scenario& scenario, std::vector<const Component*>& components,
                                 const SymbolTable& symbols) {
    static const ModelSpec kNoModel;
    const Context declared(kNoModel, scenario, &symbols);  // binds names against the declarations only
    items_.clear();
    std::vector<std::string> registered;
    for (const Component* c : components) registered.emplace_back(c->id());
    std::vector<std::pair<std::string, std::string>> replaced;  // id -> path that replaced it
    for (std::size_t i = 0; i < scenario.components.size(); ++i) {
        const ExpressionSpec& spec = scenario.components[i];
        const std::string path = spec.path.empty() ? "components[" + std::to_string(i) + "]" : spec.path;
        const std::string label = path + " (" + spec.name + "): ";
        auto fail = [&](const std::string& key, const std::string& message) {
            throw ScenarioError(scenario.where(key), label + message);
        };
        if (spec.name.empty()) fail(path + ".name", "name: empty; every component needs a name");
        Category category{};
        if (!parse_category(spec.category, category)) {
            std::string allowed;
            for (int k = 0; k <= static_cast<int>(Category::other); ++k)
                allowed += std::string(k ? ", " : "") + to_string(static_cast<Category>(k));
            fail(path + ".category", "unknown category '" + spec.category + "'; allowed: " + allowed);
        }
        for (const auto& item : items_)
            if (item->spec().name == spec.name)
                fail(path + ".name", "name '" + spec.name + "' is already used by " + item->spec().path);
        if (spec.name != spec.replaces &&
            std::find(registered.begin(), registered.end(), spec.name) != registered.end())
            fail(path + ".name", "name '" + spec.name + "' is a built-in component; use replaces: " + spec.name +
                                     " to replace it, or another name");
        Expression expression;
        try {
            expression = Expression::compile(spec.formula);
            expression.bind(declared);  // an undeclared name is refused here, before any estimate
        } catch (const ExpressionError& e) {
            fail(path + ".formula", "formula column " + std::to_string(e.column()) + ": " + e.detail());
        }
        std::size_t position = components.size();
        std::string phase;
        if (!spec.replaces.empty()) {
            auto it = std::find_if(components.begin(), components.end(),
                                   [&](const Component* c) { return c->id() == spec.replaces; });
            if (it == components.end()) {
                for (const auto& [id, by] : replaced)
                    if (id == spec.replaces) fail(path + ".replaces", "replaces: '" + id + "' is already replaced by " + by);
                std::string msg = "replaces: no component '" + spec.replaces + "'";
                const auto close = closest_names(spec.replaces, registered, 3);
                if (!close.empty()) {
                    msg += "; did you mean: ";
                    for (std::size_t k = 0; k < close.size(); ++k) msg += (k ? ", " : "") + close[k];
                } else {
                    msg += "; `vram plugins` lists the registered components";
                }
                fail(path + ".replaces", msg);
            }
            position = static_cast<std::size_t>(it - components.begin());
            phase = std::string((*it)->phase());
            replaced.emplace_back(spec.replaces, path);
        }
        ExpressionSpec copy = spec;
        copy.path = path;
        items_.push_back(std::make_unique<ExpressionComponent>(copy, category, std::move(expression),
                                                               scenario.where(path + ".formula"), phase));
        // A replacement takes the replaced term's place, so the breakdown keeps its order.
        if (position < components.size()) components[position] = items_.back().get();
        else components.push_back(items_.back().get());
    }
}

void ScenarioComponents::bind(const Context& ctx) {
    for (auto& item : items_) item->bind(ctx);
}

}  // namespace vram
