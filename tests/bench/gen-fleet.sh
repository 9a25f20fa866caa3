#!/usr/bin/env bash
# Makes a synthetic fleet for memtune fleet: OUT/hostNNNN/run-1/ holding
# a copy of the fixture run FIXTURE (meta.json, results.jsonl) with each
# measured value jittered by a factor 1 +- JITTER (default 0.03: 3%; per
# host and record), so that every host's figures differ a little.
# meta.json gets the host's name ("host" and, for even hosts, "label").
#
#   gen-fleet.sh FIXTURE OUT N [ODD [FACTOR [JITTER]]]
#
# ODD (a host index, -1 for none) makes that host odd: its 4 KiB-page TLB
# latencies are multiplied by FACTOR (default 3), as on a host whose page
# walks are much slower. The one generator of jittered run directories:
# bench-fleet.sh and bench-analyzer.sh use it too.
set -eu
src=${1:?usage: gen-fleet.sh FIXTURE OUT N [ODD [FACTOR [JITTER]]]}
out=${2:?}; n=${3:?}; odd=${4:--1}; factor=${5:-3}; jitter=${6:-0.03}
python3 - "$src" "$out" "$n" "$odd" "$factor" "$jitter" <<'PY'
import json, os, random, sys
src, out, n, odd, factor, jitter = sys.argv[1], sys.argv[2], \
    int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), \
    float(sys.argv[6])
recs = [json.loads(l) for l in open(src + '/results.jsonl') if l.strip()]
meta = json.load(open(src + '/meta.json'))
rng = random.Random(17)
for i in range(n):
    name = 'host%04d' % i
    d = '%s/%s/run-1' % (out, name)
    os.makedirs(d)
    m = dict(meta)
    m['host'] = name
    if i % 2 == 0:
        m['label'] = name
    json.dump(m, open(d + '/meta.json', 'w'))
    with open(d + '/results.jsonl', 'w') as f:
        for r in recs:
            r = dict(r)
            if 'value' in r:
                j = 1 + rng.uniform(-jitter, jitter)
                if i == odd and r.get('bench') == 'tlb' and \
                        r.get('case', {}).get('backing') == '4k':
                    j *= factor
                for k in ('value', 'min', 'max', 'mean', 'ci95_lo',
                          'ci95_hi'):
                    if isinstance(r.get(k), (int, float)):
                        r[k] = r[k] * j
                if 'samples' in r:
                    r['samples'] = [s * j for s in r['samples']]
            f.write(json.dumps(r) + '\n')
PY
