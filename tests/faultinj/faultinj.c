/* Fault injection for memtune: an LD_PRELOAD shim that makes the Nth call
 * to malloc, open, write, fsync or rename fail, as SQLite's tests fail each
 * allocation in turn (STYLE.md, 11). tests/faultinj/run.sh steps N over a
 * scenario.
 *
 * Environment (read once, in the constructor):
 *   MEMTUNE_FAIL=FAMILY:N[+]   fail the Nth call (1-based) of FAMILY; with
 *                              "+", that call and every later one. FAMILY
 *                              is one of
 *       malloc  malloc, calloc, realloc, posix_memalign, aligned_alloc,
 *               memalign (ENOMEM; glibc's strdup, fopen, getline... call
 *               malloc through the PLT, so they fail too)
 *       open    open, open64, openat, openat64, fopen, fopen64, opendir
 *               (EMFILE)
 *       write   write, pwrite, pwrite64, writev, fflush, fclose (ENOSPC;
 *               fclose closes the stream and then reports the error, as a
 *               failed flush does; stdio's own writes go through glibc's
 *               internal write and are seen only at fflush/fclose)
 *       fsync   fsync, fdatasync, syncfs (EIO)
 *       rename  rename, renameat, renameat2 (EIO)
 *       any     all of these on one counter
 *     N = 0, or no MEMTUNE_FAIL: fail nothing, only count.
 *   MEMTUNE_FAIL_ERRNO=E       the errno to fail with (a number), instead of
 *                              the family's default above.
 *   MEMTUNE_FAIL_COUNT=FILE    at exit, write one line per family,
 *                              "FAMILY CALLS", plus "injected K" (how many
 *                              calls were failed): a driver runs a
 *                              scenario once with no fault to learn N's
 *                              range.
 *   MEMTUNE_FAIL_LOG=FILE      for each injected failure, append the call
 *                              number, the function and a backtrace.
 *   MEMTUNE_FAIL_PROG=A,B      the programs to fault, by the name they were
 *                              started as (default "memtune,fi_apply").
 *   MEMTUNE_FAIL_SKIP=A,B      calls made directly from a shared object whose
 *                              path contains one of these are neither
 *                              counted nor failed (default "libhwloc":
 *                              hwloc 2.9 crashes on some failed mallocs in
 *                              hwloc_topology_load and its XML export,
 *                              which memtune cannot prevent; set it empty
 *                              to include them). Calls from the dynamic
 *                              loader are always skipped: ld.so exits 127
 *                              when an allocation fails while it binds a
 *                              symbol or loads a plugin.
 *
 * Only the first process of those programs is faulted or counted: other
 * programs (env, timeout, valgrind's launcher) pass the shim on untouched;
 * in the program under test the constructor removes the shim from
 * LD_PRELOAD (so exec'd workers and gnuplot run normally) and a forked child
 * stops counting (pthread_atfork).
 * Calls made while the shim itself runs (dlsym, backtrace, the count file)
 * are not counted. The allocator is reached through __libc_malloc and
 * friends, so resolving the other functions with dlsym cannot recurse.
 *
 * Not for ASan builds: ASan replaces malloc itself and wants to be first in
 * the link order. run.sh uses the normal build; leaks are checked by
 * running a sample of N under valgrind (the shim's malloc calls
 * __libc_malloc, which valgrind redirects to its own). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum family { F_MALLOC, F_OPEN, F_WRITE, F_FSYNC, F_RENAME, F_COUNT };

static const char *const family_names[F_COUNT] = {
	"malloc", "open", "write", "fsync", "rename",
};
static const int family_errno[F_COUNT] = {
	ENOMEM, EMFILE, ENOSPC, EIO, EIO,
};

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t align, size_t size);

static bool active;	       /* set up, and this is the process */
static int select_family = -1; /* -1: any */
static unsigned long fail_at;  /* 0: never */
static bool fail_after;	       /* "N+": every call from N on */
static int forced_errno;       /* 0: the family's default */
static unsigned long calls[F_COUNT];
static unsigned long calls_any;
static unsigned long injected;
static char count_path[4096];
static char log_path[4096];
static char skip_list[1024] = "libhwloc";
static __thread int in_shim; /* >0 while the shim itself runs */

