#!/usr/bin/env bash
# README command 2: install what is missing, build, and run the whole test suite.
# Under CI (CI set and not "false"; .ci/run runs with CI=true) the build uses -Werror
# (VRAM_WERROR, cmake/vramWarnings.cmake): CI is warning-free by construction. Elsewhere warnings
# stay warnings, and the flag is passed either way so a cached value never leaks from an earlier run.
set -euo pipefail
cd "$(dirname "$0")/.."
werror=OFF
if [[ -n "${CI:-}" && "${CI}" != "false" && "${CI}" != "0" ]]; then werror=ON; fi
bash scripts/build.sh -DVRAM_WERROR="${werror}"
cd build
ctest --output-on-failure --parallel "$(nproc)" "$@"
