// component.cpp - key functions of every exported interface, errors and byte helpers.
// Out-of-line destructors give each vtable and typeinfo one home (plugin-sdk.md pitfall 10).
// SPDX-License-Identifier: Apache-2.0
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "vram/component.hpp"
#include "vram/error.hpp"
#include "vram/registrar.hpp"

namespace vram {

Error::Error(const std::string& message) : std::runtime_error(message) {}
Error::~Error() = default;

ScenarioError::ScenarioError(const std::string& where, const std::string& message)
    : Error(where.empty() ? message : where + ": " + message), where_(where), detail_(message) {}
ScenarioError::~ScenarioError() = default;

ParamError::ParamError(const std::string& key_path, const std::string& message)
    : Error(key_path.empty() ? message : key_path + ": " + message), key_path_(key_path), detail_(message) {}
ParamError::~ParamError() = default;

EstimateError::EstimateError(const std::string& message) : Error(message) {}
EstimateError::~EstimateError() = default;

PluginLoadError::PluginLoadError(const std::string& path, const std::string& reason)
    : Error("cannot load plugin '" + path + "': " + reason), path_(path), reason_(reason) {}
PluginLoadError::~PluginLoadError() = default;

DuplicateComponentError::DuplicateComponentError(const std::string& message) : Error(message) {}
DuplicateComponentError::~DuplicateComponentError() = default;

UnknownComponentError::UnknownComponentError(const std::string& message) : Error(message) {}
UnknownComponentError::~UnknownComponentError() = default;

UsageError::UsageError(const std::string& message) : Error(message) {}
UsageError::~UsageError() = default;

Component::~Component() = default;
TermBase::~TermBase() = default;
ModelAdapter::~ModelAdapter() = default;
AttentionVariant::~AttentionVariant() = default;
WeightFormat::~WeightFormat() = default;
TrainingMethod::~TrainingMethod() = default;
TrainingObjective::~TrainingObjective() = default;
Optimizer::~Optimizer() = default;
void Optimizer::prepare(Context&, const Params&) const {}
ModalityTokenizer::~ModalityTokenizer() = default;
RuntimeProfile::~RuntimeProfile() = default;
GpuCatalog::~GpuCatalog() = default;
Logger::~Logger() = default;
Registrar::~Registrar() = default;

double RuntimeProfile::max_kv_tokens(const Context& ctx, double other_bytes,
                                     double kv_bytes_per_token) const {
    if (kv_bytes_per_token <= 0) return 0;
    const double free_bytes = ctx[Sym::gpu_mem] - other_bytes;
    return free_bytes <= 0 ? 0 : std::floor(free_bytes / kv_bytes_per_token);
}

bool RuntimeProfile::admits(const Context&, std::string*) const { return true; }

const char* to_string(Category category) noexcept {
    switch (category) {
        case Category::weights: return "weights";
        case Category::kv_cache: return "kv_cache";
        case Category::activations: return "activations";
        case Category::logits: return "logits";
        case Category::gradients: return "gradients";
        case Category::optimizer_states: return "optimizer_states";
        case Category::master_weights: return "master_weights";
        case Category::adapters: return "adapters";
        case Category::reference_model: return "reference_model";
        case Category::generation: return "generation";
        case Category::encoder: return "encoder";
        case Category::buffers: return "buffers";
        case Category::overhead: return "overhead";
        case Category::allocator: return "allocator";
        case Category::other: return "other";
    }
    return "other";
}

bool parse_category(std::string_view text, Category& out) noexcept {
    for (int i = 0; i <= static_cast<int>(Category::other); ++i) {
        auto c = static_cast<Category>(i);
        if (text == to_string(c)) {
            out = c;
            return true;
        }
    }
    return false;
}

Bytes add_bytes(Bytes a, Bytes b) {
    Bytes r = 0;
    if (__builtin_add_overflow(a, b, &r)) throw EstimateError("byte count overflows 64 bits");
    return r;
}

Bytes mul_bytes(Bytes a, Bytes b) {
    Bytes r = 0;
    if (__builtin_mul_overflow(a, b, &r)) throw EstimateError("byte count overflows 64 bits");
    return r;
}

Bytes to_bytes(double value, const char* what) {
    if (std::isnan(value) || std::isinf(value))
        throw EstimateError(std::string(what) + ": result is not a finite number");
    if (value < 0)
        throw EstimateError(std::string(what) + ": result is negative (" + format_number(value) + " bytes)");
    // 2^63: beyond it a double no longer converts to a uint64 reliably and no GPU is that big.
    if (value >= 9.2233720368547758e18)
        throw EstimateError(std::string(what) + ": result beyond 2^63 bytes (" + format_number(value) + ")");
    return static_cast<Bytes>(std::ceil(value));
}

std::string format_gib(Bytes bytes) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(bytes) / kGiB);
    return buf;
}

std::string format_count(std::uint64_t value) {
    std::string digits = std::to_string(value);
    std::string out;
    const std::size_t n = digits.size();
    for (std::size_t i = 0; i < n; ++i) {
        if (i && (n - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

std::string format_number(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
    if (value == std::floor(value) && std::fabs(value) < 1e18) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.0f", value);
        return buf;
    }
    char buf[40];
    for (int precision = 6; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*g", precision, value);
        if (std::strtod(buf, nullptr) == value) break;
    }
    return buf;
}

}  // namespace vram
