// spdlog_logger.hpp - the Logger facade over spdlog (framework-internal).
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "vram/logger.hpp"

namespace vram {

class SpdlogLogger final : public Logger {
public:
    void debug(std::string_view message) override;
    void info(std::string_view message) override;
    void warn(std::string_view message) override;
};

}  // namespace vram
