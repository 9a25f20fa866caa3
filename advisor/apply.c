/* memtune apply and rollback: the advice's run-time values written through
 * the state journal (a separate apply.journal, so that rollback works after
 * a reboot or a crash), each read back; optionally the sysctl.d file
 * installed atomically with a backup of what it replaces. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcntl.h>
#include <sys/stat.h>

#include "../core/fsroot.h"
#include "../core/json_safe.h"
#include "../core/jsonpos.h"
#include "../core/knobs.h"
#include "../core/journal.h"
#include "../core/sysinfo.h"
#include "../core/safefile.h"
#include "advisor.h"

#define SYSCTL_D_TARGET "/etc/sysctl.d/" MT_SYSCTL_D_NAME

bool mt_apply_guarded(const char *sysctl, const char *value, uint64_t mem_total,
		      char *why, size_t len)
{
	struct mt_knob k;

	/* The thresholds are the table's (core/knobs.c), where rules and
	 * the journal read each knob's safety too. */
	if (!sysctl || !value || mt_knob_lookup(sysctl, mem_total, &k) < 0)
		return false;
	return mt_knob_danger(&k, value, mem_total, why, len);
}

/* True if name is in the list. */
static bool listed(const char *const *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			return true;
	return false;
}

/* The word a choice file selects ("always [madvise] never" -> madvise), or
 * the text itself. */
void mt_apply_selected(const char *text, char *buf, size_t len)
{
	const char *l = strchr(text, '['), *r = l ? strchr(l, ']') : NULL;

	if (l && r)
		snprintf(buf, len, "%.*s", (int)(r - l - 1), l + 1);
	else
		snprintf(buf, len, "%s", text);
	buf[strcspn(buf, "\n")] = '\0';
}

/* Refuses without root or inside a container (unless overridden). */
int mt_apply_check_privilege(const struct mt_apply_opts *o, const char *what,
			     struct mt_err *err)
{
	struct mt_caps caps;
	int rc;

	/* A tree under MEMTUNE_FSROOT is files, not the kernel: the writes
	 * succeed or fail on their own permissions. */
	if (o->skip_privilege_check || !mt_fsroot_is_live())
		return 0;
	rc = mt_caps_read(&caps, err);
	if (rc < 0)
		return rc;
	if (!caps.root)
		return mt_err_set(err, -EPERM, MT_ERR_RUNTIME,
				  "%s: needs root: it writes /proc/sys, /sys "
				  "and /etc/sysctl.d (run it with sudo; "
				  "--dry-run works without)",
				  what);
	if (caps.in_container && !o->force_container)
		return mt_err_set(err, -EPERM, MT_ERR_RUNTIME,
				  "%s: refusing inside a container: the "
				  "settings would change the host's kernel "
				  "for every tenant, or fail. If this really "
				  "is the host (a VM with a stray "
				  "/.dockerenv), pass --force-container",
				  what);
	return 0;
}

/* Opens the apply journal at o->journal_path or the default. */
static int open_journal(const char *path, char *buf, size_t len,
			struct mt_journal **j, struct mt_err *err)
{
	int rc = 0;

	if (path)
		snprintf(buf, len, "%s", path);
	else
		rc = mt_journal_default_path("apply.journal", buf, len, err);
	if (rc == 0 && j)
		rc = mt_journal_open(buf, false, j, err);
	return rc;
}

/* The other half of a pair the kernel keeps one of in force
 * ("/proc/sys/vm/dirty_bytes" -> ".../dirty_ratio" and back, the same for
 * dirty_background_* and for overcommit_kbytes / overcommit_ratio, where
 * writing one zeroes the other: vm.rst), or NULL. */
static const char *dirty_twin(const char *path)
{
	static const char *const pairs[][2] = {
		{ "/proc/sys/vm/dirty_bytes", "/proc/sys/vm/dirty_ratio" },
		{ "/proc/sys/vm/dirty_background_bytes",
		  "/proc/sys/vm/dirty_background_ratio" },
		{ "/proc/sys/vm/overcommit_kbytes",
		  "/proc/sys/vm/overcommit_ratio" },
	};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		if (strcmp(path, pairs[i][0]) == 0)
			return pairs[i][1];
		if (strcmp(path, pairs[i][1]) == 0)
			return pairs[i][0];
	}
	return NULL;
}

/* True if path ends in "_bytes". */
static bool is_bytes_form(const char *path)
{
	size_t n = strlen(path);

	return n > 6 && strcmp(path + n - 6, "_bytes") == 0;
}

