/* Report figures: .dat, .gp, and gnuplot run as a program (see figure.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../core/json_safe.h"
#include "../core/stats.h"
#include "figure.h"
#include "run.h"

#define FIG_W 760
#define FIG_H 440

static const char *const palette[] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
	"#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
};

/* The i-th palette color (it wraps). */
const char *mt_fig_color(size_t i)
{
	return palette[i % (sizeof(palette) / sizeof(palette[0]))];
}

/* Fixed colors per backing, so every figure of a report agrees. */
const char *mt_fig_backing_color(const char *b)
{
	if (!b)
		return palette[7];
	if (!strcmp(b, "4k"))
		return "#d62728";
	if (!strcmp(b, "thp"))
		return "#1f77b4";
	if (!strcmp(b, "2m"))
		return "#2ca02c";
	if (!strcmp(b, "1g"))
		return "#9467bd";
	return palette[7];
}

/* Writes s as a gnuplot single-quoted string (a quote is doubled). */
static void gp_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; s && *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		if (*s != '\n')
			fputc(*s, f);
	}
	fputc('\'', f);
}

/* One file of a figure, written to memory first and then replaced in the
 * output directory at once (core/safefile). */
struct fig_file {
	FILE *f;
	char *buf;
	size_t len;
};

/* The two files of a figure. */
struct fig_pair {
	struct fig_file dat, gp;
};

/* Starts NAME.EXT in memory. Returns 0 or -ENOMEM with err set. */
static int open_out(struct fig_file *o, struct mt_err *err)
{
	o->buf = NULL;
	o->len = 0;
	o->f = open_memstream(&o->buf, &o->len);
	if (!o->f)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "report: out of memory");
	return 0;
}

/* Ends o and writes it to OUT/NAME.EXT (err may be NULL after an earlier
 * error: then o is only freed). Returns 0 or -errno with err set. */
static int close_out(struct fig_file *o, const struct mt_report *rep,
		     const char *name, const char *ext, struct mt_err *err)
{
	char file[NAME_MAX + 1];
	int bad = ferror(o->f), ret;

	if ((fclose(o->f) != 0) | bad) {
		free(o->buf);
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "report: out of memory writing '%s/%s.%s'",
				  rep->dir.path, name, ext);
	}
	if ((size_t)snprintf(file, sizeof(file), "%s.%s", name, ext) >=
	    sizeof(file))
		ret = mt_err_set(err, -ENAMETOOLONG, MT_ERR_RUNTIME,
				 "report: figure name '%s' is too long", name);
	else if (err)
		ret = mt_outdir_replace(&rep->dir, "report", file, o->buf,
					o->len, 0644, MT_FILE_NOSYNC, err);
	else
		ret = -ECANCELED;
	free(o->buf);
	return ret;
}

/* The head of every script: what it is, the SVG terminal, the labels. */
static void gp_head(FILE *gp, const struct mt_line_fig *f)
{
	fprintf(gp,
		"# memtune figure '%s'. Restyle it here and redraw with\n"
		"#   gnuplot %s.gp\n"
		"# which writes %s.svg and %s.png; the data is %s.dat.\n",
		f->name, f->name, f->name, f->name, f->name);
	fprintf(gp,
		"reset\nset terminal svg size %d,%d fixed noenhanced "
		"font 'Sans,12' background rgb 'white'\n",
		FIG_W, FIG_H);
	fprintf(gp, "set output '%s.svg'\n", f->name);
	fputs("set title ", gp);
	gp_quote(gp, f->title);
	fputs("\nset xlabel ", gp);
	gp_quote(gp, f->xlabel);
	fputs("\nset ylabel ", gp);
	gp_quote(gp, f->ylabel);
	fputs("\nset grid\nset datafile missing '?'\n"
	      "set key outside right top vertical Left reverse noautotitle\n",
	      gp);
}

/* Tick labels without exponents: gnuplot writes 1e+06 from a million
 * on, so an axis reaching a hundred thousand counts in k, M, G (whole
 * numbers of them on a log axis, whose tics are powers of ten). */
