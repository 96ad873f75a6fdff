// vram/symbols.hpp - symbols a formula or a term may read, declared before anything reads them
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

namespace vram {

/// One readable quantity: a built-in of the framework or a symbol a plugin declared at
/// registration (Registrar::declare). A symbol nobody declared cannot be read: plugins naming one
/// in Component::reads() are refused at load, formulas naming one are refused when compiled, and
/// Context::get() of an undeclared name throws instead of reading 0.
struct SymbolInfo {
    std::string name;     ///< what formulas write: "b", "P_total", "vllm_util"
    std::string unit;     ///< "bytes", "tokens", "flag", "" for pure numbers
    std::string meaning;  ///< one line for `vram symbols`
    std::string owner;    ///< "core" or the declaring plugin's registered name
};

/// Every symbol one estimation can read, built-ins first (in enum Sym order), then the declared
/// ones in load order. The host builds it once; each Context keeps a pointer to it.
using SymbolTable = std::vector<SymbolInfo>;

}  // namespace vram
