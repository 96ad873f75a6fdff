#!/usr/bin/env bash
# libFuzzer targets (clang, build-fuzz/), each run for a bounded number of executions:
# VRAM_FUZZ_RUNS (default 20000) per target. Longer campaigns: build-fuzz/tests/fuzz/fuzz_<t> -runs=N seeds/<t>.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# No -Werror here, deliberately (VRAM_WERROR=OFF even under CI): this is clang with coverage and
# sanitizer instrumentation, whose warning set differs from GCC 12's (the compiler the project is
# kept warning-free with, under -Werror in scripts/test.sh); a new clang diagnostic must not stop
# the fuzzing.
cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVRAM_WERROR=OFF \
      -DVRAM_FUZZ=ON -DVRAM_BUILD_TESTS=OFF -DVRAM_FUZZ_RUNS="${VRAM_FUZZ_RUNS:-20000}" >/dev/null
cmake --build build-fuzz --parallel "$(nproc)"
cd build-fuzz
ctest --output-on-failure -L fuzz "$@"
