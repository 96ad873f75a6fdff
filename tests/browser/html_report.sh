#!/usr/bin/env bash
# html_report.sh VRAM SOURCE_DIR OUT_DIR - renders the HTML reports in headless Chromium:
# `vram run` of every scenario preset and `vram compare` of all of them. For each page it checks
# that the charts are in the rendered DOM (SVG bar segments, donut, capacity marker), that the
# inline script ran to the end, and that the console stayed silent (no error, no "Uncaught").
# It first proves on a broken page that console errors are caught, so a silent log means
# something. Screenshots (desktop, phone, dark) are left in OUT_DIR.
set -uo pipefail
vram=$1 src=$2 out=$3
fail() { echo "FAIL: $*" >&2; exit 1; }

browser=""
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" > /dev/null 2>&1; then browser=$(command -v "$b"); break; fi
done
if [[ -z $browser ]]; then
  echo "SKIP: no chromium found (install the Debian package 'chromium'); the HTML report was not rendered"
  exit 77
fi
rm -rf "$out" && mkdir -p "$out"
profiles=$(mktemp -d) || fail "mktemp"
trap 'rm -rf "$profiles"' EXIT

# render URL DOM LOG [extra flags...]: one headless run with a fresh profile and no network use.
render() {
  local url=$1 dom=$2 log=$3; shift 3
  local profile
  profile=$(mktemp -d -p "$profiles") || fail "mktemp"
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --disable-extensions \
    --user-data-dir="$profile" --enable-logging=stderr --v=0 "$@" "$url" > "$dom" 2> "$log"
}

console_errors() { grep -E 'CONSOLE|Uncaught|Refused to|net::ERR' "$1"; }

# 1. The console capture works: a page with an error must be caught.
printf '<!DOCTYPE html><html><body><script>console.error("probe"); notDefined();</script></body></html>\n' > "$out/probe.html"
render "file://$out/probe.html" "$out/probe.dom" "$out/probe.log" --dump-dom
grep -q 'Uncaught' "$out/probe.log" || fail "console errors are not captured by '$browser --enable-logging=stderr' (see $out/probe.log)"

# 2. The reports.
check_page() {
  local name=$1 html=$2
  render "file://$html" "$out/$name.dom" "$out/$name.log" --dump-dom
  [[ -s $out/$name.dom ]] || fail "$name: chromium produced no DOM (see $out/$name.log)"
  if console_errors "$out/$name.log"; then fail "$name: console messages while rendering $html"; fi
  local svgs bars donuts caps
  svgs=$(grep -o '<svg' "$out/$name.dom" | wc -l)
  bars=$(grep -o '<rect class="seg' "$out/$name.dom" | wc -l)
  donuts=$(grep -o '<circle class="seg' "$out/$name.dom" | wc -l)
  caps=$(grep -o '<line class="cap"' "$out/$name.dom" | wc -l)
  (( svgs >= 2 )) || fail "$name: expected the bar and donut SVGs in the DOM, found $svgs <svg>"
  (( bars >= 1 )) || fail "$name: no stacked-bar segments in the DOM"
  (( donuts >= 1 )) || fail "$name: no donut segments in the DOM"
  grep -q 'data-ready="[1-9]' "$out/$name.dom" || fail "$name: the inline script did not run to the end"
  echo "ok: $name: $svgs svg, $bars bar segments, $donuts donut segments, $caps capacity markers, console silent"
}

presets=("$src"/presets/scenarios/*.yaml)
(( ${#presets[@]} > 0 )) || fail "no scenario presets in $src/presets/scenarios"
for preset in "${presets[@]}"; do
  name=$(basename "$preset" .yaml)
  "$vram" run "$preset" --format html --output "$out/$name.html" 2> "$out/$name.err" ||
    fail "$name: vram run failed: $(cat "$out/$name.err")"
  check_page "$name" "$out/$name.html"
done
compare_args=("${presets[@]}")
(( ${#compare_args[@]} >= 2 )) || compare_args+=("${presets[0]}")
"$vram" compare "${compare_args[@]}" --format html --output "$out/compare.html" 2> "$out/compare.err" ||
  fail "compare failed: $(cat "$out/compare.err")"
check_page compare "$out/compare.html"

# 3. Screenshots: desktop, a phone-sized window, and the dark scheme.
first=$(basename "${presets[0]}" .yaml)
render "file://$out/$first.html" /dev/null "$out/shot.log" --window-size=1000,1400 --screenshot="$out/report.png"
render "file://$out/$first.html" /dev/null "$out/shot-phone.log" --window-size=390,1600 --screenshot="$out/report-phone.png"
render "file://$out/$first.html" /dev/null "$out/shot-dark.log" --window-size=1000,1400 --force-dark-mode \
  --blink-settings=preferredColorScheme=0 --screenshot="$out/report-dark.png"
render "file://$out/compare.html" /dev/null "$out/shot-compare.log" --window-size=1000,1400 --screenshot="$out/compare.png"
for shot in report report-phone report-dark compare; do
  [[ -s $out/$shot.png ]] || fail "no screenshot $out/$shot.png (see $out/shot*.log)"
  if console_errors "$out/shot.log"; then fail "console messages while taking screenshots"; fi
done
echo "ok: screenshots in $out"
