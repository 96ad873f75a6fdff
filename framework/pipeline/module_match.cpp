// pipeline/module_match.cpp - see module_match.hpp.
// SPDX-License-Identifier: Apache-2.0
#include "pipeline/module_match.hpp"

namespace vram {

ModuleMatcher::ModuleMatcher(const std::vector<std::string>& entries) {
    for (const std::string& e : entries) {
        if (e.rfind("re:", 0) == 0) patterns_.emplace_back(e.substr(3));
        else if (e.find('.') == std::string::npos) components_.push_back("." + e + ".");
        else prefixes_.push_back(e);
    }
}

std::string ModuleMatcher::module_path(const Tensor& t) {
    std::string path = t.layer >= 0 ? "model.layers." + std::to_string(t.layer) + "." + t.name : t.name;
    for (const char* suffix : {".weight", ".bias"}) {
        const std::string s(suffix);
        if (path.size() > s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0) {
            path.resize(path.size() - s.size());
            break;
        }
    }
    return path;
}

bool ModuleMatcher::matches(const Tensor& t) const {
    const std::string path = module_path(t);
    const std::string bounded = "." + path + ".";
    for (const std::string& c : components_)
        if (bounded.find(c) != std::string::npos) return true;
    for (const std::string& p : prefixes_)
        if (path.compare(0, p.size(), p) == 0 && (path.size() == p.size() || path[p.size()] == '.')) return true;
    for (const std::regex& p : patterns_)
        if (std::regex_search(path, p, std::regex_constants::match_continuous)) return true;
    return false;
}

}  // namespace vram
