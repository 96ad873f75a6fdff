// plugin_loader.cpp - the only file that includes Boost.DLL.
// SPDX-License-Identifier: Apache-2.0
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "vram/plugin_api.hpp"
#include "plugin/plugin_loader.hpp"
#include "spdlog_logger.hpp"

namespace dll = boost::dll;
namespace fs = std::filesystem;

namespace vram {
namespace {

using LibraryPtr = std::shared_ptr<const dll::shared_library>;
constexpr const char* kEntryPoint = "vram_get_plugin_info";
constexpr const char* kBundleEntryPoint = "vram_get_plugin_bundle";  // several plugins, one library

/// Keeps the defining library mapped until the object is destroyed: the destructor runs
/// first, then the library reference is released (Boost.DLL tutorial 8, applied at registration).
template <class T>
struct LibraryBoundDeleter {
    LibraryPtr library;
    void operator()(const T* p) const noexcept { delete p; }
};

template <class T>
std::shared_ptr<const T> bind(std::unique_ptr<T> item, const LibraryPtr& library) {
    return std::shared_ptr<const T>(item.release(), LibraryBoundDeleter<T>{library});
}

/// Collects registrations; nothing reaches the registry until commit() (all-or-nothing).
class StagingRegistrar final : public Registrar {
public:
    explicit StagingRegistrar(LibraryPtr library) : library_(std::move(library)) {}

    void add(std::unique_ptr<Component> c) override { push(components_, std::move(c)); }
    void add(std::unique_ptr<ModelAdapter> c) override { push(adapters_, std::move(c)); }
    void add(std::unique_ptr<AttentionVariant> c) override { push(attention_, std::move(c)); }
    void add(std::unique_ptr<WeightFormat> c) override { push(formats_, std::move(c)); }
    void add(std::unique_ptr<TrainingMethod> c) override { push(methods_, std::move(c)); }
    void add(std::unique_ptr<TrainingObjective> c) override { push(objectives_, std::move(c)); }
    void add(std::unique_ptr<Optimizer> c) override { push(optimizers_, std::move(c)); }
    void add(std::unique_ptr<ModalityTokenizer> c) override { push(tokenizers_, std::move(c)); }
    void add(std::unique_ptr<RuntimeProfile> c) override { push(runtimes_, std::move(c)); }
    void add(std::unique_ptr<GpuCatalog> c) override { push(gpus_, std::move(c)); }
    void declare(const std::string& name, const std::string& unit, const std::string& meaning) override {
        symbols_.push_back({name, unit, meaning, {}});
    }
    Logger& log() override { return logger_; }

