/* Analysis of the numa benchmark: the node-by-node latency and bandwidth
 * matrices (rows: the CPU's node, columns: the memory's node), the
 * remote/local ratios, interleaved against local and remote placement, and
 * the zone_reclaim_mode finding (mode 0 against the first mode that
 * reclaims: where the new pages landed, how much page cache node 0 lost,
 * the allocation time and the access latency afterwards).
 *
 * On one node the matrices are 1x1 and the remote cases were skipped: the
 * derived figures say so and no ratio is made up.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/json_safe.h"
#include "../core/stats.h"
#include "../core/units.h"
#include "analysis.h"
#include "facts.h"

#define MAX_NODES 64

/* The ok numa record of metric whose case has op and the integer pair
 * (k1, v1), or NULL. */
static json_t *find_int(const struct mt_run *run, const char *metric,
			const char *op, const char *k1, double v1)
{
	json_t *r;
	size_t i;

	json_array_foreach(run->records, i, r) {
		const char *o = mt_rec_case_str(r, "op");

		if (mt_rec_ok(r) && !strcmp(mt_rec_bench(r), "numa") &&
		    !strcmp(mt_rec_metric(r), metric) && o && !strcmp(o, op) &&
		    mt_rec_case_num(r, k1) == v1)
			return r;
	}
	return NULL;
}

/* Adds v to the sorted node list (no duplicates). A value that is not a
 * node number an int holds (a record edited or damaged) is ignored. */
static void add_node(int *nodes, size_t *n, double v)
{
	size_t j;

	if (!isfinite(v) || v < 0 || v > INT_MAX || *n == MAX_NODES)
		return;
	for (j = 0; j < *n; j++)
		if (nodes[j] == (int)v)
			return;
	for (j = *n; j > 0 && nodes[j - 1] > (int)v; j--)
		nodes[j] = nodes[j - 1];
	nodes[j] = (int)v;
	(*n)++;
}

/* The matrix of op/metric over nodes: an array of rows (CPU node) of
 * values (memory node), null where nothing was measured. Fills the ratios
 * remote/local: the median and the worst over every remote pair, each
 * pair against its own row's local value. */
static json_t *matrix(const struct mt_run *run, const char *op,
		      const char *metric, const int *nodes, size_t n,
		      bool higher_better, json_t **ratio)
{
	double ratios[MAX_NODES * 4], worst = NAN;
	json_t *m = json_array();
	size_t nr = 0, cells = 0;

	*ratio = NULL;
	for (size_t i = 0; i < n; i++) {
		json_t *row = json_array();
		double local = NAN;

		for (size_t j = 0; j < n; j++) {
			json_t *r, *v;
			size_t k;
			double val = NAN;

			json_array_foreach(run->records, k, r) {
				const char *o = mt_rec_case_str(r, "op");

				if (mt_rec_ok(r) &&
				    !strcmp(mt_rec_bench(r), "numa") &&
				    !strcmp(mt_rec_metric(r), metric) && o &&
				    !strcmp(o, op) &&
				    mt_rec_case_num(r, "cpu_node") ==
					    nodes[i] &&
				    mt_rec_case_num(r, "mem_node") ==
					    nodes[j]) {
					val = mt_rec_value(r);
					break;
				}
			}
			v = mt_jreal(val);
			cells += isfinite(val);
			json_array_append_new(row, v);
			if (i == j)
				local = val;
		}
		for (size_t j = 0; j < n && local > 0; j++) {
			double val = json_number_value(json_array_get(row, j));
			double q;

			if (i == j || !json_is_number(json_array_get(row, j)) ||
			    nr == sizeof(ratios) / sizeof(ratios[0]))
				continue;
			q = val / local;
			ratios[nr++] = q;
			if (isnan(worst) ||
			    (higher_better ? q < worst : q > worst))
				worst = q;
		}
		json_array_append_new(m, row);
	}
	if (!cells) {
		json_decref(m);
		return NULL;
	}
	if (nr)
		*ratio = json_pack("{s:o, s:o, s:i}", "median",
				   mt_jreal(mt_median(ratios, nr)), "worst",
				   mt_jreal(worst), "pairs", (int)nr);
	return m;
}