static void gp_no_exponent(FILE *gp, const char *axis, double max_abs, bool log)
{
	if (max_abs >= 1e5)
		fprintf(gp, "set format %s '%%.%ds%%c'\n", axis, log ? 0 : 1);
}

/* The largest |v| of v[0..n) (0 when none is finite). */
static double max_abs(const double *v, size_t n)
{
	double m = 0;

	for (size_t i = 0; v && i < n; i++)
		if (isfinite(v[i]) && fabs(v[i]) > m)
			m = fabs(v[i]);
	return m;
}

/* The tail: the same plot again as PNG. */
static void gp_tail(FILE *gp, const struct mt_report *rep,
		    const struct mt_line_fig *f)
{
	if (!strcmp(rep->png_terminal, "pngcairo"))
		fprintf(gp,
			"set terminal pngcairo size %d,%d noenhanced "
			"font 'Sans,10' background rgb 'white'\n",
			FIG_W, FIG_H);
	else
		fprintf(gp, "set terminal png size %d,%d noenhanced\n", FIG_W,
			FIG_H);
	fprintf(gp, "set output '%s.png'\nreplot\nunset output\n", f->name);
}

/* Records the figure in the report's list. */
static int add_figure(struct mt_report *rep, const struct mt_line_fig *f,
		      struct mt_err *err)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "name", f->name, "bench",
			      f->bench ? f->bench : "", "title",
			      f->title ? f->title : "", "reading",
			      f->reading ? f->reading : "");

	if (!o || json_array_append_new(rep->figures, o))
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "report: out of memory");
	return 0;
}

/* Starts the figure's NAME.dat and NAME.gp in memory. Returns 0, or -EIO
 * with err set and nothing left open. */
static int open_pair(struct fig_pair *p, FILE **dat, FILE **gp,
		     struct mt_err *err)
{
	if (open_out(&p->dat, err) < 0)
		return -EIO;
	if (open_out(&p->gp, err) < 0) {
		fclose(p->dat.f);
		free(p->dat.buf);
		return -EIO;
	}
	*dat = p->dat.f;
	*gp = p->gp.f;
	return 0;
}

/* Ends the script, writes both files (checking the writes) and hands the
 * figure to gnuplot and the report. Returns 0 or -errno with err set. */
static int finish_pair(struct mt_report *rep, const struct mt_line_fig *f,
		       struct fig_pair *p, struct mt_err *err)
{
	int ret;

	gp_tail(p->gp.f, rep, f);
	ret = close_out(&p->dat, rep, f->name, "dat", err);
	if (close_out(&p->gp, rep, f->name, "gp", ret ? NULL : err) < 0 && !ret)
		ret = -EIO;
	if (ret)
		return ret;
	return add_figure(rep, f, err);
}

/* True when a number of the record's case equals x. */
static bool case_has(json_t *rec, double x)
{
	json_t *v;
	const char *k;

	json_object_foreach(json_object_get(rec, "case"), k, v)
		if (json_is_number(v) && json_number_value(v) == x)
			return true;
	return false;
}

/* The interval of the record of bench whose median the point (x, y) is
 * (see mt_fig_lines); false when none is. */
static bool record_interval(const struct mt_report *rep, const char *bench,
			    double x, double y, double *lo, double *hi)
{
	if (!bench || !rep->runs || rep->n_runs > MT_FIG_MAX_LABELLED_RUNS)
		return false;
	for (size_t r = 0; r < rep->n_runs; r++) {
		json_t *rec;
		size_t i;

		json_array_foreach(rep->runs[r]->records, i, rec) {
			if (!mt_rec_ok(rec) ||
			    strcmp(mt_rec_bench(rec), bench) ||
			    mt_rec_value(rec) != y || !case_has(rec, x))
				continue;
			*lo = mt_jnum(rec, "ci95_lo");
			*hi = mt_jnum(rec, "ci95_hi");
			return isfinite(*lo) && isfinite(*hi) && *lo <= *hi &&
			       json_is_integer(json_object_get(rec, "n")) &&
			       json_integer_value(json_object_get(rec, "n")) >=
				       2;
		}
	}
	return false;
}

/* The interval of point i of series s into lo/hi; false when it has
 * none (or none a log axis can draw). */
