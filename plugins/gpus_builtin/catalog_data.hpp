// catalog_data.hpp - the built-in GPU table, compiled in from presets/gpus/builtin.csv.
// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace vram::plugins {

/// CSV text of presets/gpus/builtin.csv (columns documented in docs/gpus.md).
const char* builtin_catalog_csv();

}  // namespace vram::plugins