/* The zone_reclaim figures of one mode, or NULL when it did not run. */
static json_t *zr_mode(const struct mt_run *run, double mode)
{
	json_t *a = find_int(run, "alloc_ms", "zone_reclaim",
			     "zone_reclaim_mode", mode);
	json_t *l = find_int(run, "local_fraction", "zone_reclaim",
			     "zone_reclaim_mode", mode);
	json_t *f = find_int(run, "file_reclaimed", "zone_reclaim",
			     "zone_reclaim_mode", mode);
	json_t *t = find_int(run, "latency_after", "zone_reclaim",
			     "zone_reclaim_mode", mode);
	json_t *any = a ? a : l ? l : f ? f : t;
	double before, after;

	if (!any)
		return NULL;
	before = mt_rec_obtained_num(any, "file_pages_before");
	after = mt_rec_obtained_num(any, "file_pages_after");
	return json_pack("{s:i, s:o, s:o, s:o, s:o, s:o}", "zone_reclaim_mode",
			 (int)mode, "alloc_ms", mt_jreal(mt_rec_value(a)),
			 "local_fraction", mt_jreal(mt_rec_value(l)),
			 "file_reclaimed_bytes", mt_jreal(mt_rec_value(f)),
			 "latency_after_ns", mt_jreal(mt_rec_value(t)),
			 "page_cache_kept_fraction",
			 mt_jreal(before > 0 ? after / before : NAN));
}

/* The zone_reclaim finding: mode 0 against the first mode with the
 * reclaim bit (1) that ran. Locality won when the reclaiming mode put at
 * least 20 points more of the new pages on the local node and made the
 * accesses afterwards at least 10% faster; otherwise the page cache it
 * threw away bought nothing and the cache won. */
static json_t *zr_finding(json_t *modes, json_t *lr)
{
	double mr = mt_jnum(lr, "median");
	json_t *m0 = NULL, *m1 = NULL, *m;
	double l0, l1, t0, t1, a0, a1, fr;
	const char *verdict;
	char s[900], fb[32];
	size_t i;

	json_array_foreach(modes, i, m) {
		int z = (int)json_integer_value(
			json_object_get(m, "zone_reclaim_mode"));

		if (z == 0 && !m0)
			m0 = m;
		else if ((z & 1) && !m1)
			m1 = m;
	}
	if (!m0 || !m1)
		return json_pack("{s:s, s:s}", "verdict", "incomplete",
				 "sentence",
				 "zone_reclaim_mode 0 and a "
				 "reclaiming mode (1) did not both run, so "
				 "there is nothing to compare.");
	l0 = mt_jnum(m0, "local_fraction");
	l1 = mt_jnum(m1, "local_fraction");
	t0 = mt_jnum(m0, "latency_after_ns");
	t1 = mt_jnum(m1, "latency_after_ns");
	a0 = mt_jnum(m0, "alloc_ms");
	a1 = mt_jnum(m1, "alloc_ms");
	fr = mt_jnum(m1, "file_reclaimed_bytes");
	mt_format_bytes(fr > 0 ? fr : 0, fb, sizeof(fb));
	/* Faster accesses after the allocation count as locality only
	 * where the latency matrix shows remote memory slower (by 30%, well
	 * beyond this benchmark's run-to-run spread): on an emulated or
	 * uniform machine they are noise. */
	if (l1 - l0 >= 0.2 && t1 < 0.9 * t0 && !(mr < 1.3))
		verdict = "locality";
	else
		verdict = "cache";
	snprintf(
		s, sizeof(s),
		"With zone_reclaim_mode=%d %.0f%% of the new pages were "
		"local (%.0f%% with 0), the allocation took %.0f ms (%.0f "
		"ms with 0) and an access afterwards %.0f ns (%.0f ns with "
		"0), at the price of %s of node %s page cache reclaimed. "
		"%s",
		(int)json_integer_value(json_object_get(m1,
							"zone_reclaim_mode")),
		100 * l1, 100 * l0, a1, a0, t1, t0, fb, "0's",
		!strcmp(verdict, "locality") ?
			"Locality won: a workload that fills its node with page "
			"cache it can afford to lose gains from mode 1." :
		mr < 1.3 ?
			"But the latency matrix measured remote memory "
			"at less than 1.3x local, so the faster accesses are noise, "
			"not locality: the page cache won; leave zone_reclaim_mode "
			"at 0." :
			"The page cache won: reclaiming it did not buy locality "
			"worth having, so leave zone_reclaim_mode at 0.");
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "verdict", verdict,
			 "sentence", s, "local_fraction_gain",
			 mt_jreal(l1 - l0), "latency_after_ratio",
			 mt_jreal(t0 > 0 ? t1 / t0 : NAN), "alloc_ms_ratio",
			 mt_jreal(a0 > 0 ? a1 / a0 : NAN),
			 "file_reclaimed_bytes", mt_jreal(fr));
}

