/* Unit tests for core/journal.c against a fake tree under MEMTUNE_FSROOT:
 * changes are undone exactly by finish, rollback_to undoes only what came
 * after the mark, a pending journal blocks an exclusive open, `memtune
 * restore` playback after a simulated crash (also with a malformed or a
 * cut-short line), directories, noted files and replaced files, failures
 * that keep their entry, and the default path. Swap cannot be faked; the
 * integration tests cover it.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers/fake_tree.h"
#include "helpers/fixtures.h"

#include "../../core/journal.h"

#define SWAPPINESS "/proc/sys/vm/swappiness"
#define THP "/sys/kernel/mm/transparent_hugepage/enabled"
#define NR_HUGE "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
#define CGROUP "/sys/fs/cgroup/memtune-test"
#define DEFRAG "/sys/kernel/mm/transparent_hugepage/defrag"
#define DROPIN "/etc/sysctl.d/99-memtune.conf"

struct tree {
	char root[MT_TEST_DIR_LEN]; /* first: see mt_test_dir_state */
	char journal[128];	    /* root/state/sub/run.journal */
};

/* Returns root + rel in a static buffer (one at a time). */
static const char *real(const struct tree *t, const char *rel)
{
	static char buf[2][512];
	static int which;

	which ^= 1;
	snprintf(buf[which], sizeof(buf[which]), "%s%s", t->root, rel);
	return buf[which];
}

/* Writes text to root + rel, creating the directories on the way. */
static void put(const struct tree *t, const char *rel, const char *text)
{
	mt_test_put(t->root, rel, text);
}

/* Reads the file at an absolute path into a static buffer ("" on error
 * with a marker). */
