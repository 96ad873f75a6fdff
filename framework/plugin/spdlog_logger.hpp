// spdlog_logger.hpp - the Logger facade over spdlog (framework-internal), and the host's log
// settings: spdlog is compiled into the framework (header-only, hidden), so the host reaches it
// through these functions rather than through a second copy of spdlog's registry.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "vram/export.hpp"
#include "vram/logger.hpp"

namespace vram {

class SpdlogLogger final : public Logger {
public:
    void debug(std::string_view message) override;
    void info(std::string_view message) override;
    void warn(std::string_view message) override;
};

/// Sends log lines to stderr as "vram: LEVEL: message": errors only (verbosity < 0), warnings
/// (0, the default), info (1), debug (2 and more).
VRAM_API void configure_logging(int verbosity);
VRAM_API void log_debug(std::string_view message);
VRAM_API void log_warn(std::string_view message);

}  // namespace vram
