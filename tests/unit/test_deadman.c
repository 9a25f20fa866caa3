/* Unit tests for core/deadman.c: the watchdog fires when the process that
 * armed it is killed or exits without disarming, and stays quiet after a
 * disarm. The command it runs appends to a file the test then reads. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../core/deadman.h"

enum end { KILLED, EXITS, DISARMS };

static char dir[] = "/tmp/mt-deadman-XXXXXX";

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Lines in the flag file after waiting up to ms for the first. */
static int fired(const char *flag, int ms)
{
	for (int t = 0; t <= ms; t += 20) {
		FILE *f = fopen(flag, "r");
		int lines = 0, c;

		if (f) {
			while ((c = fgetc(f)) != EOF)
				lines += c == '\n';
			fclose(f);
			if (lines)
				return lines;
		}
		sleep_ms(20);
	}
	return 0;
}

/* A child arms the switch (the command appends a line to flag), says so
 * on a pipe, then ends as `how` says. Returns the lines in flag. */
static int run_child(enum end how, const char *flag, int wait_ms)
{
	char cmd[512];
	int p[2], status;
	pid_t pid;
	char c;

	snprintf(cmd, sizeof(cmd), "echo fired >> '%s'", flag);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *argv[] = { "/bin/sh", "-c", cmd, NULL };
		struct mt_deadman dm;
		struct mt_err err = { 0 };

		close(p[0]);
		if (mt_deadman_arm(&dm, argv, &err) < 0)
			_exit(10);
		if (write(p[1], "a", 1) != 1)
			_exit(11);
		if (how == DISARMS)
			_exit(mt_deadman_disarm(&dm, &err) < 0 ? 12 : 0);
		if (how == EXITS)
			_exit(3);
		pause();
		_exit(13);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	if (how == KILLED)
		kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (how == DISARMS)
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return fired(flag, wait_ms);
}

static void test_fires_on_kill(void **state)
{
	char flag[256];

	(void)state;
	snprintf(flag, sizeof(flag), "%s/killed", dir);
	assert_int_equal(run_child(KILLED, flag, 5000), 1);
	/* Once only. */
	sleep_ms(200);
	assert_int_equal(fired(flag, 0), 1);
}

static void test_fires_on_exit_without_disarm(void **state)
{
	char flag[256];

	(void)state;
	snprintf(flag, sizeof(flag), "%s/exited", dir);
	assert_int_equal(run_child(EXITS, flag, 5000), 1);
}

static void test_quiet_after_disarm(void **state)
{
	char flag[256];

	(void)state;
	snprintf(flag, sizeof(flag), "%s/disarmed", dir);
	/* The disarm reaps the watchdog, so nothing can fire later. */
	assert_int_equal(run_child(DISARMS, flag, 300), 0);
}

static void test_disarm_unarmed(void **state)
{
	struct mt_deadman dm = { .pid = 0, .fd = -1 };
	struct mt_err err = { 0 };
	char *none[] = { NULL };

	(void)state;
	assert_int_equal(mt_deadman_disarm(&dm, &err), 0);
	assert_int_equal(mt_deadman_arm(&dm, none, &err), -EINVAL);
	assert_int_equal(dm.fd, -1);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fires_on_kill),
		cmocka_unit_test(test_fires_on_exit_without_disarm),
		cmocka_unit_test(test_quiet_after_disarm),
		cmocka_unit_test(test_disarm_unarmed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
