/* The processes t_observe.sh watches, each a known behaviour:
 *   workload leak STEP_MIB PERIOD_MS   allocates and touches STEP_MIB every
 *                                      PERIOD_MS, forever (a leak)
 *   workload anon MIB DELAY_MS          after DELAY_MS, allocates and touches
 *                                      MIB of anonymous memory, then holds it
 *   workload thp MIB DELAY_MS           the same on a 2 MiB aligned region
 *                                      advised MADV_HUGEPAGE
 *   workload read FILE TIMES DELAY_MS   drops FILE from the page cache
 *                                      (fdatasync, POSIX_FADV_DONTNEED), then
 *                                      after DELAY_MS reads it TIMES times and
 *                                      holds it open
 *   workload map FILE DELAY_MS          drops FILE from the cache, then after
 *                                      DELAY_MS maps it and touches each page
 * Each prints "ready" on stdout once its memory is in place, then sleeps
 * until killed. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MIB (1024ul * 1024ul)

static void touch(char *p, size_t len)
{
	for (size_t i = 0; i < len; i += 4096)
		p[i] = (char)(i / 4096 + 1);
}

static void ready(void)
{
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

static int drop(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		perror(path);
		exit(1);
	}
	fdatasync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	return fd;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "leak")) {
		size_t step = strtoul(argv[2], NULL, 10) * MIB;
		useconds_t period = (useconds_t)strtoul(argv[3], NULL, 10) *
				    1000;

		printf("ready\n");
		fflush(stdout);
		for (;;) {
			char *p = malloc(step);

			if (!p)
				return 1;
			touch(p, step);
			usleep(period);
		}
	}
	if (argc >= 4 &&
	    (!strcmp(argv[1], "anon") || !strcmp(argv[1], "thp"))) {
		size_t len = strtoul(argv[2], NULL, 10) * MIB;
		char *p = mmap(NULL, len + 2 * MIB, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return 1;
		p = (char *)(((unsigned long)p + 2 * MIB - 1) & ~(2 * MIB - 1));
		if (!strcmp(argv[1], "thp") && madvise(p, len, MADV_HUGEPAGE))
			return 1;
		usleep((useconds_t)strtoul(argv[3], NULL, 10) * 1000);
		touch(p, len);
		ready();
	}
	if (argc >= 5 && !strcmp(argv[1], "read")) {
		int fd = drop(argv[2]), times = atoi(argv[3]);
		static char buf[1 << 20];

		usleep((useconds_t)strtoul(argv[4], NULL, 10) * 1000);
		for (int i = 0; i < times; i++) {
			lseek(fd, 0, SEEK_SET);
			while (read(fd, buf, sizeof(buf)) > 0)
				;
		}
		ready();
	}
	if (argc >= 4 && !strcmp(argv[1], "map")) {
		int fd = drop(argv[2]);
		struct stat sb;
		char *p;
		volatile char sum = 0;

		usleep((useconds_t)strtoul(argv[3], NULL, 10) * 1000);
		if (fstat(fd, &sb) < 0)
			return 1;
		p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd,
			 0);
		if (p == MAP_FAILED)
			return 1;
		for (off_t i = 0; i < sb.st_size; i += 4096)
			sum += p[i];
		ready();
	}
	fprintf(stderr, "usage: workload leak|anon|thp|read|map ...\n");
	return 2;
}