static bool point_interval(const struct mt_report *rep,
			   const struct mt_line_fig *f,
			   const struct mt_series *s, size_t i, double *lo,
			   double *hi)
{
	bool ok;

	if (s->points_only)
		return false;
	if (s->lo && s->hi) {
		*lo = s->lo[i];
		*hi = s->hi[i];
		ok = isfinite(*lo) && isfinite(*hi) && *lo <= *hi;
	} else {
		ok = record_interval(rep, f->bench, s->x[i], s->y[i], lo, hi);
	}
	return ok && (!f->logy || *lo > 0);
}

/* Shades the report's marks of f->bench (spans of bytes) on a figure
 * whose x is bytes, each labelled at the top. */
static void gp_marks(FILE *gp, const struct mt_report *rep,
		     const struct mt_line_fig *f)
{
	json_t *m;
	size_t i, k = 0;

	if (!f->x_bytes || !f->bench)
		return;
	json_array_foreach(rep->marks, i, m) {
		const char *b = json_string_value(json_object_get(m, "bench"));
		const char *fig = json_string_value(json_object_get(m,
								    "figure"));
		double lo = mt_jnum(m, "lo"), hi = mt_jnum(m, "hi");

		if (!b || strcmp(b, f->bench) ||
		    (fig && strcmp(fig, f->name)) || !(lo > 0) || !(hi >= lo))
			continue;
		k++;
		fprintf(gp,
			"set object %zu rect from %.9g, graph 0 to %.9g, "
			"graph 1 behind fc rgb ",
			k, lo, hi > lo ? hi : lo * 1.02);
		gp_quote(gp, json_string_value(json_object_get(m, "color")));
		fputs(" fs transparent solid 0.15 noborder\nset label "
		      "front ",
		      gp);
		gp_quote(gp, json_string_value(json_object_get(m, "label")));
		fprintf(gp, " at %.9g, graph %.2f tc rgb ", lo,
			0.97 - 0.05 * (double)((k - 1) % 4));
		gp_quote(gp, json_string_value(json_object_get(m, "color")));
		fputc('\n', gp);
	}
}

/* Writes a line figure (see figure.h): NAME.dat holds x, y and the
 * interval (lo, hi; '?' when none) of each point. */
