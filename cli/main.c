/* memtune: dispatches to the command table. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/err.h"
#include "../core/json_safe.h"
#include "../core/log.h"
#include "../core/statedir.h"
#include "../core/safefile.h"
#include "../core/sanitize.h"
#include "cli.h"

/* The installed data (configs/, configs/profiles/): the Makefile passes
 * -DMT_DATADIR=PREFIX/share/memtune. */
#ifndef MT_DATADIR
#define MT_DATADIR "/usr/local/share/memtune"
#endif

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
	fprintf(out, "\n'memtune COMMAND --help' describes a command, "
		     "'memtune help COMMAND' too;\n'memtune --version' (-V) "
		     "prints the version.\n");
}

static const struct mt_command *find(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

int mt_cli_state_lock(const char *what, int *fd)
{
	struct mt_err err = { 0 };
	char dir[4096];

	if (mt_state_dir_path(dir, sizeof(dir), &err) < 0 ||
	    mt_state_lock(dir, what, fd, &err) < 0)
		return mt_cli_fail(&err);
	return -1;
}

/* Builds ":" SHORTOPTS "h" into buf: the leading ':' makes getopt report
 * a missing argument as ':' and print nothing. */
static const char *optstring(const struct mt_command *c, char *buf, size_t len,
			     bool help)
{
	snprintf(buf, len, ":%s%s", c->shortopts ? c->shortopts : "",
		 help ? "h" : "");
	return buf;
}

int mt_cli_help_requested(const struct mt_command *c, int argc, char **argv)
{
	struct option *lo;
	char **copy, shortopts[128];
	size_t n = 0;
	int o, found = 0;

	if (!c->shortopts) {
		/* The command parses its own arguments: any -h or --help
		 * before "--" asks for help. */
		for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
			if (strcmp(argv[i], "-h") == 0 ||
			    strcmp(argv[i], "--help") == 0)
				found = 1;
		goto out;
	}
	while (c->longopts && c->longopts[n].name)
		n++;
	lo = calloc(n + 2, sizeof(*lo));
	copy = calloc((size_t)argc + 1, sizeof(*copy));
	if (!lo || !copy) {
		free(lo);
		free(copy);
		return 0; /* the command's own parsing will cope */
	}
	for (size_t i = 0; i < n; i++)
		lo[i] = c->longopts[i];
	lo[n] = (struct option){ "help", no_argument, NULL, 'h' };
	/* getopt_long permutes argv: scan a copy, so the command sees its
	 * arguments as given. Errors are left to the command's parse. */
	memcpy(copy, argv, (size_t)argc * sizeof(*copy));
	opterr = 0;
	optind = 0;
	while (!found && (o = getopt_long(argc, copy,
					  optstring(c, shortopts,
						    sizeof(shortopts), true),
					  lo, NULL)) != -1)
		found = o == 'h';
	optind = 0;
	free(lo);
	free(copy);
out:
	if (found)
		fputs(c->usage, stdout);
	return found;
}

/* The val of the long option that "--NAME[=...]" names (getopt_long takes
 * a unique prefix too), or 0. */
static int long_val(const struct option *lo, const char *arg)
{
	size_t len = strcspn(arg + 2, "=");

	for (; lo && lo->name; lo++)
		if (strncmp(lo->name, arg + 2, len) == 0)
			return lo->val;
	return 0;
}

int mt_cli_getopt(const struct mt_command *c, int argc, char **argv)
{
	static const struct option none[] = { { 0 } };
	char shortopts[128];
	const char *arg;
	int o;

	opterr = 0;
	o = getopt_long(argc, argv,
			optstring(c, shortopts, sizeof(shortopts), false),
			c->longopts ? c->longopts : none, NULL);
	if (o != '?' && o != ':')
		return o;
	/* The argument getopt stopped at ("--config", "-xc", "--js=1"): a
	 * long option's error always consumed it; within a cluster of
	 * short options optind may still point at the cluster, and the
	 * previous argument is then some other option. */
	arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	if (strncmp(arg, "--", 2) == 0 &&
	    (optopt == 0 || long_val(c->longopts, arg) == optopt)) {
		int len = (int)strcspn(arg, "=");

		if (o == ':')
			mt_cli_usage_error(c,
					   "option '%.*s' requires an "
					   "argument",
					   len, arg);
		else if (optopt && arg[len] == '=')
			mt_cli_usage_error(c,
					   "option '%.*s' takes no "
					   "argument",
					   len, arg);
		else
			mt_cli_usage_error(c, "unknown option '%.*s'", len,
					   arg);
	} else if (o == ':') {
		mt_cli_usage_error(c, "option '-%c' requires an argument",
				   optopt);
	} else {
		mt_cli_usage_error(c, "unknown option '-%c'", optopt);
	}
	return '?';
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

int mt_cli_once(const struct mt_command *c, const char **slot, const char *opt,
		const char *arg, const char *hint)
{
	if (*slot)
		return mt_cli_usage_error(c,
					  "%s given twice ('%s' and '%s'): %s",
					  opt, *slot, arg, hint);
	*slot = arg;
	return 0;
}

const struct option mt_cli_json_opts[] = { { "json", no_argument, NULL, 'j' },
					   { 0 } };

int mt_cli_json_only(const struct mt_command *c, int argc, char **argv,
		     bool *json)
{
	int o;

	*json = false;
	while ((o = mt_cli_getopt(c, argc, argv)) != -1) {
		if (o != 'j')
			return MT_EXIT_USAGE;
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

/* The real standard output once stdout prints through the sanitizing
 * stream (see main), else NULL. */
static FILE *real_stdout;

int mt_cli_finish(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout) ||
	    (real_stdout &&
	     (fflush(real_stdout) != 0 || ferror(real_stdout)))) {
		fprintf(stderr,
			"memtune: error: cannot write standard "
			"output: %s\n",
			strerror(errno));
		return MT_EXIT_FAIL;
	}
	return status;
}

bool mt_cli_unwritable(const char *dir, struct mt_err *err)
{
	struct mt_outdir d;
	int ret = mt_outdir_open(&d, "output", dir, 0, err);

	if (ret == 0) {
		/* Ours, but perhaps read-only (a mount, or no w bit). */
		if (faccessat(d.fd, ".", W_OK, AT_EACCESS) < 0 &&
		    (errno == EACCES || errno == EROFS)) {
			mt_err_set(err, -errno, MT_ERR_RUNTIME, "%s: %s", dir,
				   strerror(errno));
			mt_outdir_close(&d);
			return true;
		}
		mt_outdir_close(&d);
		return false;
	}
	return ret == -EACCES || ret == -EPERM || ret == -EROFS;
}

int mt_cli_output_dir(const struct mt_command *c, const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0755) == 0 ||
	    (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode)))
		return 0;
	fprintf(stderr, "memtune %s: error: cannot use -o '%s': %s\n", c->name,
		dir, errno == EEXIST ? "not a directory" : strerror(errno));
	return MT_EXIT_FAIL;
}

