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
    virtual void debug(std::string_view message) = 0;
    virtual void info(std::string_view message) = 0;
    virtual void warn(std::string_view message) = 0;
};

}  // namespace vram