int mt_fig_lines(struct mt_report *rep, const struct mt_line_fig *f,
		 const struct mt_series *series, size_t n, struct mt_err *err)
{
	struct fig_pair p;
	FILE *dat, *gp;
	bool first = true, *bars = calloc(n + 1, sizeof(bool));

	if (!bars)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "report: out of memory");
	if (open_pair(&p, &dat, &gp, err) < 0) {
		free(bars);
		return -EIO;
	}
	fprintf(dat,
		"# %s: one block per series (gnuplot index 0, 1, ...)"
		"\n# x\ty\tci95_lo\tci95_hi\n",
		f->title);
	for (size_t s = 0; s < n; s++) {
		fprintf(dat, "%s# %s\n", s ? "\n\n" : "",
			series[s].title ? series[s].title : "(no title)");
		/* A block needs a line for gnuplot to count it. */
		if (series[s].n == 0)
			fputs("? ? ? ?\n", dat);
		for (size_t i = 0; i < series[s].n; i++) {
			double lo, hi;

			if (isnan(series[s].x[i])) {
				fputc('\n', dat);
				continue;
			}
			if (!isfinite(series[s].y[i]))
				continue;
			fprintf(dat, "%.9g\t%.9g", series[s].x[i],
				series[s].y[i]);
			if (point_interval(rep, f, &series[s], i, &lo, &hi)) {
				fprintf(dat, "\t%.9g\t%.9g\n", lo, hi);
				bars[s] = true;
			} else {
				fputs("\t?\t?\n", dat);
			}
		}
	}
	gp_head(gp, f);
	if (f->logx)
		fputs(f->x_bytes ? "set logscale x 2\n" : "set logscale x\n",
		      gp);
	if (f->logy)
		fputs("set logscale y\n", gp);
	if (f->x_bytes)
		fputs("set format x '%.0b%B'\n", gp);
	{
		double m = 0;

		for (size_t i = 0; i < n; i++) {
			double sm = max_abs(series[i].y, series[i].n);

			if (series[i].hi)
				sm = fmax(sm,
					  max_abs(series[i].hi, series[i].n));
			m = fmax(m, sm);
		}
		gp_no_exponent(gp, "y", m, f->logy);
	}
	if (!f->x_bytes) {
		double m = 0;

		for (size_t i = 0; i < n; i++)
			m = fmax(m, max_abs(series[i].x, series[i].n));
		gp_no_exponent(gp, "x", m, f->logx);
	}
	/* Room beyond the first and last point for their error bars (a
	 * log axis ends at them). */
	if (f->logx)
		fputs("set offsets graph 0.03, graph 0.03, 0, 0\n", gp);
	gp_marks(gp, rep, f);
	fputs("plot ", gp);
	for (size_t s = 0; s < n; s++) {
		const struct mt_series *sr = &series[s];

		if (sr->n == 0)
			continue;
		fprintf(gp, "%s\\\n  '%s.dat' index %zu using 1:2 ",
			first ? "" : ",", f->name, s);
		first = false;
		if (sr->points_only)
			fprintf(gp, "with points pt 6 ps 2.2 lw 2 lc rgb '%s'",
				sr->color);
		else if (sr->thin)
			fprintf(gp, "with lines lw 0.6 dt %d lc rgb '%s'",
				sr->dash > 0 ? sr->dash : 1, sr->color);
		else
			fprintf(gp,
				"with linespoints pt 7 ps 0.7 lw 2 dt %d "
				"lc rgb '%s'",
				sr->dash > 0 ? sr->dash : 1, sr->color);
		if (sr->title) {
			fputs(" title ", gp);
			gp_quote(gp, sr->title);
		}
		if (bars[s])
			fprintf(gp,
				",\\\n  '%s.dat' index %zu using 1:2:3:4 "
				"with yerrorbars pt 7 ps 0.3 lw 1 lc rgb '%s' "
				"notitle",
				f->name, s, sr->color);
	}
	if (first)
		fputs("NaN notitle", gp);
	fputc('\n', gp);
	free(bars);
	return finish_pair(rep, f, &p, err);
}

/* Writes a data-file string: double-quoted, quotes dropped. */
static void dat_quote(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++)
		if (*s != '"' && *s != '\n')
			fputc(*s, f);
	fputc('"', f);
}

/* Writes a bar figure (see figure.h). */
int mt_fig_bars(struct mt_report *rep, const struct mt_line_fig *f,
		const char *const *cats, size_t n_cats,
		const char *const *groups, const char *const *colors,
		size_t n_groups, const double *values, const double *err_lo,
		const double *err_hi, struct mt_err *err)
{
	bool errbars = err_lo && err_hi;
	size_t per = errbars ? 3 : 1;
	struct fig_pair p;
	FILE *dat, *gp;

	if (open_pair(&p, &dat, &gp, err) < 0)
		return -EIO;
	fprintf(dat, "# %s\n# category", f->title);
	for (size_t g = 0; g < n_groups; g++)
		fprintf(dat, "\t%s%s", groups[g], errbars ? " (lo hi)" : "");
	fputc('\n', dat);
	for (size_t c = 0; c < n_cats; c++) {
		dat_quote(dat, cats[c]);
		for (size_t g = 0; g < n_groups; g++) {
			double v = values[g * n_cats + c];

			if (!isfinite(v)) {
				fputs(errbars ? "\t?\t?\t?" : "\t?", dat);
				continue;
			}
			fprintf(dat, "\t%.9g", v);
			if (errbars)
				fprintf(dat, "\t%.9g\t%.9g",
					err_lo[g * n_cats + c],
					err_hi[g * n_cats + c]);
		}
		fputc('\n', dat);
	}
	gp_head(gp, f);
	fprintf(gp,
		"set style data histogram\nset style histogram %s "
		"gap 1\nset style fill solid 0.85 border -1\n"
		"set boxwidth 0.9\nset yrange [0:*]\nset grid noxtics\n",
		errbars ? "errorbars lw 1" : "clustered");
	if (f->logy)
		fputs("set logscale y\nset yrange [*:*]\n", gp);
	gp_no_exponent(gp, "y",
		       fmax(max_abs(values, n_groups * n_cats),
			    errbars ? max_abs(err_hi, n_groups * n_cats) : 0),
		       f->logy);
	fputs("plot ", gp);
	for (size_t g = 0; g < n_groups; g++) {
		size_t col = 2 + g * per;

		fprintf(gp, "%s\\\n  '%s.dat' using %zu", g ? "," : "", f->name,
			col);
		if (errbars)
			fprintf(gp, ":%zu:%zu", col + 1, col + 2);
		if (g == 0)
			fputs(":xtic(1)", gp);
		fprintf(gp, " lc rgb '%s' title ",
			colors ? colors[g] : mt_fig_color(g));
		gp_quote(gp, groups[g]);
	}
	if (!n_groups)
		fputs("NaN notitle", gp);
	fputc('\n', gp);
	return finish_pair(rep, f, &p, err);
}