    /// Checks every name against the registry and within the batch, then commits.
    void commit(Registry& reg, const std::string& origin, const std::string& plugin, LoadedPlugin& record) {
        check_symbols(reg, origin, plugin);
        // Check first on a scratch copy of the names so a failure leaves the registry untouched.
        std::set<std::pair<std::string, std::string>> seen;
        auto check = [&](auto& catalog, auto& items, auto keys_of) {
            for (auto& item : items) {
                const auto keys = keys_of(*item);
                const std::string& name = keys.front();
                for (const auto& k : keys) {
                    catalog.check_free(k, origin);
                    if (!seen.insert({catalog.kind(), k}).second)
                        throw DuplicateComponentError(catalog.kind() + " '" + k + "' registered twice by " + origin);
                }
                if (name.empty()) throw PluginLoadError(origin, catalog.kind() + " with an empty name");
            }
        };
        auto name_only = [](const auto& i) { return std::vector<std::string>{std::string(i.name())}; };
        auto comp_keys = [](const Component& c) { return std::vector<std::string>{std::string(c.id())}; };
        auto with_key = [](const auto& i) {
            std::vector<std::string> k{std::string(i.name()), std::string(i.key())};
            return k;
        };
        auto format_keys = [](const WeightFormat& f) {
            std::vector<std::string> k{std::string(f.name()), std::string(f.key())};
            for (auto& a : f.aliases()) k.push_back(a);
            return k;
        };
        check(reg.components, components_, comp_keys);
        check(reg.model_adapters, adapters_, name_only);
        check(reg.attention, attention_, name_only);
        check(reg.weight_formats, formats_, format_keys);
        check(reg.methods, methods_, with_key);
        check(reg.objectives, objectives_, with_key);
        check(reg.optimizers, optimizers_, with_key);
        check(reg.tokenizers, tokenizers_, with_key);  // key(): the scenario's inputs[i].tokenizer
        check(reg.runtimes, runtimes_, with_key);
        check(reg.gpu_catalogs, gpus_, name_only);

        auto put = [&](auto& catalog, auto& items, auto keys_of, const char* kind) {
            for (auto& item : items) {
                auto keys = keys_of(*item);
                const std::string name = keys.front();
                record.items.emplace_back(kind, name);
                catalog.add(bind(std::move(item), library_), name, keys, origin);
            }
        };
        put(reg.components, components_, comp_keys, "component");
        put(reg.model_adapters, adapters_, name_only, "model-adapter");
        put(reg.attention, attention_, name_only, "attention");
        put(reg.weight_formats, formats_, format_keys, "weight-format");
        put(reg.methods, methods_, with_key, "training-method");
        put(reg.objectives, objectives_, with_key, "objective");
        put(reg.optimizers, optimizers_, with_key, "optimizer");
        put(reg.tokenizers, tokenizers_, with_key, "tokenizer");
        put(reg.runtimes, runtimes_, with_key, "runtime");
        put(reg.gpu_catalogs, gpus_, name_only, "gpu-catalog");
        for (auto& sym : symbols_) {
            sym.owner = plugin;
            record.items.emplace_back("symbol", sym.name);
            reg.symbols.push_back(std::move(sym));
        }
    }

private:
    // Symbols: names unique across built-ins and plugins; every name a component reads declared
    // by the framework, by this plugin or by one loaded before it (first-party plugins load first).
    void check_symbols(const Registry& reg, const std::string& origin, const std::string& plugin) const {
        std::set<std::string, std::less<>> mine;
        for (const auto& sym : symbols_) {
            if (sym.name.empty() || !(std::isalpha(static_cast<unsigned char>(sym.name[0])) || sym.name[0] == '_'))
                throw PluginLoadError(origin, "declares symbol '" + sym.name +
                                                  "'; a symbol name starts with a letter or '_'");
            if (const SymbolInfo* taken = reg.find_symbol(sym.name))
                throw PluginLoadError(origin, "declares symbol '" + sym.name + "', already declared by " + taken->owner);
            if (!mine.insert(sym.name).second)
                throw PluginLoadError(origin, "declares symbol '" + sym.name + "' twice");
        }
        for (const auto& c : components_)
            for (const auto& name : c->reads()) {
                if (mine.count(name) || reg.find_symbol(name)) continue;
                std::vector<std::string> known;
                for (const auto& sym : reg.symbols) known.push_back(sym.name);
                for (const auto& n : mine) known.push_back(n);
                const auto close = closest_names(name, known);
                std::string msg = "component '" + std::string(c->id()) + "' reads symbol '" + name +
                                  "', which no loaded plugin declares";
                if (!close.empty()) {
                    msg += "; did you mean: ";
                    for (std::size_t i = 0; i < close.size(); ++i) msg += (i ? ", " : "") + close[i];
                }
                throw PluginLoadError(origin, msg + " (" + plugin + " must declare what it sets)");
            }
    }

