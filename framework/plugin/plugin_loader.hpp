// plugin/plugin_loader.hpp - host side: finds, loads and registers plugin libraries
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "vram/export.hpp"
#include "plugin/registry.hpp"

struct vram_plugin_info;  // vram/plugin_api.hpp (global, as the plugin ABI declares it)

namespace vram {

/// What one loaded plugin registered, for `vram plugins`.
struct LoadedPlugin {
    std::string name;
    std::string version;
    std::string path;
    std::vector<std::pair<std::string, std::string>> items;  ///< (kind, dotted name)
};

/// A plugin file that failed, and why.
struct FailedPlugin {
    std::string path;
    std::string reason;
};

/// Loads plugins into a Registry. Libraries stay mapped for the loader's lifetime and for as
/// long as any object they registered lives (each object holds its library).
class VRAM_API PluginLoader {
public:
    explicit PluginLoader(Registry& registry);
    ~PluginLoader();
    PluginLoader(const PluginLoader&) = delete;
    PluginLoader& operator=(const PluginLoader&) = delete;

    /// Loads one plugin file; throws PluginLoadError(path, reason). A plugin whose name is
    /// already loaded is skipped (returns false).
    bool load(const std::string& path);
    /// Like load(), but records a failure in failed() instead of throwing.
    bool try_load(const std::string& path);
    /// Loads every *.so in `directory` in sorted order. Failures are recorded (see failed())
    /// and, unless `keep_going`, the first one is rethrown after the directory is scanned.
    void load_directory(const std::string& directory, bool keep_going);
    /// Refuse plugin files or directories writable by group/others unless allowed.
    void allow_insecure(bool allow) noexcept { allow_insecure_ = allow; }

    const std::vector<LoadedPlugin>& loaded() const noexcept { return loaded_; }
    const std::vector<FailedPlugin>& failed() const noexcept { return failed_; }

private:
    /// Checks one plugin's info and registers what it adds; false when a plugin of that name is
    /// already loaded. `library` is the Boost.DLL library (kept out of this header); `bundled`:
    /// one of several plugins in `file` (vram/plugin_api.hpp VRAM_PLUGIN_BUNDLE).
    bool register_plugin(const std::shared_ptr<const void>& library, const vram_plugin_info& info,
                         const std::string& file, bool bundled);

    struct Impl;
    std::unique_ptr<Impl> impl_;
    Registry& registry_;
    std::vector<LoadedPlugin> loaded_;
    std::vector<FailedPlugin> failed_;
    bool allow_insecure_ = false;
};

/// Default plugin directories: <exe>/../lib/vram/plugins, then each of $VRAM_PLUGIN_PATH.
VRAM_API std::vector<std::string> default_plugin_directories();
/// <exe>/../share/vram/presets (the build tree mirrors it).
VRAM_API std::string default_preset_directory();

}  // namespace vram
