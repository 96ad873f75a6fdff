#!/usr/bin/env bash
# README command 1: install what is missing, build, and run the bundled example scenario.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
./build/bin/vram run presets/scenarios/llama2-7b-serving-h100.yaml --format table "$@"