/* The facts the zone_reclaim advice rests on (facts.h): the median
 * remote/local latency over every remote pair, and the zone_reclaim
 * finding's figures and verdict. Single measurements: no intervals. */
static int numa_facts(json_t *out)
{
	json_t *lr = json_object_get(out, "remote_local_latency");
	json_t *f = json_object_get(out, "zone_reclaim_finding");
	const char *v = json_string_value(json_object_get(f, "verdict"));
	int rc = 0,
	    pairs = (int)json_integer_value(json_object_get(lr, "pairs"));

	if (isfinite(mt_jnum(lr, "median")))
		rc = mt_fact_add(out, "numa.remote_latency_ratio",
				 mt_jnum(lr, "median"), NAN, NAN, "ratio",
				 pairs,
				 "remote over local chase latency, median "
				 "over every remote pair");
	if (rc == -ENOMEM || !v || !strcmp(v, "incomplete"))
		return rc == -ENOMEM ? rc : 0;
	if (mt_fact_add(out, "numa.zr_local_fraction_gain",
			mt_jnum(f, "local_fraction_gain"), NAN, NAN, "fraction",
			1,
			"share of new pages kept on the allocating node "
			"with zone_reclaim_mode 1, minus with 0") == -ENOMEM ||
	    mt_fact_add(out, "numa.zr_latency_after_ratio",
			mt_jnum(f, "latency_after_ratio"), NAN, NAN, "ratio", 1,
			"access latency after the allocation, mode 1 over "
			"mode 0") == -ENOMEM ||
	    mt_fact_add(out, "numa.zr_file_reclaimed",
			mt_jnum(f, "file_reclaimed_bytes"), NAN, NAN, "bytes",
			1, "page cache reclaimed by zone_reclaim_mode 1") ==
		    -ENOMEM ||
	    mt_fact_add(out, "numa.zr_locality_won",
			!strcmp(v, "locality") ? 1 : 0, NAN, NAN, "bool", 1,
			"1 when mode 1 kept 20 points more pages local and "
			"made later accesses 10% faster (the finding)") ==
		    -ENOMEM)
		return -ENOMEM;
	return 0;
}

/* Derives the numa figures of one run. */
/* The headline (facts.h) of a single node, which has no remote ratio:
 * its local load latency. */
static int numa_headline(const struct mt_run *run, json_t *out)
{
	json_t *r;
	size_t i;

	json_array_foreach(run->records, i, r) {
		const char *op = mt_rec_case_str(r, "op");

		if (mt_rec_ok(r) && !strcmp(mt_rec_bench(r), "numa") &&
		    !strcmp(mt_rec_metric(r), "latency") && op &&
		    !strcmp(op, "latency"))
			return mt_headline_set_record(
				out, "numa.local_latency", r, 1, "ns",
				"load latency of local memory (one NUMA "
				"node: nothing remote)");
	}
	return 0;
}

