#!/usr/bin/env python3
"""Golden set: every preset scenario and every model preset under a matrix of workloads.

Refactors must keep numbers (DEVELOPERS.md). `record` writes what the current build answers;
`check` reruns the same cases and fails on any difference in a number, a component name, a
category, an exit code or an error line. Text that explains numbers (formula, substituted,
source) is left out of the comparison: wording may improve, numbers may not move unless a
bug fix is documented (docs/golden.md lists every re-recording and why).

usage: golden.py record|check VRAM_BINARY SOURCE_DIR [GOLDEN_FILE]
"""
import concurrent.futures
import json
import os
import subprocess
import sys

TEXT_KEYS = {"formula", "substituted", "source"}


def strip(value):
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if k not in TEXT_KEYS}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value


def cases(src):
    presets = os.path.join(src, "presets")
    models = sorted(f[:-5] for f in os.listdir(os.path.join(presets, "models")) if f.endswith(".yaml"))
    scenarios = sorted(f for f in os.listdir(os.path.join(presets, "scenarios")) if f.endswith(".yaml"))
    bases = sorted(f for f in os.listdir(os.path.join(src, "tests", "golden", "bases")) if f.endswith(".yaml"))
    out = []
    for sc in scenarios:
        path = os.path.join("presets", "scenarios", sc)
        out.append(("run", path, "json", ["run", path, "--format", "json"]))
        out.append(("run", path, "table", ["run", path, "--format", "table", "--color", "never"]))
        out.append(("run", path, "csv", ["run", path, "--format", "csv"]))
        out.append(("fit", path, "batch", ["fit", path, "--maximize", "workload.batch_size", "--format", "json"]))
    for m in models:
        out.append(("inspect", m, "json", ["inspect", m, "--format", "json"]))
    for base in bases:
        path = os.path.join("tests", "golden", "bases", base)
        for m in models:
            out.append(("run", path, m, ["run", path, "--format", "json", "--set", "model.preset=" + m]))
    sweep = os.path.join("presets", "scenarios", "llama2-7b-serving-h100.yaml")
    out.append(("sweep", sweep, "b-s", ["sweep", sweep, "--vary", "workload.batch_size=1,4,16",
                                        "--vary", "workload.sequence_length=1024:8192:3584", "--format", "json"]))
    out.append(("recommend", sweep, "json", ["recommend", sweep, "--format", "json"]))
    a = os.path.join("presets", "scenarios", "llama2-7b-lora-litgpt-a100.yaml")
    b = os.path.join("presets", "scenarios", "llama2-7b-qlora-nf4-dq.yaml")
    out.append(("compare", a, b, ["compare", a, b, "--format", "json"]))
    return out


def run_case(binary, src, case):
    kind, what, variant, args = case
    env = dict(os.environ, NO_COLOR="1", COLUMNS="120", HF_HUB_OFFLINE="1")
    p = subprocess.run([binary] + args, cwd=src, capture_output=True, text=True, env=env, timeout=120)
    key = " ".join([kind, what, variant])
    if p.returncode != 0:
        return key, {"rc": p.returncode, "stderr": p.stderr.strip().splitlines()[-1:] }
    out = p.stdout
    if args[args.index("--format") + 1] == "json" if "--format" in args else False:
        try:
            out = strip(json.loads(out))
        except json.JSONDecodeError:
            pass
    return key, {"rc": 0, "out": out}


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in ("record", "check"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, binary, src = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
    golden = sys.argv[4] if len(sys.argv) > 4 else os.path.join(src, "tests", "golden", "golden.jsonl")
    all_cases = cases(src)
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = dict(pool.map(lambda c: run_case(binary, src, c), all_cases))
    if mode == "record":
        with open(golden, "w", encoding="utf-8") as f:
            for key in sorted(results):
                f.write(json.dumps({"case": key, **results[key]}, sort_keys=True, ensure_ascii=False) + "\n")
        print(f"recorded {len(results)} cases in {golden}")
        return 0
    expected = {}
    with open(golden, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            expected[row.pop("case")] = row
    failed = 0
    for key in sorted(set(expected) | set(results)):
        if key not in results:
            print(f"MISSING case no longer produced: {key}")
            failed += 1
        elif key not in expected:
            print(f"NEW case not in the golden set (record it): {key}")
            failed += 1
        elif results[key] != expected[key]:
            failed += 1
            print(f"DIFF {key}")
            a = json.dumps(expected[key], sort_keys=True, indent=1, ensure_ascii=False).splitlines()
            b = json.dumps(results[key], sort_keys=True, indent=1, ensure_ascii=False).splitlines()
            import difflib
            for line in list(difflib.unified_diff(a, b, "golden", "now", lineterm="", n=2))[:40]:
                print("   " + line)
    passed = len(expected) - failed
    print(f"golden: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
