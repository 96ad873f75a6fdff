// spdlog_logger.cpp - plugins log through the host's spdlog, never their own copy.
// SPDX-License-Identifier: Apache-2.0
#include <spdlog/spdlog.h>

#include "spdlog_logger.hpp"

namespace vram {

void SpdlogLogger::debug(std::string_view message) { spdlog::debug("{}", message); }
void SpdlogLogger::info(std::string_view message) { spdlog::info("{}", message); }
void SpdlogLogger::warn(std::string_view message) { spdlog::warn("{}", message); }

}  // namespace vram