/* Prints the outcome of writing it->value (the kernel said rb). Returns 1
 * if it counts as a problem. */
static int report_write(const struct mt_item *it, const char *was,
			const char *rb, FILE *out)
{
	char word[128];

	mt_apply_selected(rb, word, sizeof(word));
	if (strcmp(word, it->value) != 0) {
		fprintf(out, "clamped  %s: asked %s, the kernel kept %s\n",
			it->knob, it->value, word);
		return 1;
	}
	fprintf(out, "set      %s: %s -> %s\n", it->knob, was, it->value);
	return 0;
}

/* Writes one half of a dirty-limit pair so that rollback restores both.
 * The kernel keeps one form in force: writing dirty_bytes zeroes
 * dirty_ratio and the other way round, and it refuses 0 for the bytes
 * form, so the old "0" of a bytes knob cannot be written back. Instead
 * the twin in force is journaled first with its own value (a write that
 * changes nothing but records the undo entry); playback undoes in
 * reverse, so writing the twin back comes last and makes the kernel zero
 * the other half again.
 *
 * Switching from the ratio to the bytes form leaves one more problem:
 * mt_journal_write always journals the bytes knob's old "0", which
 * playback could not write back (EINVAL) and which would keep the apply
 * journal pending forever. That write therefore goes through
 * mt_sys_trigger (a write with no undo entry of its own): its undo is the
 * ratio entry already in the apply journal.
 *
 * Returns 1 when an ordinary journaled write is right (the twin is 0:
 * nothing to pair), 0 when the item was written and reported, or -1 when
 * it counts as a problem (already reported). */
static int write_dirty_pair(const struct mt_item *it, const char *twin,
			    const char *was, struct mt_journal *j, char *rb,
			    size_t rb_len, FILE *out)
{
	char tcur[64] = "";
	struct mt_err e = { 0 };
	int rc;

	if (mt_fs_read_line(twin, tcur, sizeof(tcur), &e) != 0) {
		fprintf(out, "failed   %s: %s\n", it->knob, e.msg);
		return -1;
	}
	if (strcmp(tcur, "0") == 0)
		return 1;
	if (mt_journal_write(j, twin, tcur, NULL, 0, &e) != 0) {
		fprintf(out, "failed   %s=%s: journaling %s first: %s\n",
			it->knob, it->value, twin, e.msg);
		return -1;
	}
	if (!is_bytes_form(it->path) || strcmp(was, "0") != 0) {
		/* Ratio over bytes: its own old value (0) is writable. */
		if (mt_journal_write(j, it->path, it->value, rb, rb_len, &e) !=
		    0) {
			fprintf(out, "failed   %s=%s: %s\n", it->knob,
				it->value, e.msg);
			return -1;
		}
		return report_write(it, was, rb, out) ? -1 : 0;
	}
	/* No undo entry of its own: the twin's entry above is the undo. */
	rc = mt_sys_trigger(it->path, it->value, &e);
	if (rc == 0)
		rc = mt_fs_read_line(it->path, rb, rb_len, &e);
	if (rc != 0) {
		fprintf(out, "failed   %s=%s: %s\n", it->knob, it->value,
			e.msg);
		return -1;
	}
	return report_write(it, was, rb, out) ? -1 : 0;
}

int mt_apply_item(const struct mt_item *it, const struct mt_apply_opts *o,
		  uint64_t mem_total, struct mt_journal *j, FILE *out)
{
	char why[256], cur[256] = "", rb[256] = "", word[128];
	struct mt_err e = { 0 };
	const char *twin;

	if (mt_apply_guarded(it->knob, it->value, mem_total, why,
			     sizeof(why)) &&
	    !listed(o->force, o->n_force, it->rule) &&
	    !listed(o->force, o->n_force, it->id)) {
		fprintf(out,
			"refused  %s=%s: %s (pass --force %s to apply "
			"it anyway)\n",
			it->knob, it->value, why, it->rule);
		return 1;
	}
	if (mt_fs_read_line(it->path, cur, sizeof(cur), &e) != 0) {
		fprintf(out, "failed   %s: %s\n", it->knob, e.msg);
		return 1;
	}
	mt_apply_selected(cur, word, sizeof(word));
	if (strcmp(word, it->value) == 0) {
		fprintf(out, "already  %s = %s\n", it->knob, it->value);
		return 0;
	}
	if (o->dry_run) {
		fprintf(out, "would set %s: %s -> %s (%s)\n", it->knob, word,
			it->value, it->path);
		return 0;
	}
	twin = dirty_twin(it->path);
	if (twin) {
		int rc = write_dirty_pair(it, twin, word, j, rb, sizeof(rb),
					  out);

		if (rc <= 0)
			return -rc;
		/* rc 1: an ordinary write is enough (the twin is 0). */
	}
	if (mt_journal_write(j, it->path, it->value, rb, sizeof(rb), &e) != 0) {
		fprintf(out, "failed   %s=%s: %s\n", it->knob, it->value,
			e.msg);
		return 1;
	}
	return report_write(it, cur, rb, out);
}

