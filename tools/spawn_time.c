/*
 * spawn_time.c - `make bench`'s clock for a command that takes a few
 * milliseconds: starts it RUNS times and prints, a line each, the run's
 * wall time in nanoseconds, from just before posix_spawnp to the return of
 * wait4, and its CPU seconds (user and system).  A shell's `date` and
 * `/usr/bin/time` around a command start two more processes inside the
 * timed span, which on a virtual machine costs more than the command.
 * The command's output goes where this program's goes.
 *
 *   spawn_time RUNS COMMAND [ARG]...
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

extern char **environ;

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
	struct rusage ru;
	long long t0, t1;
	int runs, run, status, rc;
	pid_t pid;

	if (argc < 3 || (runs = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: spawn_time RUNS COMMAND [ARG]...\n");
		return 2;
	}
	argv += 2;
	for (run = 0; run < runs; run++) {
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
	return 0;
}