static json_t *numa_analyze(const struct mt_run *run, struct mt_err *err)
{
	int nodes[MAX_NODES];
	size_t n = 0, i;
	json_t *r, *out, *lat, *bw, *lr = NULL, *br = NULL, *modes, *pl;
	double local, remote, inter;

	json_array_foreach(run->records, i, r) {
		const char *op = mt_rec_case_str(r, "op");

		if (!mt_rec_ok(r) || strcmp(mt_rec_bench(r), "numa") || !op ||
		    (strcmp(op, "latency") && strcmp(op, "bandwidth")))
			continue;
		add_node(nodes, &n, mt_rec_case_num(r, "cpu_node"));
		add_node(nodes, &n, mt_rec_case_num(r, "mem_node"));
	}
	lat = matrix(run, "latency", "latency", nodes, n, false, &lr);
	bw = matrix(run, "bandwidth", "read_bw", nodes, n, true, &br);
	modes = json_array();
	for (int z = 0; z < 8; z++) {
		json_t *m = zr_mode(run, z);

		if (m)
			json_array_append_new(modes, m);
	}
	local = mt_rec_value(mt_run_find(run, "numa", "read_bw", "placement",
					 "local", NULL));
	remote = mt_rec_value(mt_run_find(run, "numa", "read_bw", "placement",
					  "remote", NULL));
	inter = mt_rec_value(mt_run_find(run, "numa", "read_bw", "placement",
					 "interleave", NULL));
	if (!lat && !bw && !json_array_size(modes) && !isfinite(local)) {
		json_decref(modes);
		json_decref(lr);
		json_decref(br);
		mt_err_set(err, -ENODATA, MT_ERR_INPUT,
			   "numa: no latency, bandwidth, placement or "
			   "zone_reclaim record with its case");
		return NULL;
	}
	pl = json_pack("{s:o, s:o, s:o, s:o, s:o}", "local_mb_s",
		       mt_jreal(local), "remote_mb_s", mt_jreal(remote),
		       "interleave_mb_s", mt_jreal(inter),
		       "interleave_vs_local",
		       mt_jreal(local > 0 ? inter / local : NAN),
		       "remote_vs_local",
		       mt_jreal(local > 0 ? remote / local : NAN));
	out = json_object();
	if (!out || !pl) {
		json_decref(out);
		json_decref(pl);
		json_decref(lat);
		json_decref(bw);
		json_decref(lr);
		json_decref(br);
		json_decref(modes);
		mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME, "numa: out of memory");
		return NULL;
	}
	{
		json_t *nl = json_array();

		for (i = 0; i < n; i++)
			json_array_append_new(nl, json_integer(nodes[i]));
		json_object_set_new(out, "nodes", nl);
	}
	json_object_set_new(out, "single_node", json_boolean(n < 2));
	json_object_set_new(out, "latency_ns", lat ? lat : json_null());
	json_object_set_new(out, "read_bw_mb_s", bw ? bw : json_null());
	json_object_set_new(out, "remote_local_latency", lr ? lr : json_null());
	json_object_set_new(out, "remote_local_bandwidth",
			    br ? br : json_null());
	json_object_set_new(out, "placement", pl);
	json_object_set_new(out, "zone_reclaim", modes);
	json_object_set_new(out, "zone_reclaim_finding",
			    json_array_size(modes) ? zr_finding(modes, lr) :
						     json_null());
	if (n < 2)
		json_object_set_new(
			out, "note",
			json_string(
				"1 NUMA node: nothing remote to measure; the 1x1 "
				"matrix is this machine's local latency and "
				"bandwidth"));
	if (numa_facts(out) == -ENOMEM ||
	    (n < 2 && numa_headline(run, out) == -ENOMEM)) {
		json_decref(out);
		mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME, "numa: out of memory");
		return NULL;
	}
	return out;
}

/* Prints one matrix as lines "  NAME cpu node I: v v v". */
static void print_matrix(FILE *out, json_t *d, const char *key,
			 const char *what, const char *fmt)
{
	json_t *m = json_object_get(d, key), *row, *v;
	size_t i, j;

	if (!json_is_array(m))
		return;
	json_array_foreach(m, i, row) {
		fprintf(out, "  %s from node %lld:", what,
			json_integer_value(json_array_get(
				json_object_get(d, "nodes"), i)));
		json_array_foreach(row, j, v) {
			if (json_is_number(v))
				fprintf(out, fmt, json_number_value(v));
			else
				fputs(" -", out);
		}
		fputc('\n', out);
	}
}

