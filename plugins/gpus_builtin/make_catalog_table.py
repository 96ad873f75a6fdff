#!/usr/bin/env python3
"""Turns presets/gpus/builtin.csv into a C++ table of catalog rows (run by CMake at build time).

Usage: make_catalog_table.py CSV OUT.cpp

The CSV stays the single source of truth (with each row's source and licence); the plugin serves
the table without parsing anything at start-up. The CSV is read exactly as the framework's
parse_gpu_csv reads it (same line and cell splitting, same skipped rows), so the catalog's content
and order do not change; the plugin's unit test compares the two field by field. Numbers are
copied as C++ literals of the same decimal text (the compiler rounds them as strtod does) and must
be plain non-negative decimals; anything else stops the build with the row's line.
"""
import re
import sys

COLUMNS = ['name', 'vendor', 'kind', 'memory_gib', 'usable_gib', 'devices', 'bandwidth_gbs',
           'bf16_tflops', 'fp8_tflops', 'tdp_w', 'release_year', 'price_usd', 'price_kind',
           'source', 'licence', 'aliases', 'notes']
NUMBER = re.compile(r'^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$')


def split_lines(text):
    """Lines of the catalog; newlines inside quoted cells belong to the cell (as parse_gpu_csv)."""
    lines, start, quoted = [], 0, False
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        if ch == '\n' and not quoted:
            lines.append(text[start:i])
            start = i + 1
    if start < len(text):
        lines.append(text[start:])
    return lines


def split_cells(line):
    """Cells of one line, as the framework's split_csv_line (quotes toggle, "" is a quote, CR dropped)."""
    out, cur, quoted, i = [], [], False, 0
    while i < len(line):
        k = i
        if quoted:
            while k < len(line) and line[k] != '"':
                k += 1
        else:
            while k < len(line) and line[k] not in ',"\r':
                k += 1
        cur.append(line[i:k])
        if k == len(line):
            break
        if quoted:
            if k + 1 < len(line) and line[k + 1] == '"':
                cur.append('"')
                k += 1
            else:
                quoted = False
        elif line[k] == '"':
            quoted = True
        elif line[k] == ',':
            out.append(''.join(cur))
            cur = []
        i = k + 1
    out.append(''.join(cur))
    return out


class Text:
    """All strings of the table in one char array, each cell an (offset, size) pair: the table holds
    no pointers, so loading the plugin relocates nothing in it and it stays in read-only pages."""

    def __init__(self):
        self.data = bytearray()
        self.lines = []

    def add(self, s, where):
        b = s.encode('utf-8')
        if 0 in b:
            sys.exit(f'{where}: a cell holds a NUL character')
        offset = len(self.data)
        self.data += b
        return '{%d, %d}' % (offset, len(b))

    def end_row(self, start):
        if len(self.data) > start:
            self.lines.append('    ' + c_literal(self.data[start:]))


def c_literal(b):
    """A C++ string literal of bytes b (octal escapes: never run into the next character)."""
    out = []
    for c in b:
        if c in (0x22, 0x5c):
            out.append('\\' + chr(c))
        elif 0x20 <= c < 0x7f and c != 0x3f:  # '?' escaped: no trigraphs
            out.append(chr(c))
        else:
            out.append('\\%03o' % c)
    return '"' + ''.join(out) + '"'


def c_number(text, where):
    """A double literal of the cell's decimal text; empty is 0 (as parse_gpu_csv)."""
    if text == '':
        return '0.0'
    if not NUMBER.match(text):
        sys.exit(f"{where}: '{text}' is not a plain non-negative decimal number")
    return text if ('.' in text or 'e' in text or 'E' in text) else text + '.0'


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: make_catalog_table.py CSV OUT.cpp')
    csv_path, out_path = sys.argv[1], sys.argv[2]
    with open(csv_path, 'rb') as f:
        text = f.read().decode('utf-8')
    lines = split_lines(text)
    if not lines:
        sys.exit(f'{csv_path}: empty GPU catalog; expected a CSV header')
    header = split_cells(lines[0])
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        sys.exit(f'{csv_path}:1: missing column(s) {", ".join(missing)}')
    col = {c: header.index(c) for c in COLUMNS}
    rows, text = [], Text()
    for line_no, line in enumerate(lines[1:], start=2):
        if line in ('', '\r'):
            continue
        cells = split_cells(line)
        where = f'{csv_path}:{line_no}'

        def cell(c):
            i = col[c]
            return cells[i] if i < len(cells) else ''
        if cell('name') == '':
            continue
        gib = c_number(cell('memory_gib'), where)
        if float(gib) <= 0:
            continue  # boards without memory data cannot be fitted
        devices = cell('devices')
        if devices != '' and (not re.fullmatch(r'[0-9]+', devices) or int(devices) < 1):
            sys.exit(f"{where}: devices: '{devices}' is not allowed; allowed: a positive integer")
        start = len(text.data)
        s = lambda c: text.add(cell(c), where)
        n = lambda c: c_number(cell(c), where)
        rows.append('    {' + ', '.join([
            s('name'), s('vendor'), s('kind'), gib, n('usable_gib'), n('bandwidth_gbs'),
            n('bf16_tflops'), n('fp8_tflops'), n('tdp_w'), n('price_usd'), s('price_kind'),
            s('source'), s('licence'), s('aliases'), str(int(devices) if devices else 1),
            s('notes')]) + '},')
        text.end_row(start)
    body = '\n'.join(rows)
    if len(text.data) >= 2**32:
        sys.exit(f'{csv_path}: catalog text too large for 32-bit offsets')
    code = f'''// catalog_table.cpp - generated from presets/gpus/builtin.csv by
// plugins/gpus_builtin/make_catalog_table.py at build time; do not edit.
#include "catalog_data.hpp"

namespace vram::plugins {{

// The cells' text, one literal per row (one literal in all: clang warns it is longer than the
// 65,536 characters the standard promises; GCC and clang accept it).
const char kBuiltinCatalogText[] =
{chr(10).join(text.lines)};

const CatalogRow kBuiltinCatalog[] = {{
{body}
}};
const std::size_t kBuiltinCatalogSize = {len(rows)};

}}  // namespace vram::plugins
'''
    try:
        with open(out_path, encoding='utf-8') as f:
            if f.read() == code:
                return  # unchanged: nothing to recompile
    except OSError:
        pass
    with open(out_path, 'w', encoding='utf-8') as f:
        f.write(code)


if __name__ == '__main__':
    main()
