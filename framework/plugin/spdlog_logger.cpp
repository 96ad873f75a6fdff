// spdlog_logger.cpp - plugins log through the host's spdlog, never their own copy.
// SPDX-License-Identifier: Apache-2.0
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "spdlog_logger.hpp"

namespace vram {

void SpdlogLogger::debug(std::string_view message) { spdlog::debug("{}", message); }
void SpdlogLogger::info(std::string_view message) { spdlog::info("{}", message); }
void SpdlogLogger::warn(std::string_view message) { spdlog::warn("{}", message); }

void configure_logging(int verbosity) {
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    auto logger = std::make_shared<spdlog::logger>("vram", sink);
    logger->set_pattern("vram: %l: %v");
    logger->set_level(verbosity < 0    ? spdlog::level::err
                      : verbosity == 0 ? spdlog::level::warn
                      : verbosity == 1 ? spdlog::level::info
                                       : spdlog::level::debug);
    spdlog::set_default_logger(logger);
}
void log_debug(std::string_view message) { spdlog::debug("{}", message); }
void log_warn(std::string_view message) { spdlog::warn("{}", message); }

}  // namespace vram
