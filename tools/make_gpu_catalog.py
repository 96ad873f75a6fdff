#!/usr/bin/env python3
"""Builds presets/gpus/builtin.csv from ../shared/data/gpus/ (run by hand when the sources change).

Usable memory: what one process can allocate (cudaMemGetInfo total), below the marketed size.
Measured anchors: H100 SXM 80GB 79.18 GiB (llm-d empirical vLLM results), 79.22 GiB (vLLM PR #10511);
A100 40GB 39.50 GiB (vLLM issue #12330). Elsewhere 99 % of the marketed GiB for discrete GPUs and
75 % of unified memory for Apple silicon (macOS wires at most ~75 % for the GPU by default).
"""
import csv, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, '..', '..', 'shared', 'data', 'gpus')
OUT = os.path.join(HERE, '..', 'presets', 'gpus', 'builtin.csv')

USABLE_OVERRIDES = {  # name substring -> usable GiB measured by a process
    'H100 SXM5 80GB': 79.18,
    'A100 SXM4 40GB': 39.50,
    'A100 PCIe 40GB': 39.50,
}

def usable(name, vendor, gib):
    for key, val in USABLE_OVERRIDES.items():
        if key in name:
            return val
    if vendor == 'Apple':
        return round(gib * 0.75, 2)
    return round(gib * 0.99, 2)

def kind_of(row):
    ff = (row.get('form_factor') or '').lower()
    name = row['name']
    if row['vendor'] == 'Apple':
        return 'apple'
    if 'geforce' in name.lower() or 'rtx 4090' in name.lower() or 'rtx 3090' in name.lower() or 'rtx 5090' in name.lower():
        return 'consumer'
    if 'rtx a6000' in name.lower() or '6000 ada' in name.lower() or 'workstation' in ff:
        return 'workstation'
    return 'datacenter'

def main():
    rows = []
    with open(os.path.join(SHARED, 'datacenter.csv')) as f:
        for r in csv.DictReader(f):
            gib = float(r['memory_gib'])
            rows.append({
                'name': r['name'], 'vendor': r['vendor'], 'kind': kind_of(r),
                'memory_gib': r['memory_gib'], 'usable_gib': usable(r['name'], r['vendor'], gib),
                'bandwidth_gbs': r['bandwidth_gbs'],
                'bf16_tflops': r['bf16_dense_tflops'] or r['fp16_dense_tflops'],
                'fp8_tflops': r['fp8_dense_tflops'], 'tdp_w': r['tdp_w'],
                'price_usd': r['price_usd'], 'price_kind': r['price_type'],
                'source': r['source'], 'licence': 'vram project datasheet compilation (shared/data/gpus/datacenter.csv)',
                'aliases': '',
            })
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    print(f'{len(rows)} GPUs -> {OUT}', file=sys.stderr)

if __name__ == '__main__':
    main()