static void numa_print(FILE *out, json_t *d)
{
	json_t *pl = json_object_get(d, "placement");
	json_t *lr = json_object_get(d, "remote_local_latency");
	json_t *br = json_object_get(d, "remote_local_bandwidth");
	json_t *f = json_object_get(d, "zone_reclaim_finding");

	fprintf(out, "  nodes: %zu%s\n",
		json_array_size(json_object_get(d, "nodes")),
		json_is_true(json_object_get(d, "single_node")) ?
			" (nothing remote to measure)" :
			"");
	print_matrix(out, d, "latency_ns", "latency ns ", " %.1f");
	print_matrix(out, d, "read_bw_mb_s", "read MB/s  ", " %.0f");
	if (json_is_object(lr))
		fprintf(out, "  remote/local latency %.2fx (worst %.2fx)\n",
			mt_jnum(lr, "median"), mt_jnum(lr, "worst"));
	if (json_is_object(br))
		fprintf(out, "  remote/local bandwidth %.2fx (worst %.2fx)\n",
			mt_jnum(br, "median"), mt_jnum(br, "worst"));
	if (isfinite(mt_jnum(pl, "remote_mb_s")) ||
	    isfinite(mt_jnum(pl, "interleave_mb_s")))
		fprintf(out,
			"  placement read: local %.0f MB/s, remote %.0f "
			"MB/s, interleave %.0f MB/s (interleave/local %.2f)\n",
			mt_jnum(pl, "local_mb_s"), mt_jnum(pl, "remote_mb_s"),
			mt_jnum(pl, "interleave_mb_s"),
			mt_jnum(pl, "interleave_vs_local"));
	else if (isfinite(mt_jnum(pl, "local_mb_s")))
		fprintf(out,
			"  placement read: local %.0f MB/s (no other "
			"node to place memory on)\n",
			mt_jnum(pl, "local_mb_s"));
	if (json_is_object(f))
		fprintf(out, "  zone_reclaim: %s\n",
			json_string_value(json_object_get(f, "sentence")));
}

/* The run whose figures a plot shows: the first with a matrix of at least
 * two nodes (NULL when none). */
static size_t first_multi(json_t *const *derived, size_t n)
{
	for (size_t r = 0; r < n; r++)
		if (json_array_size(json_object_get(derived[r], "nodes")) >= 2)
			return r;
	return n;
}

/* One heat map of key (a matrix) of the run `at`. */
static int heat(struct mt_report *rep, struct mt_run *const *runs,
		json_t *const *derived, size_t n, size_t at, const char *key,
		const char *name, const char *what, const char *fmt_unit,
		struct mt_err *err)
{
	json_t *d = derived[at], *nodes = json_object_get(d, "nodes");
	json_t *m = json_object_get(d, key);
	json_t *rt = json_object_get(d, !strcmp(key, "latency_ns") ?
						"remote_local_latency" :
						"remote_local_bandwidth");
	size_t k = json_array_size(nodes);
	char(*rl)[32] = calloc(k, sizeof(*rl)),
	(*cl)[32] = calloc(k, sizeof(*cl));
	const char **rlp = calloc(k, sizeof(*rlp)),
		   **clp = calloc(k, sizeof(*clp));
	double *vals = calloc(k * k, sizeof(double));
	char title[320], reading[1024];
	struct mt_line_fig f = {
		.name = name,
		.bench = "numa",
		.title = title,
		.xlabel = "memory on node",
		.ylabel = "CPU on node",
		.reading = reading,
	};
	int ret;

