#!/usr/bin/env bash
# make bench-analyzer: 1,000 run directories made from a fixture run with
# values jittered by up to +-10%, then `memtune analyze` and `memtune
# report` over all of them, timed. Usage: bench-analyzer.sh MEMTUNE [N]
set -eu
memtune=${1:?usage: bench-analyzer.sh MEMTUNE [N]}; n=${2:-1000}
src=$(cd "$(dirname "$0")/../fixtures/runs/tlb-hugepage" && pwd)
T=$(mktemp -d /var/tmp/memtune-bench.XXXXXX); trap 'rm -rf "$T"' EXIT
python3 - "$src" "$T" "$n" <<'PY'
import json, os, random, sys
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
recs = [json.loads(l) for l in open(src + '/results.jsonl') if l.strip()]
meta = json.load(open(src + '/meta.json'))
rng = random.Random(1)
for i in range(n):
    d = '%s/run-%04d' % (out, i); os.makedirs(d)
    meta['host'] = 'host%03d' % (i % 250); meta['start'] = '2026-11-%02dT00:00:%02dZ' % (1 + i % 28, i % 60)
    json.dump(meta, open(d + '/meta.json', 'w'))
    with open(d + '/results.jsonl', 'w') as f:
        for r in recs:
            r = dict(r)
            if 'value' in r:
                j = 1 + rng.uniform(-0.1, 0.1)
                for k in ('value', 'min', 'max', 'mean', 'ci95_lo', 'ci95_hi'):
                    r[k] = r[k] * j
                r['samples'] = [s * j for s in r.get('samples', [])]
            f.write(json.dumps(r) + '\n')
PY
t0=$(date +%s.%N)
"$memtune" analyze "$T"/run-* >/dev/null
t1=$(date +%s.%N)
"$memtune" report "$T"/run-* -o "$T/report" >/dev/null
t2=$(date +%s.%N)
awk -v n="$n" -v a="$(echo "$t1 - $t0" | bc)" -v r="$(echo "$t2 - $t1" | bc)" \
  'BEGIN { printf "bench-analyzer: %d run directories: analyze %.2f s, report %.2f s\n", n, a, r }'