/* Writes a heat map (see figure.h): the data as "column row value" lines,
 * one block per row, drawn `with image` and each cell labelled with its
 * value, so the figure reads without the color bar. */
int mt_fig_heatmap(struct mt_report *rep, const struct mt_line_fig *f,
		   const char *const *row_labels, size_t n_rows,
		   const char *const *col_labels, size_t n_cols,
		   const double *values, struct mt_err *err)
{
	struct fig_pair p;
	FILE *dat, *gp;

	if (open_pair(&p, &dat, &gp, err) < 0)
		return -EIO;
	fprintf(dat, "# %s: column row value\n", f->title);
	for (size_t r = 0; r < n_rows; r++) {
		fprintf(dat, "# row %zu: ", r);
		dat_quote(dat, row_labels[r]);
		fputc('\n', dat);
		for (size_t c = 0; c < n_cols; c++) {
			double v = values[r * n_cols + c];

			if (isfinite(v))
				fprintf(dat, "%zu\t%zu\t%.9g\n", c, r, v);
			else
				fprintf(dat, "%zu\t%zu\tNaN\n", c, r);
		}
		fputc('\n', dat);
	}
	gp_head(gp, f);
	fputs("unset grid\nunset key\nset tics scale 0\n"
	      "set palette defined (0 '#fff7ec', 1 '#fdbb84', 2 '#ef6548')\n",
	      gp);
	fprintf(gp, "set xrange [-0.5:%zu.5]\nset yrange [%zu.5:-0.5]\n",
		n_cols ? n_cols - 1 : 0, n_rows ? n_rows - 1 : 0);
	fputs("set xtics (", gp);
	for (size_t c = 0; c < n_cols; c++) {
		fputs(c ? ", " : "", gp);
		gp_quote(gp, col_labels[c]);
		fprintf(gp, " %zu", c);
	}
	fputs(")\nset ytics (", gp);
	for (size_t r = 0; r < n_rows; r++) {
		fputs(r ? ", " : "", gp);
		gp_quote(gp, row_labels[r]);
		fprintf(gp, " %zu", r);
	}
	fprintf(gp,
		")\nplot '%s.dat' using 1:2:3 with image, \\\n"
		"  '%s.dat' using 1:2:($3 != $3 ? 'n/a' : abs($3) >= 1e4 ? "
		"sprintf('%%.0f', $3) : sprintf('%%.4g', $3)) with labels "
		"font 'Sans,14' tc rgb '#000000'\n",
		f->name, f->name);
	return finish_pair(rep, f, &p, err);
}

/* Runs `gnuplot SCRIPTS...` in the directory dirfd (fchdir: the checked
 * descriptor, not a path someone could swap) with stdout to /dev/null and
 * stderr appended to logfd. Returns the exit status, 127 when gnuplot
 * cannot be run, 126 when the directory cannot be entered, or -errno when
 * fork fails. */
static int run_gnuplot(int dirfd, int logfd, char *const *scripts, size_t n)
{
	char **argv = calloc(n + 2, sizeof(*argv));
	int status;
	pid_t pid;

	if (!argv)
		return -ENOMEM;
	argv[0] = "gnuplot";
	for (size_t i = 0; i < n; i++)
		argv[i + 1] = scripts[i];
	pid = fork();
	if (pid < 0) {
		free(argv);
		return -errno;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (fchdir(dirfd) < 0)
			_exit(126);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
		}
		if (logfd >= 0)
			dup2(logfd, 2);
		execvp("gnuplot", argv);
		_exit(127);
	}
	free(argv);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* Copies the last lines of the log logfd (up to len bytes) into buf. */