/* Installs what this apply applied (sel) as /etc/sysctl.d/99-memtune.conf:
 * the file is made here from the validated items, never copied from the
 * run directory. Knobs without a sysctl.d line are named with the way to
 * keep them. */
static int persist(const struct mt_advice *a, const bool *sel,
		   const struct mt_apply_opts *o, struct mt_journal *j,
		   FILE *out, int *problems, struct mt_err *err)
{
	char *conf = NULL, *warn = NULL;
	size_t lines = 0;
	int rc = 0, n;

	for (size_t i = 0; i < a->n; i++) {
		const struct mt_item *it = &a->items[i];
		struct mt_knob k;

		if (!sel[i])
			continue;
		if (it->sysctl[0]) {
			lines++;
			continue;
		}
		if (mt_knob_lookup(it->knob, 0, &k) == 0 && k.persist)
			fprintf(out, "not persisted %s = %s: %s\n", it->knob,
				it->value, k.persist);
	}
	if (lines == 0) {
		fprintf(out, "nothing to persist in %s: no sysctl was %s\n",
			SYSCTL_D_TARGET, o->dry_run ? "selected" : "applied");
		return 0;
	}
	conf = mt_advice_sysctl_conf_sel(a, sel);
	if (!conf)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "apply: out of memory");
	n = mt_sysctl_overrides(conf, &warn);
	if (o->dry_run) {
		fprintf(out, "would install %s (%s) with %zu setting%s:\n",
			SYSCTL_D_TARGET,
			mt_fs_exists(SYSCTL_D_TARGET) ?
				"replacing the existing file, backed up in the "
				"journal" :
				"new",
			lines, lines == 1 ? "" : "s");
		for (size_t i = 0; i < a->n; i++)
			if (sel[i] && a->items[i].sysctl[0])
				fprintf(out, "  %s = %s\n", a->items[i].sysctl,
					a->items[i].value);
	} else {
		rc = mt_journal_replace_file(j, SYSCTL_D_TARGET, conf, 0644,
					     err);
		if (rc == 0)
			fprintf(out, "installed %s (%zu setting%s)\n",
				SYSCTL_D_TARGET, lines, lines == 1 ? "" : "s");
	}
	if (n > 0 && warn) {
		fprintf(out, "warning: %d later setting%s override %s:\n%s", n,
			n == 1 ? "" : "s", MT_SYSCTL_D_NAME, warn);
		*problems += n;
	}
	free(warn);
	free(conf);
	return rc;
}

/* Reads advice.json: a regular file, not followed through a link (it
 * may come from anyone). Returns 0 or -errno with err set. */
static int read_advice(const char *what, const char *path, char **text,
		       size_t *len, struct mt_err *err)
{
	int rc = mt_file_read_untrusted(path, 16 << 20, text, len);

	if (rc == -ENOMEM)
		return mt_err_set(err, rc, MT_ERR_RUNTIME, "%s: out of memory",
				  what);
	if (rc == -EINVAL || rc == -EFBIG)
		return mt_err_set(err, rc, MT_ERR_INPUT,
				  "%s: %s is not a "
				  "regular file of at most 16 MiB",
				  what, path);
	if (rc < 0)
		return mt_err_set(
			err, rc, MT_ERR_INPUT, "%s: cannot read %s: %s%s", what,
			path, strerror(-rc),
			rc == -ELOOP ? " (a symbolic link: memtune reads only "
				       "the file itself)" :
				       " (run memtune advise "
				       "on the run directory first)");
	if (!*len) {
		free(*text);
		*text = NULL;
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT, "%s: %s is empty",
				  what, path);
	}
	return 0;
}

/* Checks --only and --force against the advice: an empty list, an id no
 * item has or a rule no item comes from is a usage error. */
