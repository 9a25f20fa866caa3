/* Figures of the report: each one a NAME.dat (the data, tab-separated,
 * one gnuplot index block per series), a NAME.gp a user can restyle and
 * rerun (it draws NAME.svg and NAME.png), and a two-sentence reading
 * computed from the data. gnuplot is run as a program, once for all
 * figures, never linked (DESIGN §1).
 */
#ifndef MT_FIGURE_H
#define MT_FIGURE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "../core/err.h"
#include "../core/safefile.h"

struct mt_run;

/* Where figures go; made by the report. */
struct mt_report {
	struct mt_outdir dir;	  /* the checked output directory: every file
				 * is written through it (core/safefile) */
	json_t *figures;	  /* [{name, bench, title, reading}] in order */
	const char *png_terminal; /* "pngcairo" or "png" */
	/* The runs plotted (NULL: none): a line's point with no interval
	 * of its own gets that of the record it was drawn from (see
	 * mt_fig_lines). */
	struct mt_run *const *runs;
	size_t n_runs;
	/* Spans to shade on the byte axis of a bench's line figures (only
	 * on the figure named `figure` when it is given):
	 * [{bench, figure, lo, hi, label, color}] (NULL: none), such as the
	 * TLB reach. */
	json_t *marks;
};

/* Runs this many or fewer get a line (and a key entry) each; more are
 * drawn as thin lines per group without one key entry per run. */
#define MT_FIG_MAX_LABELLED_RUNS 6

/* A line series. A NAN in x breaks the line (several runs in one series). */
struct mt_series {
	const char *title; /* key entry; NULL: none */
	const char *color; /* "#rrggbb" */
	int dash;	   /* gnuplot dash type, 1 = solid */
	bool points_only;  /* marks (knees), not a line */
	bool thin;	   /* many runs: thin lines without points */
	size_t n;
	const double *x, *y;
	/* The 95% interval of each point, drawn as error bars; NULL: the
	 * interval of the record the point is (see mt_fig_lines). */
	const double *lo, *hi;
};

struct mt_line_fig {
	const char *name; /* file stem: [a-z0-9-] */
	const char *bench;
	const char *title;
	const char *xlabel, *ylabel;
	bool logx, logy;
	bool x_bytes; /* x is bytes: tics as 4K, 1M, 1G */
	const char *reading;
};

/* Writes a line figure of series[0..n). Each point of a line gets an
 * error bar from its interval: the series' lo/hi, else, when the report
 * plots few enough runs to label them, the ci95_lo..ci95_hi of the record
 * of f->bench whose value is the point's y and one of whose case numbers
 * is its x (the point is that record's median, so the bar is that
 * record's interval; a derived point matches no record and gets none).
 * The report's marks of f->bench are shaded when x is bytes. Returns 0 or
 * -errno with err set. */
int mt_fig_lines(struct mt_report *rep, const struct mt_line_fig *f,
		 const struct mt_series *series, size_t n, struct mt_err *err);

/* Writes a bar figure: n_cats categories (x) by n_groups bars each;
 * values[g * n_cats + c] (NAN: no bar). With err_lo/err_hi (may be NULL)
 * each bar gets an error bar from lo to hi. Returns 0 or -errno. */
int mt_fig_bars(struct mt_report *rep, const struct mt_line_fig *f,
		const char *const *cats, size_t n_cats,
		const char *const *groups, const char *const *colors,
		size_t n_groups, const double *values, const double *err_lo,
		const double *err_hi, struct mt_err *err);

/* What a figure of several runs fills: the runs' labels and room for
 * per_run values a run, vals[r * n_cats + c] once the module knows its
 * n_cats categories (at most per_run), NAN until set. One init and one
 * free around a module's figure (free is fine on a zeroed struct). */
struct mt_fig_runs_data {
	const char **labels; /* runs[r]->label */
	double *vals;
	size_t n_runs, per_run;
};

/* Fills d for runs[0..n) with per_run values a run. Returns 0 or -ENOMEM
 * with err set (d freed). */
int mt_fig_runs_data_init(struct mt_fig_runs_data *d,
			  struct mt_run *const *runs, size_t n, size_t per_run,
			  struct mt_err *err);
void mt_fig_runs_data_free(struct mt_fig_runs_data *d);

/* The error bar of each bar vals[r * n_cats + c] of n_runs runs into
 * lo/hi (same layout): the interval (ci95_lo..ci95_hi; the rounds' one
 * when the run was measured in rounds) of the record of bench in
 * rep->runs[r] whose value the bar is, as mt_fig_lines finds a point's;
 * NAN where no record is (a derived figure such as a ratio). Returns how
 * many bars have one. */
size_t mt_fig_bar_intervals(const struct mt_report *rep, const char *bench,
			    const double *vals, size_t n_runs, size_t n_cats,
			    double *lo, double *hi);

/* A bar figure of one value per category per run, d->vals[r * n_cats +
 * c] (NAN: none), each bar with the error bar mt_fig_bar_intervals finds
 * for it (none: no bar is drawn at it). One run: one group named `what`;
 * up to MT_FIG_MAX_LABELLED_RUNS runs: one group per run, named by its
 * label; more: the median of the runs with an error bar from the lowest
 * to the highest. Returns 0 or -errno with err set. */
int mt_fig_bars_runs(struct mt_report *rep, const struct mt_line_fig *f,
		     const char *const *cats, size_t n_cats, const char *what,
		     const struct mt_fig_runs_data *d, struct mt_err *err);

/* Writes a heat map of an n_rows x n_cols matrix, values[r * n_cols + c]
 * (NAN: an empty cell), rows labelled row_labels (drawn top to bottom),
 * columns col_labels (axes titled f->ylabel and f->xlabel), each cell
 * printed with its value; the title names the unit. Returns 0 or -errno with err set. */
int mt_fig_heatmap(struct mt_report *rep, const struct mt_line_fig *f,
		   const char *const *row_labels, size_t n_rows,
		   const char *const *col_labels, size_t n_cols,
		   const double *values, struct mt_err *err);

/* Fills x/y (room for max points) with series s of run r; returns the
 * number of points. */
typedef size_t (*mt_fig_getter)(size_t r, size_t s, double *x, double *y,
				size_t max, void *arg);

/* A line figure of n_series series measured in each of n_runs runs (the
 * report's rep->runs): one line per series (one run), per run and series
 * (up to MT_FIG_MAX_LABELLED_RUNS runs, labelled "series label"), or one
 * thin line per run gathered per series (more runs). Returns 0 or
 * -errno. */
int mt_fig_run_lines(struct mt_report *rep, const struct mt_line_fig *f,
		     size_t n_runs, const char *const *series,
		     const char *const *colors, size_t n_series,
		     mt_fig_getter get, void *arg, struct mt_err *err);

/* The first non-NULL of derived[0..n) (the run a reading quotes). */
json_t *mt_fig_first(json_t *const *derived, size_t n);

/* Runs gnuplot over every figure written so far (in rep->dir), making the
 * SVG and PNG files. gnuplot runs in that directory (fchdir to the checked
 * descriptor), only on the scripts memtune wrote there; an existing
 * NAME.svg or NAME.png that is a symlink or someone else's is refused
 * first, since gnuplot would write through it. Returns 0, or -errno with
 * err set (gnuplot missing, a refused file, or gnuplot reported an error,
 * quoted from its output). */
int mt_fig_render(struct mt_report *rep, struct mt_err *err);

/* The color of a page backing ("4k", "thp", "2m", "1g"), or of the i-th
 * other thing. */
const char *mt_fig_backing_color(const char *backing);
const char *mt_fig_color(size_t i);

#endif
