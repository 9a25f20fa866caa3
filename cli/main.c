/* memtune: dispatches to the command table. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/err.h"
#include "../core/json_safe.h"
#include "../core/log.h"
#include "cli.h"

static const struct mt_command *const commands[] = {
#define MT_COMMAND(n) &mt_cmd_##n,
#include "commands.def"
#undef MT_COMMAND
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out,
		"usage: memtune COMMAND [OPTIONS]\n"
		"\n"
		"Measures how this machine's memory system behaves, explains "
		"it, and\nrecommends kernel and process settings.\n\n"
		"commands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (commands[i]->summary)
			fprintf(out, "  %-10s %s\n", commands[i]->name,
				commands[i]->summary);
	fprintf(out, "\n'memtune COMMAND --help' describes a command. "
		     "'memtune help COMMAND' too.\n");
}

static const struct mt_command *find(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

int mt_cli_help_requested(const struct mt_command *c, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			fputs(c->usage, stdout);
			return 1;
		}
	}
	return 0;
}

int mt_cli_usage_error(const struct mt_command *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "memtune %s: ", c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see 'memtune %s --help')\n", c->name);
	return MT_EXIT_USAGE;
}

int mt_cli_json_only(const struct mt_command *c, int argc, char **argv,
		     bool *json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { 0 } };
	int o;

	*json = false;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o != 'j')
			return mt_cli_usage_error(c, "unknown option");
		*json = true;
	}
	if (optind < argc)
		return mt_cli_usage_error(c, "unexpected argument '%s'",
					  argv[optind]);
	return -1;
}

int mt_cli_fail(const struct mt_err *err)
{
	mt_error("%s", err->msg[0] ? err->msg : "unknown error");
	return err->kind == MT_ERR_INPUT ? MT_EXIT_USAGE : MT_EXIT_FAIL;
}

int mt_cli_finish(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "memtune: error: cannot write standard "
				"output: %s\n", strerror(errno));
		return MT_EXIT_FAIL;
	}
	return status;
}

int mt_cli_configs_dir(char *buf, size_t len)
{
	const char *env = getenv("MEMTUNE_CONFIGS");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		/* build/memtune -> ../configs; an installed bin/memtune ->
		 * ../share/memtune/configs */
		const char *tries[] = { "/../configs",
					"/../share/memtune/configs",
					"/configs" };
		char *slash = strrchr(exe, '/');

		if (slash)
			*slash = '\0';
		for (size_t i = 0; i < 3; i++) {
			char path[PATH_MAX + 64];

			snprintf(path, sizeof(path), "%s%s/quick.ini", exe,
				 tries[i]);
			if (access(path, R_OK) == 0) {
				char real[PATH_MAX];

				/* Messages name configs/quick.ini:LINE, not
				 * build/../configs/quick.ini:LINE. */
				snprintf(path, sizeof(path), "%s%s", exe,
					 tries[i]);
				snprintf(buf, len, "%s",
					 realpath(path, real) ? real : path);
				return 0;
			}
		}
	}
	snprintf(buf, len, "configs");
	return access("configs/quick.ini", R_OK) == 0 ? 0 : -ENOENT;
}

static int cmd_help(int argc, char **argv)
{
	const struct mt_command *c;

	if (argc < 3) {
		usage(stdout);
		return 0;
	}
	c = find(argv[2]);
	if (!c) {
		fprintf(stderr, "memtune: unknown command '%s'\n", argv[2]);
		return MT_EXIT_USAGE;
	}
	fputs(c->usage, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const struct mt_command *c;

	mt_json_init();
	mt_log_init();
	if (argc < 2) {
		usage(stderr);
		return MT_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return mt_cli_finish(0);
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("memtune %s\n", MT_VERSION);
		return mt_cli_finish(0);
	}
	if (strcmp(argv[1], "help") == 0)
		return mt_cli_finish(cmd_help(argc, argv));
	c = find(argv[1]);
	if (!c) {
		fprintf(stderr, "memtune: unknown command '%s'\n\n", argv[1]);
		usage(stderr);
		return MT_EXIT_USAGE;
	}
	if (mt_cli_help_requested(c, argc - 1, argv + 1))
		return mt_cli_finish(0);
	return mt_cli_finish(c->fn(argc - 1, argv + 1));
}