static void log_tail(int logfd, char *buf, size_t len)
{
	struct stat st;
	off_t from = 0;
	ssize_t got;

	buf[0] = '\0';
	if (logfd < 0 || fstat(logfd, &st) < 0)
		return;
	if (st.st_size > (off_t)len - 1)
		from = st.st_size - (off_t)len + 1;
	got = pread(logfd, buf, len - 1, from);
	buf[got > 0 ? got : 0] = '\0';
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
}

/* Removes what gnuplot is about to write for figure `name` (NAME.svg and
 * NAME.png), refusing a symlink or someone else's file there: gnuplot
 * opens its outputs by name and would write through a link. The directory
 * is one only we can write, so nothing new appears before gnuplot runs.
 * Returns 0 or -errno with err set. */
static int clear_outputs(const struct mt_report *rep, const char *name,
			 struct mt_err *err)
{
	static const char *const ext[] = { "svg", "png" };
	char file[NAME_MAX + 1];

	for (size_t i = 0; i < 2; i++) {
		int ret;

		snprintf(file, sizeof(file), "%s.%s", name, ext[i]);
		ret = mt_outdir_clear(&rep->dir, "report", file, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Draws every figure: one gnuplot process for all scripts (fast for many
 * figures); if it fails, each script alone, so the good figures are drawn
 * and the first bad one is named. */
int mt_fig_render(struct mt_report *rep, struct mt_err *err)
{
	size_t n = json_array_size(rep->figures);
	char **scripts, tail[600];
	int st, logfd = -1, ret = 0;

	if (n == 0)
		return 0;
	scripts = calloc(n, sizeof(*scripts));
	if (!scripts)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "report: out of memory");
	for (size_t i = 0; i < n; i++) {
		const char *name = json_string_value(json_object_get(
			json_array_get(rep->figures, i), "name"));

		if (asprintf(&scripts[i], "%s.gp", name) < 0) {
			scripts[i] = NULL;
			ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
					 "report: out of memory");
			goto out_scripts;
		}
		ret = clear_outputs(rep, name, err);
		if (ret < 0)
			goto out_scripts;
	}
	ret = mt_outdir_clear(&rep->dir, "report", "gnuplot.log", err);
	if (ret < 0)
		goto out_scripts;
	logfd = mt_outdir_create(&rep->dir, "report", "gnuplot.log",
				 O_WRONLY | O_APPEND, 0644, err);
	if (logfd < 0) {
		ret = logfd;
		goto out_scripts;
	}
	st = run_gnuplot(rep->dir.fd, logfd, scripts, n);
	if (st == 127 || st == 126) {
		ret = mt_err_set(err, -ENOENT, MT_ERR_RUNTIME,
				 "report: cannot run gnuplot (install it: "
				 "apt-get install gnuplot-nox); the .dat and "
				 ".gp files are in '%s'",
				 rep->dir.path);
		goto out_scripts;
	}
	if (st < 0) {
		ret = mt_err_set(err, st, MT_ERR_RUNTIME,
				 "report: cannot start gnuplot: %s",
				 strerror(-st));
		goto out_scripts;
	}
	if (st == 0)
		goto out_scripts;
	for (size_t i = 0; i < n; i++) {
		if (run_gnuplot(rep->dir.fd, logfd, &scripts[i], 1) == 0 || ret)
			continue;
		log_tail(logfd, tail, sizeof(tail));
		ret = mt_err_set(err, -EIO, MT_ERR_RUNTIME,
				 "report: gnuplot failed on '%s/%s': %s",
				 rep->dir.path, scripts[i], tail);
	}
out_scripts:
	if (logfd >= 0)
		close(logfd);
	for (size_t i = 0; i < n; i++)
		free(scripts[i]);
	free(scripts);
	return ret;
}

/* The labels of runs[0..n) (runs[r]->label), in an array the caller
 * frees; NULL when out of memory. */
static const char **mt_fig_run_labels(struct mt_run *const *runs, size_t n)
{
	const char **labels = calloc(n, sizeof(*labels));

	if (!labels)
		return NULL;
	for (size_t r = 0; r < n; r++)
		labels[r] = runs[r]->label;
	return labels;
}

int mt_fig_runs_data_init(struct mt_fig_runs_data *d,
			  struct mt_run *const *runs, size_t n, size_t per_run,
			  struct mt_err *err)
{
	memset(d, 0, sizeof(*d));
	d->labels = mt_fig_run_labels(runs, n);
	d->vals = malloc((n * per_run + 1) * sizeof(*d->vals));
	if (!d->labels || !d->vals) {
		mt_fig_runs_data_free(d);
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "report: out of memory");
	}
	for (size_t i = 0; i < n * per_run; i++)
		d->vals[i] = NAN;
	d->n_runs = n;
	d->per_run = per_run;
	return 0;
}

