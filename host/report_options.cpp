// report_options.cpp - how the output looks where it goes: colour and width of the terminal.
// SPDX-License-Identifier: Apache-2.0
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "app.hpp"
#include "vram/error.hpp"

namespace vram::cli {

ReportOptions report_options(const CommonOptions& common) {
    ReportOptions o;
    o.explain = common.explain;
    const bool to_terminal = (common.output.empty() || common.output == "-") && ::isatty(STDOUT_FILENO);
    if (common.color == "always") {
        o.color = true;
    } else if (common.color == "never") {
        o.color = false;
    } else if (common.color == "auto") {
        // https://no-color.org: a set, non-empty NO_COLOR turns colour off; so does a dumb terminal.
        const char* no_color = std::getenv("NO_COLOR");
        const char* term = std::getenv("TERM");
        o.color = to_terminal && !(no_color && *no_color) && !(term && std::string(term) == "dumb");
    } else {
        throw UsageError("--color " + common.color + ": allowed: auto, always, never");
    }
    // COLUMNS first (the user's or the shell's explicit choice, and what scripts set), then the
    // terminal's size, then 100 columns for files and pipes.
    int width = 0;
    if (const char* columns = std::getenv("COLUMNS")) {
        char* end = nullptr;
        const long v = std::strtol(columns, &end, 10);
        if (end != columns && *end == '\0' && v > 0) width = static_cast<int>(std::min(v, 1000L));
    }
    if (width == 0 && to_terminal) {
        winsize ws{};
        if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) width = ws.ws_col;
    }
    if (width == 0) width = 100;
    o.width = std::clamp(width, 40, 400);
    return o;
}

}  // namespace vram::cli