    template <class T>
    void push(std::vector<std::unique_ptr<T>>& v, std::unique_ptr<T> item) {
        if (!item) throw Error("registered a null object");
        v.push_back(std::move(item));
    }
    LibraryPtr library_;
    SpdlogLogger logger_;
    std::vector<std::unique_ptr<Component>> components_;
    std::vector<std::unique_ptr<ModelAdapter>> adapters_;
    std::vector<std::unique_ptr<AttentionVariant>> attention_;
    std::vector<std::unique_ptr<WeightFormat>> formats_;
    std::vector<std::unique_ptr<TrainingMethod>> methods_;
    std::vector<std::unique_ptr<TrainingObjective>> objectives_;
    std::vector<std::unique_ptr<Optimizer>> optimizers_;
    std::vector<std::unique_ptr<ModalityTokenizer>> tokenizers_;
    std::vector<std::unique_ptr<RuntimeProfile>> runtimes_;
    std::vector<std::unique_ptr<GpuCatalog>> gpus_;
    std::vector<SymbolInfo> symbols_;
};

// Plugins load code into the process: refuse files an unprivileged other user could replace.
void check_permissions(const fs::path& path, bool allow_insecure) {
    if (allow_insecure) return;
    for (const fs::path& p : {path, path.parent_path()}) {
        struct stat st {};
        if (::stat(p.c_str(), &st) != 0) continue;
        if (st.st_mode & (S_IWGRP | S_IWOTH)) {
            const bool sticky_dir = S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX);
            if (!sticky_dir || p == path)
                throw PluginLoadError(path.string(), "'" + p.string() +
                                                         "' is writable by group or others; fix its permissions "
                                                         "or pass --allow-insecure-plugins");
        }
    }
}

// What the host checks of a plugin before any of its code runs: API version, standard
// library ABI, header fingerprint, a name and a register function.
void check_plugin_info(const vram_plugin_info& info, const std::string& where) {
    if (info.api_version != VRAM_PLUGIN_API_VERSION)
        throw PluginLoadError(where, "built for plugin API v" + std::to_string(info.api_version) + " (SDK " +
                                         (info.sdk_version ? info.sdk_version : "?") + "), this host speaks v" +
                                         std::to_string(VRAM_PLUGIN_API_VERSION) + " (SDK " VRAM_VERSION_STRING ")");
    const std::string abi = info.abi_tag ? info.abi_tag : "";
    if (abi != VRAM_ABI_STDLIB)
        throw PluginLoadError(where, "built with C++ standard library ABI '" + abi + "', this host uses '" +
                                         VRAM_ABI_STDLIB "'; rebuild it with the host's compiler");
    // Same version number, other headers: a struct changed without a bump. Refused before any
    // of the plugin's code runs.
    const std::string fingerprint = info.abi_fingerprint ? info.abi_fingerprint : "";
    if (fingerprint != VRAM_ABI_FINGERPRINT)
        throw PluginLoadError(where, "built against plugin-facing headers with fingerprint " +
                                         (fingerprint.empty() ? std::string("(none)") : fingerprint.substr(0, 16)) +
                                         ", this host's are " + std::string(VRAM_ABI_FINGERPRINT).substr(0, 16) +
                                         " (SDK " VRAM_VERSION_STRING "); rebuild it against the installed SDK");
    if (!info.name || !*info.name) throw PluginLoadError(where, "plugin info has an empty name");
    if (!info.register_components) throw PluginLoadError(where, "plugin info has no register function");
}

}  // namespace

struct PluginLoader::Impl {
    std::vector<LibraryPtr> libraries;  // never unloaded while the loader lives
};

PluginLoader::PluginLoader(Registry& registry) : impl_(std::make_unique<Impl>()), registry_(registry) {}
PluginLoader::~PluginLoader() = default;

bool PluginLoader::load(const std::string& path_text) {
    const fs::path path = fs::absolute(path_text);
    const std::string where = path.string();
    std::error_code ec;
    if (!fs::exists(path, ec)) throw PluginLoadError(where, "no such file");
    if (!fs::is_regular_file(path, ec)) throw PluginLoadError(where, "not a regular file");
    check_permissions(path, allow_insecure_);

    LibraryPtr library;
    try {
        // Throwing overload: only it carries the dlerror() text. rtld_now: a missing symbol fails
        // here, not mid-estimate.
        library = std::make_shared<const dll::shared_library>(
            path, dll::load_mode::rtld_now | dll::load_mode::rtld_local);
    } catch (const std::exception& e) {
        throw PluginLoadError(where, std::string("dlopen failed: ") + e.what());
    }
    std::vector<vram_plugin_info> infos;
    if (library->has(kEntryPoint)) {
        infos.push_back(library->get<vram_plugin_info()>(kEntryPoint)());
    } else if (library->has(kBundleEntryPoint)) {
        // A bundle (first-party plugins are one library): every plugin in it is checked and
        // registered exactly as a library of its own would be, in the bundle's order.
        std::size_t count = 0;
        const vram_plugin_info* bundle = library->get<const vram_plugin_info*(std::size_t*)>(kBundleEntryPoint)(&count);
        if (!bundle || count == 0) throw PluginLoadError(where, "plugin bundle lists no plugins");
        infos.assign(bundle, bundle + count);
    } else {
        throw PluginLoadError(where, "no 'vram_get_plugin_info' symbol; not a vram plugin?");
    }
    const bool bundle = !library->has(kEntryPoint);
    // A bundle is refused whole: every plugin in it is checked before any registers.
    if (bundle)
        for (const vram_plugin_info& info : infos)
            check_plugin_info(info, info.name && *info.name ? where + " (" + std::string(info.name) + ")" : where);
    bool any = false;
    for (const vram_plugin_info& info : infos) any = register_plugin(library, info, where, bundle) || any;
    if (any) impl_->libraries.push_back(library);
    return any;
}