static int check_names(const char *what, const struct mt_advice *a,
		       const struct mt_apply_opts *o, const char *path,
		       struct mt_err *err)
{
	if (o->only && o->n_only == 0)
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "%s: --only needs at least one item id "
				  "(ids are in %s)",
				  what, path);
	for (size_t k = 0; o->only && k < o->n_only; k++) {
		if (mt_advice_find(a, o->only[k]))
			continue;
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "%s: --only %s: no item of %s has that "
				  "id (see its \"id\" fields, or memtune "
				  "advise's table)",
				  what, o->only[k], path);
	}
	for (size_t k = 0; k < o->n_force; k++) {
		bool found = false;

		for (size_t i = 0; i < a->n && !found; i++)
			found = strcmp(a->items[i].rule, o->force[k]) == 0 ||
				strcmp(a->items[i].id, o->force[k]) == 0;
		for (size_t r = 0; r < mt_n_rules && !found; r++)
			found = strcmp(mt_rules[r]->name, o->force[k]) == 0;
		if (!found)
			return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
					  "%s: --force %s: no rule or item "
					  "of that name (rules: see memtune "
					  "advise --help)",
					  what, o->force[k]);
	}
	return 0;
}

/* True if item i is one this apply acts on. */
static bool selected_item(const struct mt_item *it,
			  const struct mt_apply_opts *o)
{
	return it->change && (!o->only || listed(o->only, o->n_only, it->id)) &&
	       (!o->verified_only || !strcmp(it->verdict, "improves"));
}

/* Derives each selected item's path and sysctl key from its knob through
 * core/knobs.c and checks its value; nothing in advice.json is taken as a
 * path. An item with a target whose knob is unknown, whose target path or
 * sysctl differs from the knob's, or whose value is out of range is an
 * input error naming advice.json:LINE. */
static int validate(const char *what, struct mt_advice *a,
		    const struct mt_apply_opts *o, const char *path,
		    const int *lines, size_t n_lines, uint64_t mem,
		    struct mt_err *err)
{
	char release[128] = "";
	int kernel;

	/* The range this kernel accepts (swappiness 150 is refused on 4.19,
	 * not on 6.x): an unknown kernel gets the newest ranges, and the
	 * kernel itself refuses the rest. */
	mt_fs_read_line("/proc/sys/kernel/osrelease", release, sizeof(release),
			NULL);
	kernel = mt_kernel_version(release);
	for (size_t i = 0; i < a->n; i++) {
		struct mt_item *it = &a->items[i];
		int line = i < n_lines ? lines[i] : 0;
		char why[640] = "";
		struct mt_knob k;
		int rc;

		if (!selected_item(it, o))
			continue;
		rc = mt_knob_lookup_kv(it->knob, mem, kernel, &k);
		if (rc == -ENOENT) {
			if (!it->path[0] && !it->sysctl[0])
				continue; /* printed for the operator */
			snprintf(why, sizeof(why),
				 "knob '%.64s' is not one "
				 "memtune applies (the table in core/knobs.c: "
				 "vm.*, kernel.numa_balancing, "
				 "transparent_hugepage.*, zswap.*, "
				 "lru_gen.enabled, hugepages-NkB."
				 "nr_hugepages)",
				 it->knob);
		} else if (rc == -EOPNOTSUPP) {
			snprintf(why, sizeof(why),
				 "this kernel (%.32s) has no "
				 "%.96s: it came with Linux %d.%d",
				 release, k.name, k.since / 1000,
				 k.since % 1000);
		} else if (it->path[0] && strcmp(it->path, k.path) != 0) {
			snprintf(why, sizeof(why),
				 "target.path '%.80s' is not "
				 "the file of %.96s (%.160s)",
				 it->path, k.name, k.path);
		} else if (it->sysctl[0] && strcmp(it->sysctl, k.sysctl)) {
			snprintf(why, sizeof(why),
				 "target.sysctl '%.64s' is "
				 "not %s's",
				 it->sysctl, k.name);
		} else {
			char tmp[512] = "";

			if (!mt_knob_check(&k, it->value, tmp, sizeof(tmp)))
				snprintf(why, sizeof(why), "%.96s: %s", k.name,
					 tmp);
		}
		if (why[0])
			return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
					  "%s: %s:%d: item '%.64s': %s; "
					  "nothing was applied",
					  what, path, line, it->id, why);
		snprintf(it->path, sizeof(it->path), "%s", k.path);
		snprintf(it->sysctl, sizeof(it->sysctl), "%s", k.sysctl);
	}
	return 0;
}

