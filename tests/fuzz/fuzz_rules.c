/*
 * fuzz_rules.c - libFuzzer target for the rule-file parser: the input is
 * one rule file (read through a memfd, as ruleset_load reads files), then
 * every example of every rule that loaded is run through the matcher,
 * filtered and unfiltered (the prefilter's literals and the clauses each
 * pattern needs), which must agree, and literal and clause extraction
 * are run on every pattern.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "matcher.h"
#include "rules.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
count_cb(void *arg, const struct match *m)
{
	(void)m;
	++*(int *)arg;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_list d;
	struct ruleset *rs;
	struct matcher *m;
	const char *paths[1];
	struct matcher_clause *cl;
	char path[64], err[128], *lit;
	size_t i, j, ncl;
	int fd, a, b;
	FILE *devnull;

	if (size > 64 * 1024)
		return 0;
	fd = memfd_create("fuzz.rules", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	paths[0] = path;
	memset(&d, 0, sizeof d);
	rs = ruleset_load(paths, 1, &d);
	devnull = fopen("/dev/null", "w");
	if (devnull != NULL) {
		diag_print(devnull, &d);
		fclose(devnull);
	}
	m = matcher_new(rs, err, sizeof err);
	for (i = 0; m != NULL && i < rs->n; i++) {
		const struct rule *r = &rs->rules[i];

		for (j = 0; j < r->nmatch; j++) {
			lit = matcher_required_literal(r->match[j].source);
			free(lit);
			cl = matcher_pattern_clauses(r->match[j].source, &ncl);
			matcher_clauses_free(cl, ncl);
		}
		for (j = 0; j < r->nexamples; j++) {
			a = b = 0;
			matcher_run(m, r->examples[j].text,
			    strlen(r->examples[j].text), -1, count_cb, &a);
			matcher_run_unfiltered(m, r->examples[j].text,
			    strlen(r->examples[j].text), -1, count_cb, &b);
			/* the prefilter must never hide a match */
			if (a != b)
				abort();
		}
	}
	matcher_free(m);
	ruleset_free(rs);
	diag_list_free(&d);
	close(fd);
	return 0;
}