bool PluginLoader::register_plugin(const std::shared_ptr<const void>& library_handle, const vram_plugin_info& info,
                                   const std::string& file, bool bundled) {
    const LibraryPtr library = std::static_pointer_cast<const dll::shared_library>(library_handle);
    // Messages and registry origins name the file, and for a plugin of a bundle also the plugin:
    // "lib/vram/plugins/vram_builtin.so (vram_components_core)".
    const std::string where =
        bundled && info.name && *info.name ? file + " (" + std::string(info.name) + ")" : file;
    check_plugin_info(info, where);

    // Copy the plugin's strings now: they live in the library's memory.
    LoadedPlugin record{info.name, info.version ? info.version : "", file, {}};
    for (const auto& l : loaded_)
        if (l.name == record.name) return false;  // same plugin found twice: keep the first

    StagingRegistrar staging(library);
    try {
        info.register_components(staging);
    } catch (const std::exception& e) {
        // Copy the message: the exception object belongs to the plugin.
        throw PluginLoadError(where, std::string("registration threw: ") + e.what());
    } catch (...) {
        throw PluginLoadError(where, "registration threw a non-standard exception");
    }
    try {
        staging.commit(registry_, where, record.name, record);
    } catch (const PluginLoadError&) {
        throw;
    } catch (const Error& e) {
        throw PluginLoadError(where, e.what());
    }
    loaded_.push_back(std::move(record));
    return true;
}

bool PluginLoader::try_load(const std::string& path) {
    try {
        return load(path);
    } catch (const PluginLoadError& e) {
        failed_.push_back({e.path(), e.reason()});
        return false;
    }
}

void PluginLoader::load_directory(const std::string& directory, bool keep_going) {
    std::error_code ec;
    if (!fs::is_directory(directory, ec)) return;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(directory, ec))
        if (entry.path().extension() == ".so" || entry.path().extension() == ".dylib") files.push_back(entry.path());
    std::sort(files.begin(), files.end());  // deterministic order (pitfall 19)
    std::optional<PluginLoadError> first;
    for (const auto& f : files) {
        try {
            load(f.string());
        } catch (const PluginLoadError& e) {
            failed_.push_back({e.path(), e.reason()});
            if (!first) first = e;
        }
    }
    if (first && !keep_going) throw *first;
}

std::vector<std::string> default_plugin_directories() {
    std::vector<std::string> dirs;
    const fs::path exe_dir = dll::program_location().parent_path();
    dirs.push_back((exe_dir / ".." / "lib" / "vram" / "plugins").lexically_normal().string());
    if (const char* env = std::getenv("VRAM_PLUGIN_PATH")) {
        std::string s = env;
        std::size_t start = 0;
        while (start <= s.size()) {
            auto colon = s.find(':', start);
            std::string d = s.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
            if (!d.empty()) dirs.push_back(d);
            if (colon == std::string::npos) break;
            start = colon + 1;
        }
    }
    return dirs;
}

std::string default_preset_directory() {
    if (const char* env = std::getenv("VRAM_PRESET_DIR")) return env;
    const fs::path exe_dir = dll::program_location().parent_path();
    return (exe_dir / ".." / "share" / "vram" / "presets").lexically_normal().string();
}

}  // namespace vram