int mt_advice_load_checked(const char *what, const char *dir,
			   const struct mt_apply_opts *o, struct mt_advice *a,
			   uint64_t *mem_total, struct mt_err *err)
{
	char path[4096], *text = NULL;
	json_error_t jerr;
	json_t *root;
	int64_t mem = 0;
	int rc, *lines = NULL;
	size_t len = 0, n_lines = 0;

	memset(a, 0, sizeof(*a));
	snprintf(path, sizeof(path), "%s/advice.json", dir);
	rc = read_advice(what, path, &text, &len, err);
	if (rc < 0)
		return rc;
	root = mt_json_loadb(text, len, 0, &jerr);
	if (!root) {
		rc = mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				"%s: %s:%d:%d: %s: expected the JSON that "
				"'memtune advise' writes (run it again)",
				what, path, jerr.line, jerr.column, jerr.text);
		goto out;
	}
	rc = mt_advice_from_json(root, path, a, err);
	json_decref(root);
	if (rc < 0)
		goto out;
	lines = calloc(a->n ? a->n : 1, sizeof(*lines));
	if (!lines) {
		rc = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				"%s: out of memory", what);
		goto out;
	}
	n_lines = mt_json_array_lines(text, len, "items", lines, a->n);
	mt_fs_read_key("/proc/meminfo", "MemTotal", &mem, NULL);
	*mem_total = mem > 0 ? (uint64_t)mem << 10 : 0;
	rc = check_names(what, a, o, path, err);
	if (rc == 0)
		rc = validate(what, a, o, path, lines, n_lines, *mem_total,
			      err);
out:
	if (rc < 0)
		mt_advice_free(a);
	free(lines);
	free(text);
	return rc;
}

int mt_apply(const char *dir, const struct mt_apply_opts *o, FILE *out,
	     int *problems, struct mt_err *err)
{
	char jpath[4096] = "";
	struct mt_journal *j = NULL;
	struct mt_advice a = { 0 };
	uint64_t mem = 0;
	int rc, bad = 0;
	bool *sel = NULL;

	rc = mt_advice_load_checked("apply", dir, o, &a, &mem, err);
	if (rc < 0)
		return rc;
	sel = calloc(a.n ? a.n : 1, sizeof(*sel));
	if (!sel) {
		rc = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				"apply: out of memory");
		goto out;
	}
	if (!o->dry_run) {
		rc = mt_apply_check_privilege(o, "apply", err);
		if (rc == 0)
			rc = open_journal(o->journal_path, jpath, sizeof(jpath),
					  &j, err);
		if (rc < 0)
			goto out;
		fprintf(out,
			"journal: %s (memtune rollback undoes this "
			"apply)\n",
			jpath);
	}
	for (size_t i = 0; i < a.n; i++) {
		const struct mt_item *it = &a.items[i];

		if (!selected_item(it, o))
			continue;
		/* Like the sysctl.d file, a guess is not applied unless the
		 * operator names it or tune found it improving here. */
		if (it->confidence == MT_CONF_LOW && !o->only &&
		    !o->verified_only) {
			fprintf(out,
				"skipped  %s -> %s: low confidence (pass "
				"--only %s to apply it)\n",
				it->knob, it->recommended, it->id);
			continue;
		}
		if (!it->path[0]) {
			fprintf(out, "manual   %s -> %s: %s\n", it->knob,
				it->recommended, it->apply);
			continue;
		}
		if (mt_apply_item(it, o, (uint64_t)mem, j, out) == 0)
			sel[i] = true;
		else
			bad++;
	}
	if (o->persist)
		rc = persist(&a, sel, o, j, out, &bad, err);
	if (j)
		mt_journal_close(j);
	if (problems)
		*problems = bad;
out:
	free(sel);
	mt_advice_free(&a);
	return rc;
}

static FILE *log_out;

static void log_line(const char *line)
{
	fprintf(log_out, "restored %s\n", line);
}

int mt_rollback(const char *journal_path, FILE *out, struct mt_err *err)
{
	char path[4096];
	int rc = open_journal(journal_path, path, sizeof(path), NULL, err);

	if (rc < 0)
		return rc;
	if (!mt_journal_pending(path)) {
		fprintf(out, "nothing to roll back (no pending %s)\n", path);
		return 0;
	}
	log_out = out;
	rc = mt_journal_playback(path, log_line, err);
	if (rc == 0)
		fprintf(out, "rolled back every change recorded in %s\n", path);
	return rc;
}
