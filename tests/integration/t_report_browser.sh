#!/usr/bin/env bash
# memtune report on a fixture run, opened in headless Chromium: the
# screenshot must show the page with plots that are not empty (the PNG of
# the page has many colours, and each figure's PNG more than one), and the
# report must lead with its summary: the DOM Chromium builds has the
# summary as its first section, right after the title, holding the
# headline figures, the advice and the machine, and a screenshot of the
# top of the page is mostly the summary's tinted box.
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
# Advice in the run directory, as a user would have it (advise reads the
# live system; it changes nothing).
"$MEMTUNE" advise "$T/run" >"$T/advise.out" 2>&1 || { cat "$T/advise.out"; fail "advise failed"; }
expect_exit 0 "$MEMTUNE" report "$T/run" -o "$T/rep"
[ "$(tail -n 1 "$T/out")" = "$T/rep/index.html" ] || fail "report did not print the page path"
for f in tlb-page tlb-line hugepage-fault hugepage-read; do
  [ -s "$T/rep/$f.svg" ] && [ -s "$T/rep/$f.png" ] && [ -s "$T/rep/$f.gp" ] \
    && [ -s "$T/rep/$f.dat" ] || fail "figure $f is missing"
done
grep -q '<svg' "$T/rep/index.html" || fail "index.html has no inline SVG"
grep -Eq 'src="https?:|href="https?:' "$T/rep/index.html" && fail "index.html refers to the network"

# Runs headless Chromium on the report with the extra arguments given.
chromium_on_report() {
  local profile rc
  profile=$(mktemp -d)
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --disable-background-networking --disable-component-update \
    --disable-sync --user-data-dir="$profile" --hide-scrollbars \
    "$@" "file://$T/rep/index.html" 2>>"$T/chromium.log"
  rc=$?
  rm -rf "$profile"
  return $rc
}
chromium_on_report --window-size=1200,2400 --screenshot="$T/shot.png" >>"$T/chromium.log"
[ -s "$T/shot.png" ] || { cat "$T/chromium.log"; fail "chromium took no screenshot"; }
cp "$T/shot.png" "${MEMTUNE_SHOT:-/dev/null}" 2>/dev/null || true
chromium_on_report --window-size=1200,800 --screenshot="$T/top.png" >>"$T/chromium.log"
[ -s "$T/top.png" ] || { cat "$T/chromium.log"; fail "chromium took no screenshot of the top"; }
cp "$T/top.png" "${MEMTUNE_SHOT_TOP:-/dev/null}" 2>/dev/null || true
chromium_on_report --dump-dom >"$T/dom.html"
[ -s "$T/dom.html" ] || { cat "$T/chromium.log"; fail "chromium dumped no DOM"; }

# The DOM as Chromium built it: the body's first elements are the title
# and the summary section (a gnuplot warning may stand between them), and
# the summary holds a headline with an interval, the advice and the
# machine, with no number written as an exponent.
cat >"$T/dom.py" <<'PY'
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.depth = 0; self.body = None; self.top = []
        self.summary = None; self.text = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'body': self.body = self.depth + 1
        elif self.body is not None and self.depth == self.body:
            self.top.append((tag, a.get('id'), a.get('class')))
        if tag == 'section' and a.get('id') == 'summary' and self.summary is None:
            self.summary = self.depth
        if tag not in ('br', 'meta', 'img', 'input', 'hr'): self.depth += 1
    def handle_endtag(self, tag):
        if tag in ('br', 'meta', 'img', 'input', 'hr'): return
        self.depth -= 1
        if self.summary is not None and self.depth == self.summary and tag == 'section':
            self.summary = -1
    def handle_data(self, d):
        if self.summary is not None and self.summary >= 0: self.text.append(d)
p = P(); p.feed(open(sys.argv[1], encoding='utf-8').read())
top = [t for t in p.top if not (t[0] == 'p' and t[2] == 'warn')]
assert top[:2] == [('h1', None, None), ('section', 'summary', None)], 'body starts %r' % (p.top[:3],)
text = ' '.join(p.text)
for want in ('Headline figures', 'Advice', 'Machine', 'CPU', 'THP', 'NUMA nodes', ' to ', 'n='):
    assert want in text, 'the summary lacks %r' % want
assert 'e+0' not in text and 'e-0' not in text, 'an exponent in the summary'
print(' '.join(text.split())[:600])
PY
python3 "$T/dom.py" "$T/dom.html" >"$T/summary.txt" 2>&1 || { cat "$T/summary.txt"; fail "the summary does not lead the page"; }

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
read -r colours ink < <(python3 "$T/png.py" "$T/top.png") || fail "cannot decode the screenshot of the top"
[ "$colours" -ge 16 ] || fail "the top of the page has $colours colours: blank?"
python3 -c "import sys; sys.exit(0 if $ink > 0.3 else 1)" || fail "the top of the page is mostly white ($ink): the summary's box is not there"
read -r colours ink < <(python3 "$T/png.py" "$T/shot.png") || fail "cannot decode the screenshot"
[ "$colours" -ge 16 ] || fail "the screenshot has $colours colours: an empty page?"
python3 -c "import sys; sys.exit(0 if $ink > 0.02 else 1)" || fail "the screenshot is almost blank ($ink)"
for f in tlb-page hugepage-fault; do
  read -r c _ < <(python3 "$T/png.py" "$T/rep/$f.png")
  [ "$c" -ge 4 ] || fail "$f.png has $c colours: an empty plot"
done
echo "screenshot: $colours colours, ink $ink"
echo "summary: $(cat "$T/summary.txt")"
