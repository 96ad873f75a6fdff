// vram/plugin_api.hpp - the plugin ABI: one extern "C" entry returning a versioned struct
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>

#include "vram/abi_fingerprint.hpp"
#include "vram/registrar.hpp"
#include "vram/version.hpp"

/// Bump on ANY change to a plugin-facing header (framework/sdk/vram). The build computes
/// VRAM_ABI_FINGERPRINT from those headers; the test abi.fingerprint_is_locked fails when it
/// moves while this number does not (framework/sdk/abi.lock records the pair).
#define VRAM_PLUGIN_API_VERSION 7u

/// Standard-library ABI the plugin was built with; must equal the host's (docs/plugin-abi.md).
#if defined(_LIBCPP_VERSION)
#define VRAM_ABI_STDLIB "libc++"
#elif defined(__GLIBCXX__) && defined(_GLIBCXX_USE_CXX11_ABI) && _GLIBCXX_USE_CXX11_ABI
#define VRAM_ABI_STDLIB "libstdc++/cxx11"
#elif defined(__GLIBCXX__)
#define VRAM_ABI_STDLIB "libstdc++/cow"
#elif defined(_MSC_VER) && defined(_DEBUG)
#define VRAM_ABI_STDLIB "msvc/debug"
#elif defined(_MSC_VER)
#define VRAM_ABI_STDLIB "msvc/release"
#else
#define VRAM_ABI_STDLIB "unknown"
#endif

#if defined(_WIN32)
#define VRAM_PLUGIN_EXPORT __declspec(dllexport)
#else
#define VRAM_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

extern "C" {
/// Filled in by the plugin, read by the host. Append-only; never reorder.
struct vram_plugin_info {
    std::uint32_t api_version;  ///< VRAM_PLUGIN_API_VERSION seen by the plugin (checked first)
    const char* sdk_version;    ///< VRAM_VERSION_STRING seen by the plugin (for messages)
    const char* abi_tag;        ///< VRAM_ABI_STDLIB seen by the plugin
    const char* name;           ///< plugin name, e.g. "vram_attention_core"
    const char* version;        ///< the plugin's own version
    void (*register_components)(vram::Registrar&);  ///< adds the plugin's objects
    const char* abi_fingerprint;  ///< VRAM_ABI_FINGERPRINT seen by the plugin (API v2 on)
};
}

/// Defines the plugin's only exported symbol. Usage:
///   VRAM_PLUGIN(acme_method_dora, "1.0.0") { reg.add(std::make_unique<Dora>()); }
///
/// Compiled with VRAM_PLUGIN_IN_BUNDLE defined, the same line defines a hidden C++ function
/// `vram_bundled_plugin_info_NAME()` instead, for a library that holds several plugins and exports
/// VRAM_PLUGIN_BUNDLE (below): vram's first-party plugins are linked that way into one library, so
/// a start opens one file instead of thirteen (docs/plugin-abi.md "Bundles").
#if defined(VRAM_PLUGIN_IN_BUNDLE)
#define VRAM_PLUGIN(NAME, VERSION)                                                        \
    static void vram_register_##NAME(::vram::Registrar& reg);                            \
    ::vram_plugin_info vram_bundled_plugin_info_##NAME() {                               \
        return {VRAM_PLUGIN_API_VERSION, VRAM_VERSION_STRING, VRAM_ABI_STDLIB, #NAME,      \
                VERSION, &vram_register_##NAME, VRAM_ABI_FINGERPRINT};                   \
    }                                                                                   \
    static void vram_register_##NAME([[maybe_unused]] ::vram::Registrar& reg)
#else
#define VRAM_PLUGIN(NAME, VERSION)                                                        \
    static void vram_register_##NAME(::vram::Registrar& reg);                            \
    extern "C" VRAM_PLUGIN_EXPORT ::vram_plugin_info vram_get_plugin_info() {             \
        return {VRAM_PLUGIN_API_VERSION, VRAM_VERSION_STRING, VRAM_ABI_STDLIB, #NAME,      \
                VERSION, &vram_register_##NAME, VRAM_ABI_FINGERPRINT};                   \
    }                                                                                   \
    static void vram_register_##NAME([[maybe_unused]] ::vram::Registrar& reg)
#endif

/// A bundle's only exported symbol: `vram_get_plugin_bundle(&count)` returns `count` plugin
/// infos, each checked and registered by the host exactly as a library of its own would be.
/// Usage, in one source file of the bundle (the plugins' files compiled with
/// VRAM_PLUGIN_IN_BUNDLE):
///   ::vram_plugin_info vram_bundled_plugin_info_acme_a();
///   ::vram_plugin_info vram_bundled_plugin_info_acme_b();
///   VRAM_PLUGIN_BUNDLE(vram_bundled_plugin_info_acme_a, vram_bundled_plugin_info_acme_b)
#define VRAM_PLUGIN_BUNDLE(...)                                                                       \
    extern "C" VRAM_PLUGIN_EXPORT const ::vram_plugin_info* vram_get_plugin_bundle(std::size_t* count) { \
        using Info = ::vram_plugin_info (*)();                                                     \
        static constexpr Info kInfos[] = {__VA_ARGS__};                                               \
        static ::vram_plugin_info infos[sizeof kInfos / sizeof kInfos[0]];                            \
        static const bool filled = [] {                                                               \
            for (std::size_t i = 0; i < sizeof kInfos / sizeof kInfos[0]; ++i) infos[i] = kInfos[i](); \
            return true;                                                                              \
        }();                                                                                          \
        (void)filled;                                                                                 \
        *count = sizeof kInfos / sizeof kInfos[0];                                                    \
        return infos;                                                                                 \
    }