static const char *slurp(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return "<missing>";
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Reads root + rel. */
static const char *get(const struct tree *t, const char *rel)
{
	return slurp(real(t, rel));
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Number of newline-terminated lines in the file at path. */
static int count_lines(const char *path)
{
	const char *text = slurp(path);
	int n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

/* A new journal (exclusive open) that has set swappiness to 10. */
static struct mt_journal *open_swappiness_10(const struct tree *t)
{
	struct mt_journal *j;
	struct mt_err err = { 0 };

	assert_int_equal(mt_journal_open(t->journal, true, &j, &err), 0);
	assert_int_equal(mt_journal_write(j, SWAPPINESS, "10", NULL, 0, &err),
			 0);
	return j;
}

/* Swappiness 1, and a journal that would set it back to 60 and whose
 * second line was cut short by a crash. */
static void put_cut_journal(const struct tree *t)
{
	char text[1024];

	put(t, SWAPPINESS, "1\n");
	snprintf(text, sizeof(text),
		 "{\"op\":\"write\",\"path\":\"%s\",\"value\":\"60\"}\n"
		 "{\"op\":\"rmdir\",\"pa",
		 real(t, SWAPPINESS));
	put(t, "/state/sub/run.journal", text);
}

static int setup_tree(void **state)
{
	struct tree *t = mt_test_dir_state(sizeof(*t), "journal");

	if (!t)
		return -1;
	snprintf(t->journal, sizeof(t->journal), "%s/state/sub/run.journal",
		 t->root);
	put(t, SWAPPINESS, "60\n");
	put(t, THP, "always [madvise] never\n");
	put(t, NR_HUGE, "0\n");
	put(t, "/proc/sys/vm/drop_caches", "0\n");
	put(t, "/etc/sysctl.d/10-old.conf", "vm.swappiness = 60\n");
	assert_int_equal(chmod(real(t, "/etc/sysctl.d/10-old.conf"), 0644), 0);
	assert_int_equal(mkdir(real(t, "/sys/fs"), 0755), 0);
	assert_int_equal(mkdir(real(t, "/sys/fs/cgroup"), 0755), 0);
	setenv("MEMTUNE_FSROOT", t->root, 1);
	*state = t;
	return 0;
}

static int teardown_tree(void **state)
{
	return mt_test_dir_teardown(state);
}

/* Playback log lines, collected for the tests. */
static char log_lines[16][1100];
static int n_log;

static void collect(const char *line)
{
	if (n_log < 16)
		snprintf(log_lines[n_log], sizeof(log_lines[0]), "%s", line);
	n_log++;
}

static void test_write_then_finish_restores(void **state)
{
	struct tree *t = *state;
	struct mt_journal *j;
	struct mt_err err = { 0 };
	char rb[64];

	assert_int_equal(mt_journal_open(t->journal, true, &j, &err), 0);
	assert_true(exists(t->journal));
	assert_int_equal(mt_journal_write(j, SWAPPINESS, "10", rb, sizeof(rb),
					  &err),
			 0);
	assert_string_equal(rb, "10");
	assert_string_equal(get(t, SWAPPINESS), "10\n");
	assert_int_equal(mt_journal_write(j, THP, "always", rb, sizeof(rb),
					  &err),
			 0);
	assert_string_equal(rb, "always");
	assert_int_equal(mt_journal_write(j, NR_HUGE, "4", NULL, 0, &err), 0);
	assert_string_equal(get(t, NR_HUGE), "4\n");
	assert_int_equal(mt_journal_count(j), 3);
	assert_true(mt_journal_pending(t->journal));
	assert_int_equal(count_lines(t->journal), 3);

	assert_int_equal(mt_journal_finish(j, &err), 0);
	assert_string_equal(get(t, SWAPPINESS), "60\n");
	/* The selected word, not the whole choice line, goes back. */
	assert_string_equal(get(t, THP), "madvise\n");
	assert_string_equal(get(t, NR_HUGE), "0\n");
	assert_false(exists(t->journal));
	assert_false(mt_journal_pending(t->journal));
}

static void test_brackets_only_in_choice_files(void **state)
{
	struct tree *t = *state;
	struct mt_journal *j;
	struct mt_err err = { 0 };
	char rb[64];

	put(t, "/proc/sys/kernel/core_pattern", "core.[%p] %e\n");
	put(t, DEFRAG, "always defer defer+madvise [madvise] never\n");
	assert_int_equal(mt_journal_open(t->journal, true, &j, &err), 0);
	/* Not a knob memtune changes: refused before anything is written. */
	assert_int_equal(mt_journal_write(j, "/proc/sys/kernel/core_pattern",
					  "core", NULL, 0, &err),
			 -EPERM);
	assert_non_null(strstr(err.msg, "not a knob memtune changes"));
	assert_int_equal(mt_journal_count(j), 0);
	assert_int_equal(mt_journal_write(j, DEFRAG, "defer", rb, sizeof(rb),
					  &err),
			 0);
	assert_string_equal(rb, "defer");
	/* Out of the knob's range: refused too. */
	assert_int_equal(mt_journal_write(j, SWAPPINESS, "250", NULL, 0, &err),
			 -EPERM);
	assert_non_null(strstr(err.msg, "outside 0..200"));
	assert_string_equal(get(t, SWAPPINESS), "60\n");
	assert_int_equal(mt_journal_finish(j, &err), 0);
	assert_string_equal(get(t, "/proc/sys/kernel/core_pattern"),
			    "core.[%p] %e\n");
	assert_string_equal(get(t, DEFRAG), "madvise\n");
}

static void test_entries_stored_resolved(void **state)
{
	struct tree *t = *state;
	struct mt_journal *j;
	struct mt_err err = { 0 };
	char want[512];

	assert_int_equal(mt_journal_open(t->journal, true, &j, &err), 0);
	assert_int_equal(mt_journal_write(j, THP, "never", NULL, 0, &err), 0);
	snprintf(want, sizeof(want),
		 "{\"op\":\"write\",\"path\":\"%s\",\"value\":\"madvise\"}\n",
		 real(t, THP));
	assert_string_equal(slurp(t->journal), want);
	mt_journal_close(j);
	/* Played back under another root, the entry names nothing memtune
	 * changes there: refused, and the journal is kept. */
	unsetenv("MEMTUNE_FSROOT");
	assert_int_equal(mt_journal_playback(t->journal, NULL, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not a knob memtune changes"));
	assert_string_equal(get(t, THP), "never\n");
	setenv("MEMTUNE_FSROOT", t->root, 1);
	assert_int_equal(mt_journal_playback(t->journal, NULL, &err), 0);
	assert_string_equal(get(t, THP), "madvise\n");
}

static void test_mark_rollback_undoes_only_later(void **state)
{
	struct tree *t = *state;
	struct mt_journal *j;
	struct mt_err err = { 0 };
	size_t mark;

	j = open_swappiness_10(t);
	mark = mt_journal_mark(j);
	assert_int_equal(mark, 1);
	assert_int_equal(mt_journal_write(j, SWAPPINESS, "20", NULL, 0, &err),
			 0);
	assert_int_equal(mt_journal_write(j, NR_HUGE, "4", NULL, 0, &err), 0);
	assert_int_equal(mt_journal_mkdir(j, CGROUP, &err), 0);
	assert_true(exists(real(t, CGROUP)));
	/* mkdir: the removal, then the directory's device and inode. */
	assert_int_equal(mt_journal_count(j), 5);

	assert_int_equal(mt_journal_rollback_to(j, mark, &err), 0);
	assert_int_equal(mt_journal_count(j), 1);
	assert_string_equal(get(t, SWAPPINESS), "10\n");
	assert_string_equal(get(t, NR_HUGE), "0\n");
	assert_false(exists(real(t, CGROUP)));
	assert_int_equal(count_lines(t->journal), 1);
	/* Rolling back to the same mark again changes nothing. */
	assert_int_equal(mt_journal_rollback_to(j, mark, &err), 0);
	assert_string_equal(get(t, SWAPPINESS), "10\n");

	/* New entries go after the kept one and playback still works. */
	assert_int_equal(mt_journal_write(j, THP, "never", NULL, 0, &err), 0);
	assert_int_equal(count_lines(t->journal), 2);
	assert_int_equal(mt_journal_finish(j, &err), 0);
	assert_string_equal(get(t, SWAPPINESS), "60\n");
	assert_string_equal(get(t, THP), "madvise\n");
	assert_false(exists(t->journal));
}

static void test_exclusive_open_refuses_pending(void **state)
{
	struct tree *t = *state;
	struct mt_journal *j, *j2 = NULL;
	struct mt_err err = { 0 };

	j = open_swappiness_10(t);
	mt_journal_close(j);

	assert_true(mt_journal_pending(t->journal));
	assert_int_equal(mt_journal_open(t->journal, true, &j2, &err), -EEXIST);
	assert_null(j2);
	assert_int_equal(err.kind, MT_ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "memtune restore"));
	assert_non_null(strstr(err.msg, t->journal));
	/* Nothing was undone or lost by the refusal. */
	assert_string_equal(get(t, SWAPPINESS), "10\n");
	assert_int_equal(count_lines(t->journal), 1);

	/* A non-exclusive open takes the old entries over, appends after
	 * them, and finish undoes both sessions newest first. */
	assert_int_equal(mt_journal_open(t->journal, false, &j2, &err), 0);
	assert_int_equal(mt_journal_count(j2), 1);
	assert_int_equal(mt_journal_write(j2, SWAPPINESS, "20", NULL, 0, &err),
			 0);
	assert_int_equal(count_lines(t->journal), 2);
	assert_int_equal(mt_journal_finish(j2, &err), 0);
	assert_string_equal(get(t, SWAPPINESS), "60\n");
	assert_false(exists(t->journal));
}

static void test_exclusive_open_of_empty_journal(void **state)
{
	struct tree *t = *state;
	struct mt_journal *j;
	struct mt_err err = { 0 };

	put(t, "/state/sub/run.journal", "\n\n");
	assert_false(mt_journal_pending(t->journal));
	assert_int_equal(mt_journal_open(t->journal, true, &j, &err), 0);
	assert_int_equal(mt_journal_count(j), 0);
	assert_int_equal(mt_journal_write(j, SWAPPINESS, "5", NULL, 0, &err),
			 0);
	assert_int_equal(count_lines(t->journal), 1);
	assert_int_equal(mt_journal_finish(j, &err), 0);
	assert_string_equal(get(t, SWAPPINESS), "60\n");
}

static void test_second_handle_is_locked_out(void **state)
{
	struct tree *t = *state;
	struct mt_journal *j, *j2 = NULL;
	struct mt_err err = { 0 };

	j = open_swappiness_10(t);
	assert_int_equal(mt_journal_open(t->journal, false, &j2, &err), -EBUSY);
	assert_non_null(strstr(err.msg, "in use by another memtune"));
	/* restore must not undo the changes of a run still going. */
	assert_int_equal(mt_journal_playback(t->journal, NULL, &err), -EBUSY);
	assert_string_equal(get(t, SWAPPINESS), "10\n");
	assert_int_equal(mt_journal_finish(j, &err), 0);
	assert_string_equal(get(t, SWAPPINESS), "60\n");
}

static void test_forked_worker_holds_no_lock(void **state)
{
	struct tree *t = *state;
	struct mt_journal *j;
	struct mt_err err = { 0 };
	int go[2], ready[2], status;
	char c;
	pid_t pid;

	j = open_swappiness_10(t);
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* A worker cannot undo the parent's changes ... */
		int ret = mt_journal_finish(j, &err);

		close(go[1]);
		close(ready[0]);
		/* Past fork, so its copy of the descriptor is closed. */
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		/* ... and lives on after the parent lets go. */
		while (read(go[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(ret == -EBADF && strstr(err.msg, "forked worker") ? 0 :
									  1);
	}
	close(go[0]);
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	/* The run "dies" while its worker is still alive: restore must not
	 * be locked out by the worker's inherited descriptor. */
	mt_journal_close(j);
	assert_int_equal(mt_journal_playback(t->journal, NULL, &err), 0);
	assert_string_equal(get(t, SWAPPINESS), "60\n");
	close(go[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_playback_after_crash(void **state)
{
	struct tree *t = *state;
	struct mt_journal *j;
	struct mt_err err = { 0 };

	assert_int_equal(mt_journal_open(t->journal, true, &j, &err), 0);
	assert_int_equal(mt_journal_write(j, SWAPPINESS, "1", NULL, 0, &err),
			 0);
	assert_int_equal(mt_journal_write(j, THP, "never", NULL, 0, &err), 0);
	assert_int_equal(mt_journal_write(j, NR_HUGE, "4", NULL, 0, &err), 0);
	assert_int_equal(mt_journal_mkdir(j, CGROUP, &err), 0);
	/* The "crash": the handle goes away without finish. */
	mt_journal_close(j);
	assert_string_equal(get(t, NR_HUGE), "4\n");
	assert_true(mt_journal_pending(t->journal));

	n_log = 0;
	assert_int_equal(mt_journal_playback(t->journal, collect, &err), 0);
	assert_string_equal(get(t, SWAPPINESS), "60\n");
	assert_string_equal(get(t, THP), "madvise\n");
	assert_string_equal(get(t, NR_HUGE), "0\n");
	assert_false(exists(real(t, CGROUP)));
	assert_false(exists(t->journal));
	/* One line per entry, newest first. */
	assert_int_equal(n_log, 4);
	assert_non_null(strstr(log_lines[0], "removed directory"));
	assert_non_null(strstr(log_lines[3], "wrote '60' back to"));
	assert_non_null(strstr(log_lines[3], SWAPPINESS));
}

static void test_playback_without_journal(void **state)
{
	struct tree *t = *state;
	struct mt_err err = { 0 };

	n_log = 0;
	assert_int_equal(mt_journal_playback(t->journal, collect, &err), 0);
	assert_int_equal(n_log, 0);
	assert_int_equal(err.kind, MT_ERR_NONE);
}

static void test_playback_malformed_line(void **state)
{
	struct tree *t = *state;
	struct mt_err err = { 0 };
	char text[2048], want[256];

	put(t, SWAPPINESS, "1\n");
	put(t, NR_HUGE, "4\n");
	snprintf(text, sizeof(text),
		 "{\"op\":\"write\",\"path\":\"%s\",\"value\":\"60\"}\n"
		 "{\"op\":\"write\",\"path\":\n"
		 "{\"op\":\"write\",\"path\":\"%s\",\"value\":\"0\"}\n"
		 "{\"op\":\"chmod\",\"path\":\"%s\"}\n",
		 real(t, SWAPPINESS), real(t, NR_HUGE), real(t, "/x"));
	put(t, "/state/sub/run.journal", text);

	n_log = 0;
	assert_int_equal(mt_journal_playback(t->journal, collect, &err),
			 -EINVAL);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	snprintf(want, sizeof(want), "%s:2: not valid JSON", t->journal);
	assert_non_null(strstr(err.msg, want));
	assert_non_null(strstr(err.msg, "memtune restore"));
	/* The good entries were undone anyway. */
	assert_string_equal(get(t, SWAPPINESS), "60\n");
	assert_string_equal(get(t, NR_HUGE), "0\n");
	/* The file is kept for a person to look at. */
	assert_true(mt_journal_pending(t->journal));
	/* Both bad lines were reported, the unknown op too. */
	snprintf(want, sizeof(want), "%s:4: skipped: unknown \"op\"",
		 t->journal);
	assert_int_equal(n_log, 4);
	assert_string_equal(log_lines[1], want);

	/* An exclusive open refuses, a non-exclusive one names the line. */
	{
		struct mt_journal *j = NULL;

		assert_int_equal(mt_journal_open(t->journal, false, &j, &err),
				 -EINVAL);
		assert_null(j);
		assert_int_equal(err.kind, MT_ERR_INPUT);
		snprintf(want, sizeof(want), "%s:2:", t->journal);
		assert_non_null(strstr(err.msg, want));
	}
}

static void test_playback_skips_cut_last_line(void **state)
{
	struct tree *t = *state;
	struct mt_err err = { 0 };

	put_cut_journal(t);
	n_log = 0;
	assert_int_equal(mt_journal_playback(t->journal, collect, &err), 0);
	assert_string_equal(get(t, SWAPPINESS), "60\n");
	assert_false(exists(t->journal));
	assert_int_equal(n_log, 2);
	assert_non_null(strstr(log_lines[0], "cut short"));
}

static void test_open_drops_cut_last_line(void **state)
{
	struct tree *t = *state;
	struct mt_journal *j;
	struct mt_err err = { 0 };

	put_cut_journal(t);
	assert_int_equal(mt_journal_open(t->journal, false, &j, &err), 0);
	assert_int_equal(mt_journal_count(j), 1);
	assert_int_equal(mt_journal_write(j, NR_HUGE, "3", NULL, 0, &err), 0);
	/* The new entry starts a line of its own. */
	assert_int_equal(count_lines(t->journal), 2);
	mt_journal_close(j);
	assert_int_equal(mt_journal_playback(t->journal, NULL, &err), 0);
	assert_string_equal(get(t, SWAPPINESS), "60\n");
	assert_string_equal(get(t, NR_HUGE), "0\n");
}

static void test_mkdir_files_undone(void **state)
{
	struct tree *t = *state;
	struct mt_journal *j;
	struct mt_err err = { 0 };
	struct stat st;

	assert_int_equal(mt_journal_open(t->journal, true, &j, &err), 0);
	assert_int_equal(mt_journal_mkdir(j, CGROUP, &err), 0);
	assert_int_equal(mt_journal_mkdir(j, CGROUP "/child", &err), 0);
	assert_int_equal(mt_journal_note_file(j, "/var/tmp/memtune-swapfile",
					      &err),
			 0);
	put(t, "/var/tmp/memtune-swapfile", "data");
	assert_int_equal(mt_journal_bind(j, "/var/tmp/memtune-swapfile", -1,
					 &err),
			 0);
	/* Only memtune's own sysctl.d file may be replaced. */
	assert_int_equal(mt_journal_replace_file(j, "/etc/sysctl.d/10-old.conf",
						 "vm.swappiness = 1\n", 0600,
						 &err),
			 -EPERM);
	assert_non_null(strstr(err.msg, "not the file memtune installs"));
	/* Nor a file not named memtune-*. */
	assert_int_equal(mt_journal_note_file(j, "/var/tmp/swapfile", &err),
			 -EPERM);
	assert_int_equal(mt_journal_replace_file(j, DROPIN,
						 "vm.swappiness = 10\n", 0640,
						 &err),
			 0);
	assert_string_equal(get(t, "/etc/sysctl.d/10-old.conf"),
			    "vm.swappiness = 60\n");
	assert_int_equal(stat(real(t, "/etc/sysctl.d/99-memtune.conf"), &st),
			 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_string_equal(get(t, "/etc/sysctl.d/99-memtune.conf"),
			    "vm.swappiness = 10\n");
	assert_int_equal(mt_journal_count(j), 7);
	{
		int fd = -1;

		assert_int_equal(mt_journal_create_file(j,
							"/var/tmp/memtune-made",
							O_WRONLY, 0600, &fd,
							&err),
				 0);
		assert_true(fd >= 0);
		close(fd);
		/* Never over an existing file: the entry is dropped again. */
		assert_int_equal(mt_journal_create_file(j,
							"/var/tmp/memtune-made",
							O_WRONLY, 0600, &fd,
							&err),
				 -EEXIST);
		assert_int_equal(fd, -1);
		assert_int_equal(mt_journal_count(j), 9);
	}

	assert_int_equal(mt_journal_finish(j, &err), 0);
	assert_false(exists(real(t, "/var/tmp/memtune-made")));
	assert_false(exists(real(t, CGROUP)));
	assert_false(exists(real(t, "/var/tmp/memtune-swapfile")));
	assert_false(exists(real(t, "/etc/sysctl.d/99-memtune.conf")));
	assert_string_equal(get(t, "/etc/sysctl.d/10-old.conf"),
			    "vm.swappiness = 60\n");
	assert_int_equal(stat(real(t, "/etc/sysctl.d/10-old.conf"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_false(exists(t->journal));
}

static void test_refuses_what_is_not_ours(void **state)
{
	struct tree *t = *state;
	struct mt_journal *j;
	struct mt_err err = { 0 };

	put(t, "/var/tmp/existing", "keep me");
	put(t, "/etc/bin.conf", "");
	assert_int_equal(truncate(real(t, "/etc/bin.conf"), 8), 0);
	assert_int_equal(mt_journal_open(t->journal, true, &j, &err), 0);
	/* Playback would delete them: refuse instead. */
	assert_int_equal(mt_journal_mkdir(j, "/sys/fs/cgroup", &err), -EEXIST);
	assert_non_null(strstr(err.msg, "already exists"));
	assert_int_equal(mt_journal_note_file(j, "/var/tmp/existing", &err),
			 -EEXIST);
	/* A binary file cannot be kept as journal text. */
	assert_int_equal(mt_journal_replace_file(j, "/etc/bin.conf", "x", 0644,
						 &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "not a text file"));
	/* A setting that cannot be read is not changed. */
	assert_int_equal(mt_journal_write(j,
					  "/proc/sys/vm/watermark_scale_factor",
					  "1", NULL, 0, &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "cannot read the current value"));
	assert_non_null(strstr(err.msg, "/proc/sys/vm/watermark_scale_factor"));
	/* A directory that cannot be made leaves no entry behind. */
	assert_int_equal(mt_journal_mkdir(j, CGROUP "-none/dir", &err),
			 -ENOENT);
	assert_int_equal(mt_journal_count(j), 0);
	assert_int_equal(count_lines(t->journal), 0);
	assert_int_equal(mt_journal_finish(j, &err), 0);
	assert_string_equal(get(t, "/var/tmp/existing"), "keep me");
	assert_true(exists(real(t, "/sys/fs/cgroup")));
}

static void test_failed_undo_keeps_entry(void **state)
{
	struct tree *t = *state;
	struct mt_journal *j;
	struct mt_err err = { 0 };

	j = open_swappiness_10(t);
	assert_int_equal(mt_journal_mkdir(j, "/sys/fs/cgroup/memtune-scratch",
					  &err),
			 0);
	assert_int_equal(mt_journal_write(j, NR_HUGE, "4", NULL, 0, &err), 0);
	/* Someone leaves a file in our directory: rmdir fails. */
	put(t, "/sys/fs/cgroup/memtune-scratch/stray", "x");

	assert_int_equal(mt_journal_rollback_to(j, 0, &err), -ENOTEMPTY);
	assert_non_null(strstr(err.msg, "cannot remove directory"));
	assert_non_null(strstr(err.msg, "/sys/fs/cgroup/memtune-scratch"));
	/* The others were undone; the failed one stays, on disk too. */
	assert_string_equal(get(t, SWAPPINESS), "60\n");
	assert_string_equal(get(t, NR_HUGE), "0\n");
	assert_int_equal(mt_journal_count(j), 1);
	assert_int_equal(count_lines(t->journal), 1);
	assert_non_null(strstr(slurp(t->journal), "\"op\":\"rmdir\""));

	/* finish fails the same way and keeps the file for restore. */
	assert_int_equal(mt_journal_finish(j, &err), -ENOTEMPTY);
	assert_true(mt_journal_pending(t->journal));
	assert_int_equal(mt_journal_playback(t->journal, NULL, &err),
			 -ENOTEMPTY);
	assert_non_null(strstr(err.msg, "is kept"));
	assert_true(exists(t->journal));

	unlink(real(t, "/sys/fs/cgroup/memtune-scratch/stray"));
	assert_int_equal(mt_journal_playback(t->journal, NULL, &err), 0);
	assert_false(exists(real(t, "/sys/fs/cgroup/memtune-scratch")));
	assert_false(exists(t->journal));
}

/* A journal someone else could have written names things memtune never
 * changes: each such entry is refused and named, the rest played back. */
static void test_playback_refuses_foreign_entries(void **state)
{
	struct tree *t = *state;
	struct mt_err err = { 0 };
	char text[8192], *p[7];

	put(t, "/etc/victim", "keep\n");
	put(t, "/etc/shadow", "root:x\n");
	put(t, "/proc/meminfo", "MemTotal: 1048576 kB\n");
	put(t, SWAPPINESS, "1\n");
	assert_int_equal(mkdir(real(t, "/sys/fs/cgroup/system.slice"), 0755),
			 0);
	/* real() keeps two results at a time: copy them. */
	p[0] = strdup(real(t, SWAPPINESS));
	p[1] = strdup(real(t, "/etc/victim"));
	p[2] = strdup(real(t, "/etc/shadow"));
	p[3] = strdup(real(t, "/sys/fs/cgroup/system.slice"));
	p[4] = strdup(real(t, "/etc/cron.d/evil"));
	p[5] = strdup(real(t, DROPIN));
	p[6] = strdup(real(t, "/sys/fs/cgroup/memtune-x/cgroup.procs"));
	snprintf(text, sizeof(text),
		 "{\"op\":\"write\",\"path\":\"%s\",\"value\":\"60\"}\n"
		 "{\"op\":\"write\",\"path\":\"%s\",\"value\":\"pwned\"}\n"
		 "{\"op\":\"unlink\",\"path\":\"%s\"}\n"
		 "{\"op\":\"rmdir\",\"path\":\"%s\"}\n"
		 "{\"op\":\"write\",\"path\":\"%s\",\"value\":\"250\"}\n"
		 "{\"op\":\"restore_file\",\"path\":\"%s\",\"existed\":true,"
		 "\"content\":\"x\",\"mode\":2541}\n"
		 "{\"op\":\"restore_file\",\"path\":\"%s\",\"existed\":true,"
		 "\"content\":\"kernel.core_pattern = |/tmp/x\\n\","
		 "\"mode\":420}\n"
		 "{\"op\":\"write\",\"path\":\"%s/sys/../etc/victim\","
		 "\"value\":\"1\"}\n"
		 "{\"op\":\"write\",\"path\":\"%s\",\"value\":\"1\"}\n",
		 p[0], p[1], p[2], p[3], p[0], p[4], p[5], t->root, p[6]);
	for (int i = 0; i < 7; i++)
		free(p[i]);
	put(t, "/state/sub/run.journal", text);

	n_log = 0;
	assert_int_equal(mt_journal_playback(t->journal, collect, &err),
			 -EINVAL);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	assert_string_equal(get(t, "/etc/victim"), "keep\n");
	assert_string_equal(get(t, "/etc/shadow"), "root:x\n");
	assert_true(exists(real(t, "/sys/fs/cgroup/system.slice")));
	assert_false(exists(real(t, "/etc/cron.d/evil")));
	assert_false(exists(real(t, DROPIN)));
	/* The one good entry was played back. */
	assert_string_equal(get(t, SWAPPINESS), "60\n");
	/* Eight refusals and the one undo, each named. */
	assert_int_equal(n_log, 9);
	assert_non_null(strstr(log_lines[0], "/etc/victim is not a knob"));
	assert_non_null(strstr(log_lines[1], "not a file memtune creates"));
	assert_non_null(strstr(log_lines[2], "not a cgroup memtune creates"));
	assert_non_null(strstr(log_lines[3], "outside 0..200"));
	assert_non_null(strstr(log_lines[4], "not the file memtune installs"));
	assert_non_null(strstr(log_lines[5], "core_pattern"));
	assert_non_null(strstr(log_lines[6], "\"..\" components"));
	assert_non_null(strstr(log_lines[7], "not a cgroup file memtune"));
	/* Kept for a person: fix or delete those lines. */
	assert_true(mt_journal_pending(t->journal));
}

/* What memtune created is removed only while it is still that file: a
 * file put in its place is left alone. */
static void test_identity_checked_before_removal(void **state)
{
	struct tree *t = *state;
	struct mt_journal *j;
	struct mt_err err = { 0 };
	const char *f = "/var/tmp/memtune-made";

	assert_int_equal(mt_journal_open(t->journal, true, &j, &err), 0);
	assert_int_equal(mt_journal_note_file(j, f, &err), 0);
	put(t, f, "ours");
	assert_int_equal(mt_journal_bind(j, f, -1, &err), 0);
	assert_int_equal(mt_journal_mkdir(j, CGROUP, &err), 0);
	mt_journal_close(j); /* as if killed */
	assert_non_null(strstr(slurp(t->journal), "\"ino\":"));

	/* Someone swaps both for their own: made while ours still exist,
	 * so that they cannot reuse our inode numbers, then renamed into
	 * place. */
	put(t, "/var/tmp/theirs", "theirs");
	{
		char from[4096];

		snprintf(from, sizeof(from), "%s", real(t, "/var/tmp/theirs"));
		assert_int_equal(rename(from, real(t, f)), 0);
		snprintf(from, sizeof(from), "%s", real(t, CGROUP "-theirs"));
		assert_int_equal(mkdir(from, 0755), 0);
		assert_int_equal(rmdir(real(t, CGROUP)), 0);
		assert_int_equal(rename(from, real(t, CGROUP)), 0);
	}

	n_log = 0;
	assert_int_equal(mt_journal_playback(t->journal, collect, &err),
			 -EPERM);
	assert_non_null(strstr(err.msg, "device and inode differ"));
	assert_string_equal(get(t, f), "theirs");
	assert_true(exists(real(t, CGROUP)));
	assert_true(exists(t->journal));
	/* The unchecked "about to create" entries did not act either. */
	assert_int_equal(n_log, 2);
}

/* The state directory and the journal are trusted only when they are
 * the user's own and nobody else can write them. */
static void test_untrusted_state_dir_refused(void **state)
{
	struct tree *t = *state;
	struct mt_journal *j = NULL;
	struct mt_err err = { 0 };
	char dir[256], link[300];

	if (geteuid() != 0)
		skip();
	snprintf(dir, sizeof(dir), "%s/state/sub", t->root);
	put(t, "/state/sub/run.journal", "");
	put(t, SWAPPINESS, "1\n");

	/* Group- or world-writable directory. */
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(mt_journal_open(t->journal, true, &j, &err), -EPERM);
	assert_non_null(strstr(err.msg, "can be written by others"));
	assert_int_equal(mt_journal_playback(t->journal, NULL, &err), -EPERM);
	assert_int_equal(chmod(dir, 0700), 0);

	/* Another user's directory. */
	assert_int_equal(chown(dir, 65534, 65534), 0);
	assert_int_equal(mt_journal_playback(t->journal, NULL, &err), -EPERM);
	assert_non_null(strstr(err.msg, "belongs to uid 65534"));
	assert_int_equal(chown(dir, 0, 0), 0);

	/* A journal that is a link, or another user's file. */
	snprintf(link, sizeof(link), "%s", t->journal);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink(real(t, SWAPPINESS), link), 0);
	assert_int_equal(mt_journal_playback(t->journal, NULL, &err), -ELOOP);
	assert_non_null(strstr(err.msg, "symbolic link"));
	assert_int_equal(mt_journal_open(t->journal, true, &j, &err), -ELOOP);
	assert_string_equal(get(t, SWAPPINESS), "1\n");
	assert_int_equal(unlink(link), 0);
	put(t, "/state/sub/run.journal", "");
	assert_int_equal(chown(t->journal, 65534, 65534), 0);
	assert_int_equal(mt_journal_playback(t->journal, NULL, &err), -EPERM);
	assert_non_null(strstr(err.msg, "not a regular file of yours"));
	assert_null(j);
}

static void test_undo_is_idempotent(void **state)
{
	struct tree *t = *state;
	struct mt_journal *j;
	struct mt_err err = { 0 };

	assert_int_equal(mt_journal_open(t->journal, true, &j, &err), 0);
	assert_int_equal(mt_journal_mkdir(j, CGROUP, &err), 0);
	assert_int_equal(mt_journal_note_file(j, "/var/tmp/memtune-never-made",
					      &err),
			 0);
	/* Already gone by the time we undo: counts as undone. */
	assert_int_equal(rmdir(real(t, CGROUP)), 0);
	assert_int_equal(mt_journal_finish(j, &err), 0);
	assert_false(exists(t->journal));
}

static void test_sys_trigger(void **state)
{
	struct tree *t = *state;
	struct mt_err err = { 0 };

	assert_int_equal(mt_sys_trigger("/proc/sys/vm/drop_caches", "3", &err),
			 0);
	assert_string_equal(get(t, "/proc/sys/vm/drop_caches"), "3\n");
	assert_false(exists(t->journal));
	assert_int_equal(mt_sys_trigger("/proc/sys/vm/compact_nothing", "1",
					&err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "cannot write '1' to"));
	assert_non_null(strstr(err.msg, "compact_nothing"));
}

static void test_default_path(void **state)
{
	struct mt_err err = { 0 };
	char buf[256], small[8];

	(void)state;
	setenv("MEMTUNE_STATE_DIR", "/srv/state", 1);
	assert_int_equal(mt_journal_default_path("run.journal", buf,
						 sizeof(buf), &err),
			 0);
	assert_string_equal(buf, "/srv/state/run.journal");
	assert_int_equal(mt_journal_default_path("run.journal", small,
						 sizeof(small), &err),
			 -ENAMETOOLONG);
	assert_non_null(strstr(err.msg, "MEMTUNE_STATE_DIR"));
	unsetenv("MEMTUNE_STATE_DIR");
	assert_int_equal(mt_journal_default_path("apply.journal", buf,
						 sizeof(buf), &err),
			 0);
	if (geteuid() == 0)
		assert_string_equal(buf, "/var/lib/memtune/apply.journal");
	else
		assert_non_null(strstr(buf, "/memtune/apply.journal"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup_tree, teardown_tree)
		T(test_write_then_finish_restores),
		T(test_brackets_only_in_choice_files),
		T(test_entries_stored_resolved),
		T(test_mark_rollback_undoes_only_later),
		T(test_exclusive_open_refuses_pending),
		T(test_exclusive_open_of_empty_journal),
		T(test_second_handle_is_locked_out),
		T(test_forked_worker_holds_no_lock),
		T(test_playback_after_crash),
		T(test_playback_without_journal),
		T(test_playback_malformed_line),
		T(test_playback_skips_cut_last_line),
		T(test_open_drops_cut_last_line),
		T(test_mkdir_files_undone),
		T(test_refuses_what_is_not_ours),
		T(test_failed_undo_keeps_entry),
		T(test_playback_refuses_foreign_entries),
		T(test_identity_checked_before_removal),
		T(test_untrusted_state_dir_refused),
		T(test_undo_is_idempotent),
		T(test_sys_trigger),
		T(test_default_path),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