void mt_fig_runs_data_free(struct mt_fig_runs_data *d)
{
	free(d->labels);
	free(d->vals);
	memset(d, 0, sizeof(*d));
}

/* The interval of the record of bench in run whose value is v; false when
 * none is (or it has no interval of two samples or more). */
static bool bar_record_interval(const struct mt_run *run, const char *bench,
				double v, double *lo, double *hi)
{
	json_t *rec;
	size_t i;

	json_array_foreach(run->records, i, rec) {
		if (!mt_rec_ok(rec) || strcmp(mt_rec_bench(rec), bench) ||
		    mt_rec_value(rec) != v)
			continue;
		/* A zero (no stalls, no faults) is the value of many
		 * records: which one the bar is cannot be told. */
		if (v == 0)
			return false;
		double l = mt_jnum(rec, "ci95_lo"), h = mt_jnum(rec, "ci95_hi");

		if (isfinite(l) && isfinite(h) && l <= v && v <= h &&
		    json_integer_value(json_object_get(rec, "n")) >= 2) {
			*lo = l;
			*hi = h;
			return true;
		}
	}
	return false;
}

size_t mt_fig_bar_intervals(const struct mt_report *rep, const char *bench,
			    const double *vals, size_t n_runs, size_t n_cats,
			    double *lo, double *hi)
{
	size_t found = 0;

	for (size_t r = 0; r < n_runs; r++)
		for (size_t c = 0; c < n_cats; c++) {
			size_t i = r * n_cats + c;

			lo[i] = hi[i] = NAN;
			if (!bench || !rep->runs || r >= rep->n_runs ||
			    !isfinite(vals[i]))
				continue;
			found += bar_record_interval(rep->runs[r], bench,
						     vals[i], &lo[i], &hi[i]);
		}
	return found;
}

/* Bars of one value per category per run, each with the interval of its
 * record when some bar has one (a bar without gets none: lo = hi). */
static int bars_with_intervals(struct mt_report *rep,
			       const struct mt_line_fig *f,
			       const char *const *cats, size_t n_cats,
			       const char *const *groups, size_t n_runs,
			       const double *values, struct mt_err *err)
{
	size_t n = n_runs * n_cats;
	double *lo = malloc((2 * n + 1) * sizeof(*lo)), *hi;
	int ret;

	if (!lo)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "report: out of memory");
	hi = lo + n;
	if (mt_fig_bar_intervals(rep, f->bench, values, n_runs, n_cats, lo,
				 hi) == 0) {
		free(lo);
		return mt_fig_bars(rep, f, cats, n_cats, groups, NULL, n_runs,
				   values, NULL, NULL, err);
	}
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(lo[i]) || !isfinite(hi[i]))
			lo[i] = hi[i] = values[i];
		if (f->logy && !(lo[i] > 0))
			lo[i] = values[i]; /* a log axis cannot reach 0 */
	}
	ret = mt_fig_bars(rep, f, cats, n_cats, groups, NULL, n_runs, values,
			  lo, hi, err);
	free(lo);
	return ret;
}

