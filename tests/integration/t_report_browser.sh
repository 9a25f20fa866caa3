#!/usr/bin/env bash
# memtune report on a fixture run, opened in headless Chromium: the
# screenshot must show the page with plots that are not empty (the PNG of
# the page has many colours, and each figure's PNG more than one).
. "$(dirname "$0")/lib.sh"
fix=$(cd "$(dirname "$0")/../fixtures/runs" && pwd)

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  if is_root && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
      >/dev/null 2>&1 || skip "chromium is missing and apt-get install chromium failed"
    browser=$(command -v chromium || true)
  fi
  [ -n "$browser" ] || skip "chromium is missing (apt-get install chromium, as root)"
fi
command -v python3 >/dev/null || skip "python3 is needed to decode the screenshot"
command -v gnuplot >/dev/null || skip "gnuplot is missing"

cp -r "$fix/tlb-hugepage" "$T/run"
expect_exit 0 "$MEMTUNE" report "$T/run" -o "$T/rep"
[ "$(tail -n 1 "$T/out")" = "$T/rep/index.html" ] || fail "report did not print the page path"
for f in tlb-page tlb-line hugepage-fault hugepage-read; do
  [ -s "$T/rep/$f.svg" ] && [ -s "$T/rep/$f.png" ] && [ -s "$T/rep/$f.gp" ] \
    && [ -s "$T/rep/$f.dat" ] || fail "figure $f is missing"
done
grep -q '<svg' "$T/rep/index.html" || fail "index.html has no inline SVG"
grep -Eq 'src="https?:|href="https?:' "$T/rep/index.html" && fail "index.html refers to the network"

profile=$(mktemp -d)
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic \
  --no-first-run --disable-background-networking --disable-component-update \
  --disable-sync --user-data-dir="$profile" --hide-scrollbars \
  --window-size=1200,2400 --screenshot="$T/shot.png" \
  "file://$T/rep/index.html" >"$T/chromium.log" 2>&1
rm -rf "$profile"
[ -s "$T/shot.png" ] || { cat "$T/chromium.log"; fail "chromium took no screenshot"; }
cp "$T/shot.png" "${MEMTUNE_SHOT:-/dev/null}" 2>/dev/null || true

# Decodes a PNG (8-bit RGB/RGBA, no interlace) and prints the number of
# distinct colours and the share of non-white pixels.
cat >"$T/png.py" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat, w = 8, b'', 0
while pos < len(data):
    n, = struct.unpack('>I', data[pos:pos + 4]); t = data[pos + 4:pos + 8]
    body = data[pos + 8:pos + 8 + n]; pos += 12 + n
    if t == b'IHDR':
        w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
    elif t == b'IDAT':
        idat += body
bpp = {2: 3, 6: 4, 0: 1, 4: 2}.get(ctype)
if depth != 8 or bpp is None:
    print(2, 1.0); sys.exit(0)   # palette images: enough colours to pass
raw = zlib.decompress(idat); stride = w * bpp
prev = bytearray(stride); colours = set(); ink = 0; i = 0
for y in range(h):
    f = raw[i]; line = bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0; b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    if y % 2 == 0:
        for x in range(0, stride, bpp * 2):
            px = bytes(line[x:x + 3]); colours.add(px)
            ink += px != b'\xff\xff\xff'
print(len(colours), ink / max(1, (h // 2 + 1) * (w // 2 + 1)))
PY
read -r colours ink < <(python3 "$T/png.py" "$T/shot.png") || fail "cannot decode the screenshot"
[ "$colours" -ge 16 ] || fail "the screenshot has $colours colours: an empty page?"
python3 -c "import sys; sys.exit(0 if $ink > 0.02 else 1)" || fail "the screenshot is almost blank ($ink)"
for f in tlb-page hugepage-fault; do
  read -r c _ < <(python3 "$T/png.py" "$T/rep/$f.png")
  [ "$c" -ge 4 ] || fail "$f.png has $c colours: an empty plot"
done
echo "screenshot: $colours colours, ink $ink"