/* The next definitions of the functions we wrap. */
static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_openat64)(int, const char *, int, ...);
static FILE *(*real_fopen)(const char *, const char *);
static FILE *(*real_fopen64)(const char *, const char *);
static DIR *(*real_opendir)(const char *);
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static int (*real_fflush)(FILE *);
static int (*real_fclose)(FILE *);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_syncfs)(int);
static int (*real_rename)(const char *, const char *);
static int (*real_renameat)(int, const char *, int, const char *);
static int (*real_renameat2)(int, const char *, int, const char *, unsigned);

/* Resolves sym to the next definition after this library, once. */
#define RESOLVE(var, name) \
	do { \
		if (!(var)) { \
			in_shim++; \
			*(void **)&(var) = dlsym(RTLD_NEXT, name); \
			in_shim--; \
		} \
	} while (0)

/* Appends the failure of call `nth` of `func` and a backtrace to the log. */
static void log_failure(const char *func, unsigned long nth)
{
	void *frames[32];
	char line[256];
	int fd, n, len;

	if (!log_path[0])
		return;
	fd = real_open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		       0644);
	if (fd < 0)
		return;
	len = snprintf(line, sizeof(line), "faultinj: call %lu failed: %s\n",
		       nth, func);
	if (len > 0 && real_write(fd, line, (size_t)len) < 0)
		len = 0;
	n = backtrace(frames, 32);
	backtrace_symbols_fd(frames, n, fd);
	close(fd);
}

/* True if `caller` lies in the dynamic loader or in a shared object named
 * in MEMTUNE_FAIL_SKIP. */
static bool skipped_caller(const void *caller)
{
	Dl_info info;
	const char *name;
	bool skip = false;

	in_shim++;
	if (dladdr(caller, &info) && info.dli_fname) {
		name = info.dli_fname;
		if (strstr(name, "/ld-linux") || strstr(name, "ld.so"))
			skip = true;
		for (const char *p = skip_list; *p && !skip;) {
			size_t len = strcspn(p, ",");
			char word[256];

			if (len > 0 && len < sizeof(word)) {
				memcpy(word, p, len);
				word[len] = '\0';
				skip = strstr(name, word) != NULL;
			}
			p += len;
			p += *p == ',';
		}
	}
	in_shim--;
	return skip;
}

/* Counts one call of `func` in family f made from `caller`; returns true
 * if it is to fail (with errno set). */
static bool should_fail_from(enum family f, const char *func,
			     const void *caller)
{
	unsigned long nth;

	if (!active || in_shim || skipped_caller(caller))
		return false;
	__atomic_add_fetch(&calls[f], 1, __ATOMIC_RELAXED);
	if (select_family >= 0 && select_family != (int)f)
		return false;
	nth = __atomic_add_fetch(&calls_any, 1, __ATOMIC_RELAXED);
	if (!fail_at || nth < fail_at || (nth > fail_at && !fail_after))
		return false;
	__atomic_add_fetch(&injected, 1, __ATOMIC_RELAXED);
	in_shim++;
	log_failure(func, nth);
	in_shim--;
	errno = forced_errno ? forced_errno : family_errno[f];
	return true;
}

/* Every wrapper passes its own caller. */
#define should_fail(f, func) \
	should_fail_from(f, func, __builtin_return_address(0))

/* ---- the allocator ------------------------------------------------------ */