/* Bars of one value per category per run (see figure.h). */
int mt_fig_bars_runs(struct mt_report *rep, const struct mt_line_fig *f,
		     const char *const *cats, size_t n_cats, const char *what,
		     const struct mt_fig_runs_data *d, struct mt_err *err)
{
	const double *values = d->vals;
	size_t n_runs = d->n_runs;
	double *med, *lo, *hi, *col;
	char title[64];
	const char *g[1] = { title };
	int ret;

	if (n_runs == 1)
		return bars_with_intervals(rep, f, cats, n_cats, &what, 1,
					   values, err);
	if (n_runs <= MT_FIG_MAX_LABELLED_RUNS)
		return bars_with_intervals(rep, f, cats, n_cats, d->labels,
					   n_runs, values, err);
	med = calloc(3 * n_cats + n_runs, sizeof(double));
	if (!med)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "report: out of memory");
	lo = med + n_cats;
	hi = lo + n_cats;
	col = hi + n_cats;
	for (size_t c = 0; c < n_cats; c++) {
		size_t k = 0;

		for (size_t r = 0; r < n_runs; r++)
			if (isfinite(values[r * n_cats + c]))
				col[k++] = values[r * n_cats + c];
		med[c] = mt_median(col, k); /* sorts col */
		lo[c] = k ? col[0] : NAN;
		hi[c] = k ? col[k - 1] : NAN;
	}
	snprintf(title, sizeof(title), "median of %zu runs (bar: range)",
		 n_runs);
	ret = mt_fig_bars(rep, f, cats, n_cats, g, NULL, 1, med, lo, hi, err);
	free(med);
	return ret;
}

#define RUN_LINE_MAX 256

/* Lines of several series over several runs (see figure.h). */
int mt_fig_run_lines(struct mt_report *rep, const struct mt_line_fig *f,
		     size_t n_runs, const char *const *series,
		     const char *const *colors, size_t n_series,
		     mt_fig_getter get, void *arg, struct mt_err *err)
{
	bool labelled = n_runs <= MT_FIG_MAX_LABELLED_RUNS;
	size_t per = labelled ? RUN_LINE_MAX + 1 : n_runs * (RUN_LINE_MAX + 1);
	size_t n_lines = labelled ? n_runs * n_series : n_series, ns = 0;
	struct mt_series *ser = calloc(n_lines, sizeof(*ser));
	char(*titles)[256] = calloc(n_lines, sizeof(*titles));
	double *xs = malloc(n_lines * per * sizeof(double));
	double *ys = malloc(n_lines * per * sizeof(double));
	int ret = 0;

	if (!ser || !titles || !xs || !ys) {
		ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				 "report: out of memory");
		goto out_free;
	}
	for (size_t s = 0; s < n_series; s++) {
		for (size_t r = 0; r < n_runs; r++) {
			struct mt_series *sr = &ser[ns];
			double *x = xs + ns * per, *y = ys + ns * per;
			size_t m = labelled ? 0 : sr->n;
			size_t got = get(r, s, x + m, y + m, RUN_LINE_MAX, arg);

			if (labelled && got == 0)
				continue;
			m += got;
			if (!labelled && got) {
				x[m] = NAN;
				y[m++] = NAN;
			}
			sr->n = m;
			sr->x = x;
			sr->y = y;
			sr->color = colors ? colors[s] : mt_fig_color(s);
			sr->title = titles[ns];
			if (labelled) {
				sr->dash = (int)r + 1;
				snprintf(titles[ns], 256, "%s%s%s", series[s],
					 n_runs > 1 ? " " : "",
					 n_runs > 1 && rep->runs &&
							 r < rep->n_runs ?
						 rep->runs[r]->label :
						 "");
				ns++;
			} else {
				sr->thin = true;
				sr->dash = 1;
				snprintf(titles[ns], 256, "%s (%zu runs)",
					 series[s], n_runs);
			}
		}
		if (!labelled && ser[ns].n)
			ns++;
	}
	ret = mt_fig_lines(rep, f, ser, ns, err);
out_free:
	free(xs);
	free(ys);
	free(titles);
	free(ser);
	return ret;
}

json_t *mt_fig_first(json_t *const *derived, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (derived[i])
			return derived[i];
	return NULL;
}
