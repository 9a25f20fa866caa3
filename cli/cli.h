/* The command table (git/perf style): one entry per subcommand, expanded
 * from commands.def; each command lives in cli/cmd_NAME.c. */
#ifndef MT_CLI_H
#define MT_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

struct mt_command {
	const char *name;
	const char *summary;		  /* one line for `memtune --help` */
	const char *usage;		  /* full --help text */
	int (*fn)(int argc, char **argv); /* returns the exit status */
	/* The command's options, as getopt_long takes them (without a
	 * leading ':'; -h and --help are added). A command that sets
	 * shortopts ("" for none) parses with mt_cli_getopt, and --help is
	 * found as getopt sees it: not when it is an option's argument.
	 * NULL: the command parses its own arguments. */
	const char *shortopts;
	const struct option *longopts; /* ends with { 0 }; NULL: none */
};

#define MT_COMMAND(n) extern const struct mt_command mt_cmd_##n;
#include "commands.def"
#undef MT_COMMAND

/* Exit statuses (DESIGN §2). */
enum { MT_EXIT_OK = 0, MT_EXIT_FAIL = 1, MT_EXIT_USAGE = 2 };

/* True if argv asks for help: -h or --help as an option, as getopt_long
 * over c's options sees it (so `run -c --help` names a config file, and a
 * --help after "--" is an argument); prints the usage to stdout if so.
 * Leaves optind at 0, so the command's own getopt starts afresh. */
int mt_cli_help_requested(const struct mt_command *c, int argc, char **argv);

/* getopt_long over c's options (c->shortopts, c->longopts) that prints no
 * message of its own. Returns the option, -1 at the end, or '?' after
 * printing one message for a bad option ("unknown option '--x'", "option
 * '-c' requires an argument", "option '--json' takes no argument") and a
 * hint to --help; the caller then returns MT_EXIT_USAGE. */
int mt_cli_getopt(const struct mt_command *c, int argc, char **argv);

/* The options of commands that take only --json (list, sysinfo). */
extern const struct option mt_cli_json_opts[];

/* Prints "memtune CMD: MSG" and a hint to --help; returns MT_EXIT_USAGE. */
int mt_cli_usage_error(const struct mt_command *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* An option that may be given once (-o DIR, -c FILE): stores arg in *slot,
 * or, when it is already set, prints "OPT given twice ('A' and 'B'): HINT"
 * and returns MT_EXIT_USAGE. Returns 0 when stored. */
int mt_cli_once(const struct mt_command *c, const char **slot, const char *opt,
		const char *arg, const char *hint);

/* Parses a command line that takes only [--json] and no arguments (list,
 * sysinfo). Returns -1 when it is fine (*json set), else the exit status
 * of the usage error it printed. */
int mt_cli_json_only(const struct mt_command *c, int argc, char **argv,
		     bool *json);

/* Maps an mt_err to an exit status after printing it. */
struct mt_err;
int mt_cli_fail(const struct mt_err *err);

/* Takes the state directory's lock for command `what` (core/statedir.h):
 * one run, apply, rollback or restore at a time. Returns -1 when taken
 * (*fd set; released at exit or by mt_state_unlock), else the exit status
 * of the error it printed (1 when another memtune holds it). */
int mt_cli_state_lock(const char *what, int *fd);

/* Flushes stdout and checks it (a full disk is an error, not a truncated
 * file). Returns status, or MT_EXIT_FAIL if stdout could not be written. */
int mt_cli_finish(int status);

/* True when dir is a directory memtune may not write into: someone
 * else's, one others can write, or read-only (err says why); analyze and
 * advise then still print. A refused file inside a directory that passes
 * (a planted link) is not this: that is an error. */
struct mt_err;
bool mt_cli_unwritable(const char *dir, struct mt_err *err);

/* Makes the -o directory of analyze or advise (mode 0755) unless it
 * exists as a directory. Returns 0, or the exit status after a message. */
int mt_cli_output_dir(const struct mt_command *c, const char *dir);

/* The directory holding the shipped configs (configs/, with profiles/):
 * MEMTUNE_CONFIGS if set, else found from the executable (the source
 * tree's configs/, or PREFIX/share/memtune/configs beside PREFIX/bin),
 * else the installed MT_DATADIR/configs, else ./configs. Writes it into
 * buf; returns 0, or -ENOENT when none has quick.ini. */
int mt_cli_configs_dir(char *buf, size_t len);

#endif
