/*
 * spawn_time.c - `make bench`'s clock for a command that takes a few
 * milliseconds: starts it RUNS times and prints, a line each, the run's
 * wall time in nanoseconds, from just before posix_spawnp to the return of
 * wait4, and its CPU seconds (user and system).  A shell's `date` and `/usr/bin/time` around a command start
 * two more processes inside the timed span, which on a virtual machine
 * costs more than the command.  Before each run, untimed, each FILE of -r
 * is removed with its -wal, -shm and -journal (a database made afresh).
 * The command's output goes where this program's goes.
 *
 *   spawn_time RUNS [-r FILE]... -- COMMAND [ARG]...
 *
 * Exits 1 when a run fails (its status is printed), 2 on bad usage.
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void
remove_db(const char *path)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-journal" };
	char name[4096];
	size_t i;

	for (i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		if ((size_t)snprintf(name, sizeof name, "%s%s", path, ext[i]) <
		    sizeof name)
			(void)unlink(name);
	}
}

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	const char *files[16];
	struct rusage ru;
	long long t0, t1;
	int i, nfiles = 0, runs, run, status, rc;
	pid_t pid;

	if (argc < 4 || (runs = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: spawn_time RUNS [-r FILE]... -- COMMAND [ARG]...\n");
		return 2;
	}
	for (i = 2; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "-r") != 0 || i + 1 >= argc || nfiles == 16) {
			fprintf(stderr, "spawn_time: bad argument '%s'\n", argv[i]);
			return 2;
		}
		files[nfiles++] = argv[++i];
	}
	if (i + 1 >= argc) {
		fprintf(stderr, "spawn_time: no command after --\n");
		return 2;
	}
	argv += i + 1;
	for (run = 0; run < runs; run++) {
		for (i = 0; i < nfiles; i++)
			remove_db(files[i]);
		t0 = now_ns();
		if ((rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv,
		    environ)) != 0) {
			fprintf(stderr, "spawn_time: %s: %s\n", argv[0], strerror(rc));
			return 1;
		}
		while (wait4(pid, &status, 0, &ru) == -1) {
			if (errno != EINTR) {
				perror("spawn_time: wait4");
				return 1;
			}
		}
		t1 = now_ns();
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "spawn_time: %s: failed (status %d)\n",
			    argv[0], status);
			return 1;
		}
		printf("%lld %.6f\n", t1 - t0, (double)ru.ru_utime.tv_sec +
		    ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
		    ru.ru_stime.tv_usec / 1e6);
		fflush(stdout);
	}
	for (i = 0; i < nfiles; i++)
		remove_db(files[i]);
	return 0;
}