	if (!rl || !cl || !rlp || !clp || !vals) {
		ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				 "report: out of memory");
		goto out_free;
	}
	if (!json_is_array(m)) {
		ret = 0;
		goto out_free;
	}
	for (size_t i = 0; i < k; i++) {
		long long id = json_integer_value(json_array_get(nodes, i));

		snprintf(rl[i], 32, "CPU node %lld", id);
		snprintf(cl[i], 32, "memory node %lld", id);
		rlp[i] = rl[i];
		clp[i] = cl[i];
		for (size_t j = 0; j < k; j++) {
			json_t *v = json_array_get(json_array_get(m, i), j);

			vals[i * k + j] = json_is_number(v) ?
						  json_number_value(v) :
						  NAN;
		}
	}
	snprintf(title, sizeof(title),
		 "%s by CPU node and memory node "
		 "(%s)%s%s",
		 what, fmt_unit, n > 1 ? ", " : "",
		 n > 1 ? runs[at]->label : "");
	if (json_is_object(rt)) {
		bool lat = !strcmp(key, "latency_ns");
		double q = mt_jnum(rt, "median");

		snprintf(reading, sizeof(reading),
			 "Each cell is the %s from a CPU of the row's node to "
			 "memory bound on the column's node; the diagonal is "
			 "local. Remote access %s %.2f times the local %s "
			 "(worst pair %.2fx)%s%s",
			 lat ? "pointer-chase latency" :
			       "sequential read "
			       "bandwidth",
			 lat ? (q >= 1 ? "takes" : "takes only") :
			       (q <= 1 ? "reaches" : "reaches even"),
			 q, lat ? "latency" : "bandwidth", mt_jnum(rt, "worst"),
			 (lat ? q < 1.05 : q > 0.95) ?
				 ": no penalty shows, as on emulated nodes (qemu) or "
				 "when the noise is larger than the gap." :
				 ".",
			 n > 1 ? " The other runs are in their own reports "
				 "and in the record table." :
				 "");
	} else {
		snprintf(reading, sizeof(reading),
			 "Each cell is measured from a CPU of the row's node "
			 "to memory on the column's node. No remote pair has "
			 "a local value beside it, so there is no ratio.");
	}
	ret = mt_fig_heatmap(rep, &f, rlp, k, clp, k, vals, err);
out_free:
	free(rl);
	free(cl);
	free(rlp);
	free(clp);
	free(vals);
	return ret;
}

/* The zone_reclaim verdict of d: "locality", "cache" or "incomplete". */
static const char *zr_verdict(json_t *d)
{
	const char *v = json_string_value(json_object_get(
		json_object_get(d, "zone_reclaim_finding"), "verdict"));

	return v ? v : "incomplete";
}

/* The zone_reclaim bars of run `at`: where the pages went and what the
 * node kept (percentages), then the times, one group per mode. */
static int zr_plots(struct mt_report *rep, struct mt_run *const *runs,
		    json_t *const *derived, size_t n, size_t at,
		    struct mt_err *err)
{
	static const char *const cats[2][2] = {
		{ "new pages local (%)", "page cache kept (%)" },
		{ "allocation (ms)", "latency after (ns)" },
	};
	static const char *const keys[2][2] = {
		{ "local_fraction", "page_cache_kept_fraction" },
		{ "alloc_ms", "latency_after_ns" },
	};
	json_t *modes = json_object_get(derived[at], "zone_reclaim"), *m;
	json_t *fd = json_object_get(derived[at], "zone_reclaim_finding");
	size_t k = json_array_size(modes), i;
	char(*gn)[40] = calloc(k, sizeof(*gn));
	const char **groups = calloc(k, sizeof(*groups));
	double *vals = calloc(2 * k, sizeof(double));
	char title[2][320], reading[1024];
	int ret = 0;

	if (!gn || !groups || !vals) {
		ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				 "report: out of memory");
		goto out_free;
	}
	json_array_foreach(modes, i, m) {
		snprintf(gn[i], 40, "zone_reclaim_mode=%lld",
			 json_integer_value(
				 json_object_get(m, "zone_reclaim_mode")));
		groups[i] = gn[i];
	}
	snprintf(title[0], sizeof(title[0]),
		 "zone_reclaim_mode: where new "
		 "pages land and what page cache stays%s%s",
		 n > 1 ? ", " : "", n > 1 ? runs[at]->label : "");
	snprintf(title[1], sizeof(title[1]),
		 "zone_reclaim_mode: allocation "
		 "time and access latency afterwards%s%s",
		 n > 1 ? ", " : "", n > 1 ? runs[at]->label : "");
	for (size_t fi = 0; fi < 2 && !ret; fi++) {
		struct mt_line_fig f = {
			.name = fi ? "numa-zone-reclaim-time" :
				     "numa-zone-reclaim-placement",
			.bench = "numa",
			.title = title[fi],
			.xlabel = "",
			.ylabel = fi ? "ms / ns" : "%",
			.reading = reading,
		};

		json_array_foreach(modes, i, m)
			for (size_t c = 0; c < 2; c++)
				vals[i * 2 + c] = mt_jnum(m, keys[fi][c]) *
						  (fi ? 1 : 100);
		if (fi == 0)
			snprintf(reading, sizeof(reading), "%s",
				 json_string_value(
					 json_object_get(fd, "sentence")));
		else
			snprintf(reading, sizeof(reading),
				 "The allocation time includes any reclaim "
				 "the kernel did on the way (%.2f times mode "
				 "0's with the reclaiming mode); the latency "
				 "afterwards is what every later access pays "
				 "for where the pages landed (%.2f times).",
				 mt_jnum(fd, "alloc_ms_ratio"),
				 mt_jnum(fd, "latency_after_ratio"));
		ret = mt_fig_bars(rep, &f, cats[fi], 2, groups, NULL, k, vals,
				  NULL, NULL, err);
	}
