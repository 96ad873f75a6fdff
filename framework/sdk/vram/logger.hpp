// vram/logger.hpp - the host's logger facade handed to plugins
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>

#include "vram/export.hpp"

namespace vram {

/// Plugins log only through this (never spdlog directly: its registry splits per .so).
class VRAM_API Logger {
public:
    virtual ~Logger();
    /// Shown with -v -v. One line; the host adds "vram: debug:". Never throws.
    virtual void debug(std::string_view message) = 0;
    /// Shown with -v. One line. Never throws.
    virtual void info(std::string_view message) = 0;
    /// Shown unless -q. For conditions the user should fix; errors are thrown, not logged.
    virtual void warn(std::string_view message) = 0;
};

}  // namespace vram