/* Writes dir into buf (resolved, so messages name configs/quick.ini:LINE
 * rather than build/../configs/quick.ini:LINE) if dir/quick.ini is
 * readable; returns true then. */
static bool configs_at(const char *dir, char *buf, size_t len)
{
	char path[PATH_MAX + 64], real[PATH_MAX];

	snprintf(path, sizeof(path), "%s/quick.ini", dir);
	if (access(path, R_OK) != 0)
		return false;
	snprintf(buf, len, "%s", realpath(dir, real) ? real : dir);
	return true;
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
		/* build/memtune -> ../configs (the source tree); an installed
		 * bin/memtune -> ../share/memtune/configs (any PREFIX) */
		static const char *const tries[] = {
			"/../configs", "/../share/memtune/configs", "/configs"
		};
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
			char dir[PATH_MAX + 32];

			snprintf(dir, sizeof(dir), "%s%s", exe, tries[i]);
			if (configs_at(dir, buf, len))
				return 0;
		}
	}
	/* Where `make install` put them (PREFIX/share/memtune/configs), for
	 * a binary moved or linked elsewhere. */
	if (configs_at(MT_DATADIR "/configs", buf, len))
		return 0;
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
	int status;

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
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0 ||
	    strcmp(argv[1], "version") == 0) {
		printf("memtune %s\n", MT_VERSION);
		return mt_cli_finish(0);
	}
	if (strcmp(argv[1], "help") == 0)
		return mt_cli_finish(cmd_help(argc, argv));
	if (argv[1][0] == '-') {
		fprintf(stderr,
			"memtune: unknown option '%s'; options go "
			"after the command\n\n",
			argv[1]);
		usage(stderr);
		return MT_EXIT_USAGE;
	}
	c = find(argv[1]);
	if (!c) {
		fprintf(stderr, "memtune: unknown command '%s'\n\n", argv[1]);
		usage(stderr);
		return MT_EXIT_USAGE;
	}
	/* Commands print what run directories and advice.json hold, which
	 * others may have written: their stdout escapes control characters
	 * (sanitize.h), so an ESC in a results file cannot drive the
	 * terminal. The worker's stdout is no terminal's. */
	if (c != &mt_cmd_worker) {
		FILE *s = mt_sanitizing_stream(stdout);

		if (s) {
			real_stdout = stdout;
			stdout = s;
		}
	}
	status = mt_cli_help_requested(c, argc - 1, argv + 1) ?
			 0 :
			 c->fn(argc - 1, argv + 1);
	status = mt_cli_finish(status);
	if (real_stdout) {
		/* Puts back a 0xc2 held at the very end and frees the
		 * stream; stdout is flushed and checked above. */
		if (fclose(stdout) != 0 && status == 0)
			status = MT_EXIT_FAIL;
		stdout = real_stdout;
		real_stdout = NULL;
		status = mt_cli_finish(status);
	}
	return status;
}