out_free:
	free(gn);
	free(groups);
	free(vals);
	return ret;
}

/* Placement bars (one group per run) and the zone_reclaim bars of the
 * first run that measured both modes. */
static int numa_plots(struct mt_report *rep, struct mt_run *const *runs,
		      json_t *const *derived, size_t n, struct mt_err *err)
{
	static const char *const pl_cats[] = { "local", "remote",
					       "interleave" };
	static const char *const pl_keys[] = { "local_mb_s", "remote_mb_s",
					       "interleave_mb_s" };
	size_t at = first_multi(derived, n), have = 0, zr_run = n;
	struct mt_fig_runs_data d;
	double *vals;
	char reading[1024];
	int ret = mt_fig_runs_data_init(&d, runs, n, 3, err);

	if (ret < 0)
		return ret;
	vals = d.vals;
	if (at < n) {
		ret = heat(rep, runs, derived, n, at, "latency_ns",
			   "numa-latency", "Load latency", "ns", err);
		if (!ret)
			ret = heat(rep, runs, derived, n, at, "read_bw_mb_s",
				   "numa-bandwidth", "Read bandwidth", "MB/s",
				   err);
		if (ret)
			goto out_free;
	}
	/* Placement: worth a figure only where remote memory exists. */
	for (size_t r = 0; r < n; r++) {
		json_t *pl = json_object_get(derived[r], "placement");

		for (size_t c = 0; c < 3; c++)
			vals[r * 3 + c] = mt_jnum(pl, pl_keys[c]);
		have += isfinite(vals[r * 3 + 1]) || isfinite(vals[r * 3 + 2]);
		if (zr_run == n &&
		    strcmp(zr_verdict(derived[r]), "incomplete") != 0)
			zr_run = r;
	}
	if (have) {
		json_t *pl = json_object_get(derived[at < n ? at : 0],
					     "placement");
		struct mt_line_fig f = {
			.name = "numa-placement",
			.bench = "numa",
			.title = "Read bandwidth from node 0 by memory "
				 "placement",
			.xlabel = "placement",
			.ylabel = "MB/s",
			.reading = reading,
		};

		snprintf(reading, sizeof(reading),
			 "Reading memory interleaved over the nodes reaches "
			 "%.0f%% of the local bandwidth and remote memory "
			 "%.0f%% (%.0f, %.0f and %.0f MB/s). Interleaving "
			 "spreads the traffic over every node's controller: "
			 "it helps threads spread over nodes, not one thread "
			 "on one node.%s",
			 100 * mt_jnum(pl, "interleave_vs_local"),
			 100 * mt_jnum(pl, "remote_vs_local"),
			 mt_jnum(pl, "local_mb_s"), mt_jnum(pl, "remote_mb_s"),
			 mt_jnum(pl, "interleave_mb_s"),
			 n > 1 ? " The figures quoted are the first "
				 "multi-node run's." :
				 "");
		ret = mt_fig_bars_runs(rep, &f, pl_cats, 3, "MB/s", &d, err);
		if (ret)
			goto out_free;
	}
	if (zr_run < n)
		ret = zr_plots(rep, runs, derived, n, zr_run, err);
out_free:
	mt_fig_runs_data_free(&d);
	return ret;
}

const struct mt_analysis mt_an_numa = {
	.bench = "numa",
	.summary = "latency and bandwidth matrices, remote/local ratios, "
		   "interleaving, the zone_reclaim_mode finding",
	.analyze = numa_analyze,
	.print = numa_print,
	.plots = numa_plots,
};