void *malloc(size_t size)
{
	if (should_fail(F_MALLOC, "malloc"))
		return NULL;
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	if (should_fail(F_MALLOC, "calloc"))
		return NULL;
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	/* realloc(p, 0) frees: nothing to fail. */
	if (size && should_fail(F_MALLOC, "realloc"))
		return NULL;
	return __libc_realloc(p, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	if (should_fail(F_MALLOC, "posix_memalign"))
		return ENOMEM;
	p = __libc_memalign(align, size);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

void *aligned_alloc(size_t align, size_t size)
{
	if (should_fail(F_MALLOC, "aligned_alloc"))
		return NULL;
	return __libc_memalign(align, size);
}

void *memalign(size_t align, size_t size)
{
	if (should_fail(F_MALLOC, "memalign"))
		return NULL;
	return __libc_memalign(align, size);
}

/* ---- open ------------------------------------------------------------------ */

/* The mode argument of open: present with O_CREAT or O_TMPFILE. */
#define OPEN_MODE(flags, last, mode) \
	do { \
		if ((flags) & (O_CREAT | O_TMPFILE)) { \
			va_list ap; \
			va_start(ap, last); \
			mode = (mode_t)va_arg(ap, unsigned); \
			va_end(ap); \
		} \
	} while (0)

/* One shim of the open family: name's mode argument (see OPEN_MODE) is
 * taken, then the call fails or goes on to real with args. */
#define OPEN_SHIM(name, real, params, args) \
	int name params \
	{ \
		mode_t mode = 0; \
\
		OPEN_MODE(flags, flags, mode); \
		RESOLVE(real, #name); \
		if (should_fail(F_OPEN, #name)) \
			return -1; \
		return real args; \
	}

OPEN_SHIM(open, real_open, (const char *path, int flags, ...),
	  (path, flags, mode))
OPEN_SHIM(open64, real_open64, (const char *path, int flags, ...),
	  (path, flags, mode))
OPEN_SHIM(openat, real_openat, (int dirfd, const char *path, int flags, ...),
	  (dirfd, path, flags, mode))
OPEN_SHIM(openat64, real_openat64,
	  (int dirfd, const char *path, int flags, ...),
	  (dirfd, path, flags, mode))

FILE *fopen(const char *path, const char *how)
{
	RESOLVE(real_fopen, "fopen");
	if (should_fail(F_OPEN, "fopen"))
		return NULL;
	return real_fopen(path, how);
}

FILE *fopen64(const char *path, const char *how)
{
	RESOLVE(real_fopen64, "fopen64");
	if (should_fail(F_OPEN, "fopen64"))
		return NULL;
	return real_fopen64(path, how);
}

DIR *opendir(const char *path)
{
	RESOLVE(real_opendir, "opendir");
	if (should_fail(F_OPEN, "opendir"))
		return NULL;
	return real_opendir(path);
}

/* ---- write ------------------------------------------------------------------ */

ssize_t write(int fd, const void *buf, size_t len)
{
	RESOLVE(real_write, "write");
	if (should_fail(F_WRITE, "write"))
		return -1;
	return real_write(fd, buf, len);
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	RESOLVE(real_pwrite, "pwrite");
	if (should_fail(F_WRITE, "pwrite"))
		return -1;
	return real_pwrite(fd, buf, len, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t len, off_t off)
{
	RESOLVE(real_pwrite64, "pwrite64");
	if (should_fail(F_WRITE, "pwrite64"))
		return -1;
	return real_pwrite64(fd, buf, len, off);
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
	RESOLVE(real_writev, "writev");
	if (should_fail(F_WRITE, "writev"))
		return -1;
	return real_writev(fd, iov, n);
}

int fflush(FILE *f)
{
	RESOLVE(real_fflush, "fflush");
	/* A stream with nothing buffered cannot fail to flush. */
	if (f && f->_IO_write_ptr > f->_IO_write_base &&
	    should_fail(F_WRITE, "fflush"))
		return EOF;
	return real_fflush(f);
}

int fclose(FILE *f)
{
	bool fail;
	int ret, e;

	RESOLVE(real_fclose, "fclose");
	/* Only a stream with data to write can fail to close. */
	fail = f && f->_IO_write_ptr > f->_IO_write_base &&
	       should_fail(F_WRITE, "fclose");
	e = errno;
	ret = real_fclose(f);
	if (!fail)
		return ret;
	errno = e;
	return EOF;
}

/* ---- fsync and rename ------------------------------------------------------ */

int fsync(int fd)
{
	RESOLVE(real_fsync, "fsync");
	if (should_fail(F_FSYNC, "fsync"))
		return -1;
	return real_fsync(fd);
}

int fdatasync(int fd)
{
	RESOLVE(real_fdatasync, "fdatasync");
	if (should_fail(F_FSYNC, "fdatasync"))
		return -1;
	return real_fdatasync(fd);
}

int syncfs(int fd)
{
	RESOLVE(real_syncfs, "syncfs");
	if (should_fail(F_FSYNC, "syncfs"))
		return -1;
	return real_syncfs(fd);
}

int rename(const char *from, const char *to)
{
	RESOLVE(real_rename, "rename");
	if (should_fail(F_RENAME, "rename"))
		return -1;
	return real_rename(from, to);
}

int renameat(int dfrom, const char *from, int dto, const char *to)
{
	RESOLVE(real_renameat, "renameat");
	if (should_fail(F_RENAME, "renameat"))
		return -1;
	return real_renameat(dfrom, from, dto, to);
}

int renameat2(int dfrom, const char *from, int dto, const char *to,
	      unsigned flags)
{
	RESOLVE(real_renameat2, "renameat2");
	if (should_fail(F_RENAME, "renameat2"))
		return -1;
	return real_renameat2(dfrom, from, dto, to, flags);
}

/* ---- set-up and the count file ---------------------------------------------- */

/* A forked child runs on without faults (it is not the process under
 * test; a worker execs a fresh memtune anyway). */
static void in_child(void)
{
	active = false;
}

/* Removes every LD_PRELOAD entry naming this library, so that programs
 * this process execs are not faulted. */
static void drop_from_preload(void)
{
	const char *pre = getenv("LD_PRELOAD");
	char *copy, *out, *tok, *save;
	size_t len;

	if (!pre)
		return;
	len = strlen(pre);
	copy = __libc_malloc(len + 1);
	out = __libc_malloc(len + 1);
	if (!copy || !out)
		goto out;
	memcpy(copy, pre, len + 1);
	out[0] = '\0';
	for (tok = strtok_r(copy, " :", &save); tok;
	     tok = strtok_r(NULL, " :", &save)) {
		if (strstr(tok, "faultinj"))
			continue;
		if (out[0])
			strcat(out, ":");
		strcat(out, tok);
	}
	if (out[0])
		setenv("LD_PRELOAD", out, 1);
	else
		unsetenv("LD_PRELOAD");
out:
	free(copy);
	free(out);
}

/* Copies environment variable name into buf (empty when unset). */
static void env_copy(const char *name, char *buf, size_t len)
{
	const char *v = getenv(name);

	snprintf(buf, len, "%s", v ? v : "");
}

/* True if this program's name is in the comma list MEMTUNE_FAIL_PROG (by
 * default memtune and fi_apply). */
static bool is_target(void)
{
	const char *list = getenv("MEMTUNE_FAIL_PROG");
	const char *me = program_invocation_short_name;
	size_t n = strlen(me);

	if (!list || !list[0])
		list = "memtune,fi_apply";
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");

		if (len == n && strncmp(p, me, n) == 0)
			return true;
		p += len;
		p += *p == ',';
	}
	return false;
}

__attribute__((constructor)) static void faultinj_init(void)
{
	const char *spec = getenv("MEMTUNE_FAIL");
	const char *e = getenv("MEMTUNE_FAIL_ERRNO");
	void *frame;

	if (!is_target())
		return;
	in_shim++;
	RESOLVE(real_open, "open");
	RESOLVE(real_write, "write");
	env_copy("MEMTUNE_FAIL_COUNT", count_path, sizeof(count_path));
	env_copy("MEMTUNE_FAIL_LOG", log_path, sizeof(log_path));
	if (getenv("MEMTUNE_FAIL_SKIP"))
		env_copy("MEMTUNE_FAIL_SKIP", skip_list, sizeof(skip_list));
	if (spec && spec[0]) {
		const char *colon = strchr(spec, ':');
		char *end;
		size_t flen = colon ? (size_t)(colon - spec) : 0;

		if (!colon) {
			fprintf(stderr,
				"faultinj: MEMTUNE_FAIL='%s': expected "
				"FAMILY:N\n",
				spec);
			_exit(125);
		}
		if (strncmp(spec, "any", flen) != 0 || flen != 3) {
			for (int f = 0; f < F_COUNT; f++)
				if (strlen(family_names[f]) == flen &&
				    strncmp(spec, family_names[f], flen) == 0)
					select_family = f;
			if (select_family < 0) {
				fprintf(stderr,
					"faultinj: MEMTUNE_FAIL='%s': "
					"unknown family\n",
					spec);
				_exit(125);
			}
		}
		fail_at = strtoul(colon + 1, &end, 10);
		fail_after = *end == '+';
	}
	if (e && e[0])
		forced_errno = atoi(e);
	/* backtrace() loads libgcc_s on first use: do it now, not in the
	 * middle of a failing malloc. */
	if (log_path[0])
		backtrace(&frame, 1);
	drop_from_preload();
	pthread_atfork(NULL, NULL, in_child);
	in_shim--;
	active = true;
}

__attribute__((destructor)) static void faultinj_fini(void)
{
	char buf[512];
	int fd, len = 0;

	if (!active || !count_path[0])
		return;
	active = false;
	fd = real_open(count_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		       0644);
	if (fd < 0)
		return;
	for (int f = 0; f < F_COUNT; f++)
		len += snprintf(buf + len, sizeof(buf) - (size_t)len,
				"%s %lu\n", family_names[f], calls[f]);
	len += snprintf(buf + len, sizeof(buf) - (size_t)len,
			"selected %lu\ninjected %lu\n", calls_any, injected);
	if (real_write(fd, buf, (size_t)len) < 0)
		len = 0;
	close(fd);
}
