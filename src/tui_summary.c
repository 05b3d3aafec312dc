/*
 * tui_summary.c - the Summary view, the diagnosis first: the top findings
 * of the report model, then the incidents most severe first, then events
 * per category and rule with a sparkline over the window.  Enter on a
 * finding opens the Timeline of its rule, on an incident the events of its
 * span, on a category or rule its events.
 */
#include "tui.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "minutes.h"
#include "report.h"
#include "util.h"

/* Buckets kept per rule; drawing folds them to the width available. */
#define SUM_BUCKETS	120
#define SUM_INCIDENTS	200
#define SUM_FINDINGS	8

enum sum_kind {
	SUM_HEADING,
	SUM_CATEGORY,
	SUM_RULE,
	SUM_INCIDENT,
	SUM_FINDING,
	SUM_NOTE,
	SUM_COLUMNS
};

/* A finding wraps onto at most this many rows. */
#define SUM_FINDING_ROWS 3

struct sum_line {
	enum sum_kind	 kind;
	char		*name;		/* heading, category, rule or finding text */
	char		*category;
	int		 severity;
	uint64_t	 count;
	uint64_t	*buckets;	/* SUM_BUCKETS, categories and rules */
	/* incidents */
	char		*ikind;
	char		*key;
	char		*by;
	char		*source;
	int64_t		 source_id;
	int64_t		 start, end;
	char		*target;	/* findings: the rule it is about, or NULL */
};

struct summary {
	struct sum_line	*lines;
	size_t		 n, cap;
	size_t		 cursor;
	size_t		 top;
	uint64_t	 total;
	uint64_t	 untimed;	/* of the sources, in no window */
	struct store_rows *q_rules;
	struct store_rows *q_first_rule;
	struct store_rows *q_next_rule;
	struct store_rows *q_next_source;
	struct store_rows *q_ts;
	struct store_rows *q_incidents;
	struct store_rows *q_nincidents;
	struct store_rows *q_untimed;
	struct store_rows *q_minutes;	/* NULL: a database made before */
	int		 prepared;
	int		 findings_due;	/* the findings are still to be worked out */
	size_t		 findings_at;	/* the line that says so */
	/*
	 * The finding the cursor goes to when the findings arrive ("" = the
	 * first), or NULL once the user has moved.
	 */
	char		*pending;
	int64_t		 nincidents;
	char		 hint[160];
	int		 have;		/* lines loaded at generation gen */
	uint64_t	 gen;
};

static void *
summary_create(struct tui *t)
{
	return xcalloc(1, sizeof(struct summary));
}

static void
summary_clear(struct summary *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->lines[i].name);
		free(s->lines[i].category);
		free(s->lines[i].buckets);
		free(s->lines[i].ikind);
		free(s->lines[i].key);
		free(s->lines[i].by);
		free(s->lines[i].source);
		free(s->lines[i].target);
	}
	s->n = 0;
}

static void
summary_destroy(void *state)
{
	struct summary *s = state;

	summary_clear(s);
	free(s->lines);
	free(s->pending);
	store_rows_free(s->q_rules);
	store_rows_free(s->q_first_rule);
	store_rows_free(s->q_next_rule);
	store_rows_free(s->q_next_source);
	store_rows_free(s->q_ts);
	store_rows_free(s->q_incidents);
	store_rows_free(s->q_nincidents);
	store_rows_free(s->q_untimed);
	store_rows_free(s->q_minutes);
	free(s);
}

static struct sum_line *
summary_add(struct summary *s, enum sum_kind kind, const char *name)
{
	struct sum_line *l;

	s->lines = util_grow(s->lines, &s->cap, s->n, sizeof *s->lines, 64);
	l = &s->lines[s->n++];
	memset(l, 0, sizeof *l);
	l->kind = kind;
	l->name = xstrdup(name != NULL ? name : "");
	l->source_id = -1;
	return l;
}

static const char *
col_text(struct store_rows *q, int i)
{
	const char *s = store_rows_text(q, i);

	return s != NULL ? s : "";
}

static int
summary_prepare(struct tui *t, struct summary *s, char *err, size_t errlen)
{
	/*
	 * The (rule, source) pairs that have events are found one index
	 * seek each: counting then walks events_rule_ts by a range of ts
	 * per pair instead of scanning the table.
	 */
	static const enum store_tui_query which[] = {
		STORE_TUI_RULES, STORE_TUI_FIRST_RULE, STORE_TUI_NEXT_RULE,
		STORE_TUI_NEXT_SOURCE, STORE_TUI_PAIR_TIMES, STORE_TUI_INCIDENTS,
		STORE_TUI_INCIDENT_COUNT
	};
	struct store_rows **out[] = {
		&s->q_rules, &s->q_first_rule, &s->q_next_rule,
		&s->q_next_source, &s->q_ts, &s->q_incidents, &s->q_nincidents
	};
	size_t i;

	if (s->prepared)
		return 0;
	for (i = 0; i < UTIL_ARRAY_LEN(which); i++)
		if (store_tui_prepare(tui_store(t), which[i], out[i]) != 0)
			return store_read_error(tui_store(t), err, errlen,
			    "summary");
	/* Read-only on a database older than the table: counted by event. */
	store_tui_prepare(tui_store(t), STORE_TUI_MINUTES, &s->q_minutes);
	/* and older than untimed events: none */
	store_tui_prepare(tui_store(t), STORE_TUI_UNTIMED, &s->q_untimed);
	s->prepared = 1;
	return 0;
}

/* A rule's place in the temporary table of counts. */
struct rule_count {
	char		*id;
	char		*category;
	int		 severity;
	int		 unknown;	/* only the events know it */
	uint64_t	 count;
	uint64_t	 buckets[SUM_BUCKETS];
};

static int
rule_cmp_by_category(const void *a, const void *b)
{
	const struct rule_count *x = a, *y = b;
	int c = strcmp(x->category, y->category);

	if (c != 0)
		return c;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->id, y->id);
}

struct cat_total {
	const char	*name;
	uint64_t	 count;
	int		 severity;
	size_t		 first, n;	/* its rules in the sorted array */
};

static int
cat_cmp(const void *a, const void *b)
{
	const struct cat_total *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void
bind_window(struct tui *t, struct store_rows *q, int since_i, int until_i)
{
	int64_t since, until;

	tui_window(t, &since, &until);
	store_rows_bind_int64(q, since_i, since);
	store_rows_bind_int64(q, until_i, until);
}

static void
bind_sources(struct tui *t, struct store_rows *q, int i)
{
	store_rows_bind_copy(q, i, tui_sources_json(t));
}

/* The rule's place in *rcp; a rule the rules table lacks is added as unknown. */
static struct rule_count *
rule_count_of(struct rule_count **rcp, size_t *nrcp, const char *rule)
{
	size_t i;

	for (i = 0; i < *nrcp && strcmp((*rcp)[i].id, rule) != 0; i++)
		;
	if (i == *nrcp) {
		*rcp = xrealloc(*rcp, (*nrcp + 1) * sizeof **rcp);
		memset(&(*rcp)[*nrcp], 0, sizeof **rcp);
		(*rcp)[*nrcp].id = xstrdup(rule);
		(*rcp)[*nrcp].category = xstrdup("?");
		(*rcp)[*nrcp].unknown = 1;
		(*nrcp)++;
	}
	return &(*rcp)[i];
}

/* The bucket of the window [since, until) that ts falls in. */
static int64_t
summary_bucket(int64_t ts, int64_t since, int64_t until)
{
	/* As SQL would: integer division, toward zero. */
	int64_t b = (ts - since) * SUM_BUCKETS / (until - since);

	if (b < 0)
		b = 0;
	if (b >= SUM_BUCKETS)
		b = SUM_BUCKETS - 1;
	return b;
}

/* Count rule's events on src in [lo, hi) one by one into rc. */
static int
summary_count_span(struct summary *s, struct rule_count *rc, const char *rule,
    int64_t src, int64_t lo, int64_t hi, int64_t since, int64_t until)
{
	int r;

	store_rows_bind_text(s->q_ts, 1, rule);
	store_rows_bind_int64(s->q_ts, 2, src);
	store_rows_bind_int64(s->q_ts, 3, lo);
	store_rows_bind_int64(s->q_ts, 4, hi);
	while ((r = store_rows_next(s->q_ts)) == 1) {
		rc->buckets[summary_bucket(store_rows_int64(s->q_ts, 0),
		    since, until)]++;
		rc->count++;
		s->total++;
	}
	store_rows_reset(s->q_ts);
	return r == 0 ? 0 : -1;
}

static int
id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Count the events in the window from event_minutes: a minute that lies
 * in one bucket counts whole, one that a bucket boundary or the window's
 * edge cuts is counted event by event, so the counts are exact.
 */
static int
summary_count_minutes(struct tui *t, struct summary *s,
    struct rule_count **rcp, size_t *nrcp)
{
	struct store_rows *q = s->q_minutes;
	struct rule_count *rc = NULL;
	int64_t since, until, src, m0, m1, n, *sorted = NULL;
	const int64_t *ids;
	const char *rule;
	char *last = NULL;
	size_t nids, rci = 0;
	int r, ok = -1;

	tui_window(t, &since, &until);
	ids = tui_source_ids(t, &nids);
	if (ids != NULL && nids > 0) {
		sorted = xcalloc(nids, sizeof *sorted);
		memcpy(sorted, ids, nids * sizeof *sorted);
		qsort(sorted, nids, sizeof *sorted, id_cmp);
	}
	store_rows_bind_int64(q, 1, minutes_of(since));
	store_rows_bind_int64(q, 2, minutes_of(until - 1));
	while ((r = store_rows_next(q)) == 1) {
		rule = col_text(q, 0);
		src = store_rows_int64(q, 1);
		if (ids != NULL && (nids == 0 || bsearch(&src, sorted, nids,
		    sizeof *sorted, id_cmp) == NULL))
			continue;
		/* Rows come in key order: a rule's minutes one after another. */
		if (last == NULL || strcmp(last, rule) != 0) {
			free(last);
			last = xstrdup(rule);
			rci = (size_t)(rule_count_of(rcp, nrcp, rule) - *rcp);
		}
		rc = &(*rcp)[rci];
		m0 = store_rows_int64(q, 2) * 60000;
		m1 = m0 + 60000;
		n = store_rows_int64(q, 3);
		if (m0 >= since && m1 <= until && summary_bucket(m0, since,
		    until) == summary_bucket(m1 - 1, since, until)) {
			rc->buckets[summary_bucket(m0, since, until)] += (uint64_t)n;
			rc->count += (uint64_t)n;
			s->total += (uint64_t)n;
		} else if (summary_count_span(s, rc, last, src, m0 > since ?
		    m0 : since, m1 < until ? m1 : until, since, until) != 0)
			goto out;
	}
	if (r == 0)
		ok = 0;
out:
	store_rows_reset(q);
	free(last);
	free(sorted);
	return ok;
}

/*
 * Count the events of every (rule, source) pair in the window into the
 * rules' buckets, one by one (a database without event_minutes).
 */
static int
summary_count(struct tui *t, struct summary *s, struct rule_count **rcp,
    size_t *nrcp)
{
	struct rule_count *rc;
	struct store_rows *next = s->q_first_rule;
	int64_t since, until, src;
	const int64_t *ids;
	size_t nids, k;
	char *rule = NULL;
	int r, ok = -1;

	if (s->q_minutes != NULL)
		return summary_count_minutes(t, s, rcp, nrcp);
	tui_window(t, &since, &until);
	ids = tui_source_ids(t, &nids);
	for (;;) {
		if (rule != NULL)
			store_rows_bind_copy(next, 1, rule);
		r = store_rows_next(next);
		free(rule);
		rule = NULL;
		if (r == 1 && !store_rows_null(next, 0))
			rule = xstrdup(col_text(next, 0));
		store_rows_reset(next);
		if (r != 1)
			goto out;
		if (rule == NULL)
			break;
		next = s->q_next_rule;
		rc = rule_count_of(rcp, nrcp, rule);
		for (src = INT64_MIN;;) {
			store_rows_bind_text(s->q_next_source, 1, rule);
			store_rows_bind_int64(s->q_next_source, 2, src);
			r = store_rows_next(s->q_next_source);
			if (r != 1 ||
			    store_rows_null(s->q_next_source, 0)) {
				store_rows_reset(s->q_next_source);
				if (r != 1)
					goto out;
				break;
			}
			src = store_rows_int64(s->q_next_source, 0);
			store_rows_reset(s->q_next_source);
			for (k = 0; ids != NULL && k < nids && ids[k] != src; k++)
				;
			if (ids != NULL && k == nids)
				continue;
			if (summary_count_span(s, rc, rule, src, since, until,
			    since, until) != 0)
				goto out;
		}
	}
	ok = 0;
out:
	free(rule);
	return ok;
}

static int
summary_rules(struct tui *t, struct summary *s, char *err, size_t errlen)
{
	struct rule_count *rc = NULL;
	struct cat_total *cats = NULL;
	size_t nrc = 0, ncats = 0, i, j, k;
	struct sum_line *l;
	int rc_sql;

	while ((rc_sql = store_rows_next(s->q_rules)) == 1) {
		rc = xrealloc(rc, (nrc + 1) * sizeof *rc);
		memset(&rc[nrc], 0, sizeof *rc);
		rc[nrc].id = xstrdup(col_text(s->q_rules, 0));
		rc[nrc].category = xstrdup(col_text(s->q_rules, 1));
		rc[nrc].severity = store_rows_int(s->q_rules, 2);
		nrc++;
	}
	store_rows_reset(s->q_rules);
	if (rc_sql != 0)
		goto fail;

	s->total = 0;
	if (summary_count(t, s, &rc, &nrc) == -1)
		goto fail;
	s->untimed = 0;
	if (s->q_untimed != NULL) {
		bind_sources(t, s->q_untimed, 1);
		if (store_rows_next(s->q_untimed) == 1)
			s->untimed = (uint64_t)store_rows_int64(s->q_untimed, 0);
		store_rows_reset(s->q_untimed);
	}
	/* A rule that only the events know shows when it has some here. */
	for (i = j = 0; i < nrc; i++) {
		if (rc[i].unknown && rc[i].count == 0) {
			free(rc[i].id);
			free(rc[i].category);
		} else
			rc[j++] = rc[i];
	}
	nrc = j;

	if (nrc > 0)
		qsort(rc, nrc, sizeof *rc, rule_cmp_by_category);
	for (i = 0; i < nrc; i = j) {
		cats = xrealloc(cats, (ncats + 1) * sizeof *cats);
		cats[ncats].name = rc[i].category;
		cats[ncats].count = 0;
		cats[ncats].severity = 0;
		cats[ncats].first = i;
		for (j = i; j < nrc && strcmp(rc[j].category, rc[i].category) == 0;
		    j++) {
			cats[ncats].count += rc[j].count;
			if (rc[j].severity > cats[ncats].severity)
				cats[ncats].severity = rc[j].severity;
		}
		cats[ncats].n = j - i;
		ncats++;
	}
	if (ncats > 0)
		qsort(cats, ncats, sizeof *cats, cat_cmp);

	summary_add(s, SUM_HEADING, "EVENTS BY CATEGORY AND RULE");
	if (nrc == 0)
		summary_add(s, SUM_NOTE, "no rules or events yet: logtriage ingest "
		    "FILE adds logs");
	else {
		summary_add(s, SUM_COLUMNS, "");
		if (s->total == 0)
			summary_add(s, SUM_NOTE, "no events in this window: t widens "
			    "the window, s changes the source filter");
	}
	for (i = 0; i < ncats; i++) {
		l = summary_add(s, SUM_CATEGORY, cats[i].name);
		l->category = xstrdup(cats[i].name);
		l->count = cats[i].count;
		l->severity = cats[i].severity;
		l->buckets = xcalloc(SUM_BUCKETS, sizeof *l->buckets);
		for (j = cats[i].first; j < cats[i].first + cats[i].n; j++)
			for (k = 0; k < SUM_BUCKETS; k++)
				l->buckets[k] += rc[j].buckets[k];
		for (j = cats[i].first; j < cats[i].first + cats[i].n; j++) {
			l = summary_add(s, SUM_RULE, rc[j].id);
			l->category = xstrdup(rc[j].category);
			l->severity = rc[j].severity;
			l->count = rc[j].count;
			l->buckets = xmalloc(SUM_BUCKETS * sizeof *l->buckets);
			memcpy(l->buckets, rc[j].buckets, sizeof rc[j].buckets);
		}
	}
	for (i = 0; i < nrc; i++) {
		free(rc[i].id);
		free(rc[i].category);
	}
	free(rc);
	free(cats);
	return 0;
fail:
	store_read_error(tui_store(t), err, errlen, "summary");
	for (i = 0; i < nrc; i++) {
		free(rc[i].id);
		free(rc[i].category);
	}
	free(rc);
	return -1;
}

/* The by-field of an incident, from its details ("by"), if recorded. */
static char *
incident_by(const char *details)
{
	cJSON *j, *by;
	char *out = NULL;

	if (details == NULL || (j = cJSON_Parse(details)) == NULL)
		return NULL;
	by = cJSON_GetObjectItemCaseSensitive(j, "by");
	if (cJSON_IsString(by) && by->valuestring[0] != '\0')
		out = xstrdup(by->valuestring);
	cJSON_Delete(j);
	return out;
}

static int
summary_incidents(struct tui *t, struct summary *s, char *err, size_t errlen)
{
	struct sum_line *l;
	int64_t total = 0;
	int rc, shown = 0;
	char note[64];

	bind_window(t, s->q_nincidents, 1, 2);
	bind_sources(t, s->q_nincidents, 3);
	if (store_rows_next(s->q_nincidents) == 1)
		total = store_rows_int64(s->q_nincidents, 0);
	store_rows_reset(s->q_nincidents);
	s->nincidents = total;

	summary_add(s, SUM_HEADING, "INCIDENTS (most severe first)");
	bind_window(t, s->q_incidents, 1, 2);
	bind_sources(t, s->q_incidents, 3);
	store_rows_bind_int64(s->q_incidents, 4, SUM_INCIDENTS);
	while ((rc = store_rows_next(s->q_incidents)) == 1) {
		struct store_rows *q = s->q_incidents;

		l = summary_add(s, SUM_INCIDENT, col_text(q, 1));
		l->ikind = xstrdup(col_text(q, 0));
		l->category = xstrdup(col_text(q, 2));
		l->severity = store_rows_int(q, 3);
		l->source = xstrdup(col_text(q, 4));
		l->key = xstrdup(col_text(q, 5));
		l->start = store_rows_int64(q, 6);
		l->end = store_rows_int64(q, 7);
		l->count = (uint64_t)store_rows_int64(q, 8);
		l->by = incident_by(store_rows_text(q, 9));
		l->source_id = store_rows_int64(q, 10);
		shown++;
	}
	store_rows_reset(s->q_incidents);
	if (rc != 0) {
		return store_read_error(tui_store(t), err, errlen, "summary");
	}
	if (shown == 0)
		summary_add(s, SUM_NOTE, "none in this window: no storm, and every "
		    "expected follow-up came");
	else if (total > shown) {
		snprintf(note, sizeof note, "... and %lld more",
		    (long long)(total - shown));
		summary_add(s, SUM_NOTE, note);
	}
	return 0;
}

/*
 * Findings come from the report model, so the screen and the report agree.
 * The model reads every latency sample of the window, which takes a while
 * on weeks of data, so the counts and incidents are painted first and the
 * findings follow from the idle hook, in place of the "working" note.  A
 * key typed meanwhile stops the model (tui_interrupted) and it is asked
 * again when the keys are done.
 */
static int
summary_idle(struct tui *t, void *state)
{
	struct summary *s = state;
	struct report_query q;
	struct report *r = NULL;
	struct sum_line *found = NULL, *l;
	char err[256];
	size_t i, k = 0, at = s->findings_at;

	if (!s->findings_due || at >= s->n)
		return 0;
	memset(&q, 0, sizeof q);
	tui_window(t, &q.since, &q.until);
	q.sources = tui_source_patterns(t, &q.nsources);
	q.slow_ms = -1;
	q.tz = tui_zone_tz();
	if (report_build(tui_store(t), &q, NULL, &r, err, sizeof err) == -1) {
		if (tui_interrupted(t))
			return 0;
		s->findings_due = 0;
		free(s->lines[at].name);
		s->lines[at].name = xstrdup(err);
		return 1;
	}
	s->findings_due = 0;
	found = xcalloc(SUM_FINDINGS + 1, sizeof *found);
	for (i = 0; i < r->nfindings && i < SUM_FINDINGS; i++, k++) {
		found[k].kind = SUM_FINDING;
		found[k].name = xstrdup(r->findings[i].text);
		found[k].severity = r->findings[i].severity;
		found[k].source_id = -1;
		found[k].target = xstrdup(r->findings[i].rule);
	}
	if (k == 0) {
		found[0].kind = SUM_NOTE;
		found[0].name = xstrdup("nothing stands out: no storm, unresolved "
		    "leak, fallback or slow p95 in this window");
		found[0].source_id = -1;
		k = 1;
	}
	report_free(r);

	/* The findings take the place of the note, at its line. */
	free(s->lines[at].name);
	while (s->cap < s->n + k - 1) {
		s->cap *= 2;
		s->lines = xrealloc(s->lines, s->cap * sizeof *s->lines);
	}
	memmove(&s->lines[at + k], &s->lines[at + 1],
	    (s->n - at - 1) * sizeof *s->lines);
	memcpy(&s->lines[at], found, k * sizeof *found);
	free(found);
	s->n += k - 1;
	if (s->cursor > at)
		s->cursor += k - 1;
	if (s->top > at)
		s->top += k - 1;

	if (s->pending != NULL) {
		for (i = at; i < at + k; i++) {
			l = &s->lines[i];
			if (l->kind == SUM_FINDING && (s->pending[0] == '\0' ||
			    strcmp(l->name, s->pending) == 0))
				break;
		}
		if (i == at + k && s->lines[at].kind == SUM_FINDING)
			i = at;
		if (i < at + k)
			s->cursor = i;
		free(s->pending);
		s->pending = NULL;
	}
	return 1;
}

static int
summary_selectable(const struct sum_line *l)
{
	return l->kind == SUM_CATEGORY || l->kind == SUM_RULE ||
	    l->kind == SUM_INCIDENT || l->kind == SUM_FINDING;
}

static int
summary_load(struct tui *t, void *state, char *err, size_t errlen)
{
	struct summary *s = state;
	char *cur_name = NULL;
	enum sum_kind cur_kind = SUM_HEADING;
	int64_t cur_start = 0;
	size_t i;

	/* back to the front with nothing changed: what it shows still holds */
	if (s->have && s->gen == tui_generation(t))
		return 0;
	s->have = 0;
	if (summary_prepare(t, s, err, errlen) == -1)
		return -1;
	/*
	 * Remember what the cursor was on, to find it again after a reload;
	 * a finding is found again when the findings come.  On the first
	 * load the cursor goes to the first finding.
	 */
	if (s->cursor < s->n) {
		cur_name = xstrdup(s->lines[s->cursor].name);
		cur_kind = s->lines[s->cursor].kind;
		cur_start = s->lines[s->cursor].start;
		if (cur_kind == SUM_FINDING) {
			free(s->pending);
			s->pending = xstrdup(cur_name);
		}
	} else if (s->n == 0 && s->pending == NULL)
		s->pending = xstrdup("");
	summary_clear(s);
	summary_add(s, SUM_HEADING, "TOP FINDINGS");
	s->findings_at = s->n;
	summary_add(s, SUM_NOTE, "working out the findings...");
	s->findings_due = 1;
	if (summary_incidents(t, s, err, errlen) == -1 ||
	    summary_rules(t, s, err, errlen) == -1) {
		free(cur_name);
		s->cursor = 0;
		return -1;
	}

	s->cursor = s->n;
	for (i = 0; cur_name != NULL && i < s->n; i++) {
		if (s->lines[i].kind == cur_kind &&
		    strcmp(s->lines[i].name, cur_name) == 0 &&
		    (cur_kind != SUM_INCIDENT || s->lines[i].start == cur_start)) {
			s->cursor = i;
			break;
		}
	}
	free(cur_name);
	if (s->cursor == s->n)
		for (s->cursor = 0; s->cursor < s->n &&
		    !summary_selectable(&s->lines[s->cursor]); s->cursor++)
			;
	s->have = 1;
	s->gen = tui_generation(t);
	return 0;
}

/* Fold SUM_BUCKETS counts into width cells. */
static void
summary_spark(struct tui *t, int y, int x, int width, const uint64_t *b)
{
	uint64_t cells[SUM_BUCKETS];
	struct buf out;
	int i;

	if (width <= 0)
		return;
	if (width > SUM_BUCKETS)
		width = SUM_BUCKETS;
	memset(cells, 0, sizeof cells);
	for (i = 0; i < SUM_BUCKETS; i++)
		cells[i * width / SUM_BUCKETS] += b[i];
	buf_init(&out);
	tui_sparkline(t, &out, cells, (size_t)width);
	tui_attr(t, TUI_MATCH, 1);
	tui_put(t, y, x, width, out.data, out.len, 0);
	tui_attr(t, TUI_MATCH, 0);
	buf_free(&out);
}

/*
 * Split a finding's text into rows of at most width bytes, at spaces where
 * it can; the last row takes the rest (and is cut by tui_put).  Returns
 * the rows, each as an offset and a length.
 */
static int
summary_wrap(const char *text, int width, size_t *off, size_t *len)
{
	size_t pos = 0, rem, cut, w = width > 8 ? (size_t)width : 8;
	int rows = 0;

	while (text[pos] != '\0' && rows < SUM_FINDING_ROWS) {
		rem = strlen(text + pos);
		if (rem <= w || rows == SUM_FINDING_ROWS - 1)
			cut = pos + rem;
		else {
			for (cut = pos + w; cut > pos && text[cut] != ' '; cut--)
				;
			if (cut == pos)
				for (cut = pos + w; cut > pos &&
				    ((unsigned char)text[cut] & 0xc0) == 0x80; cut--)
					;
		}
		off[rows] = pos;
		len[rows] = cut - pos;
		rows++;
		for (pos = cut; text[pos] == ' '; pos++)
			;
	}
	if (rows == 0) {
		off[0] = len[0] = 0;
		rows = 1;
	}
	return rows;
}

static int
summary_line_rows(struct tui *t, const struct sum_line *l)
{
	size_t off[SUM_FINDING_ROWS], len[SUM_FINDING_ROWS];

	if (l->kind != SUM_FINDING)
		return 1;
	return summary_wrap(l->name, tui_cols(t) - 14, off, len);
}

/* Draw line l from row y, in at most rows rows. */
static void
summary_draw_line(struct tui *t, struct sum_line *l, int y, int rows,
    int selected)
{
	size_t off[SUM_FINDING_ROWS], len[SUM_FINDING_ROWS];
	int cols = tui_cols(t), x, sw, n, i;
	char a[32], d[16];

	if (selected)
		tui_attr(t, TUI_CURSOR, 1);
	move(y, 0);
	hline(' ', cols);
	switch (l->kind) {
	case SUM_HEADING:
		tui_attr(t, TUI_TITLE, 1);
		tui_put(t, y, 1, cols - 2, l->name, strlen(l->name), 0);
		tui_attr(t, TUI_TITLE, 0);
		break;
	case SUM_NOTE:
		tui_put(t, y, 3, cols - 4, l->name, strlen(l->name), 0);
		break;
	case SUM_COLUMNS:
		tui_attr(t, TUI_DIM, 1);
		tui_printf(t, y, 1, cols - 2, "%-29s%9s  %-9s activity over the "
		    "window", "category / rule", "events", "severity");
		tui_attr(t, TUI_DIM, 0);
		break;
	case SUM_CATEGORY:
	case SUM_RULE:
		x = l->kind == SUM_CATEGORY ? 1 : 3;
		if (l->kind == SUM_CATEGORY)
			tui_attr(t, TUI_HEADER, 1);
		else if (!selected)
			tui_attr(t, tui_severity_role(l->severity), 1);
		tui_put_hl(t, y, x, 30 - x, l->name, strlen(l->name), 1, 0);
		if (l->kind == SUM_CATEGORY)
			tui_attr(t, TUI_HEADER, 0);
		else if (!selected)
			tui_attr(t, tui_severity_role(l->severity), 0);
		tui_printf(t, y, 30, 9, "%9llu", (unsigned long long)l->count);
		if (l->kind == SUM_RULE)
			tui_printf(t, y, 41, 9, "%s", tui_severity_name(l->severity));
		sw = cols - 52;
		if (sw > 72)
			sw = 72;
		summary_spark(t, y, 51, sw, l->buckets);
		break;
	case SUM_INCIDENT:
		if (!selected)
			tui_attr(t, tui_severity_role(l->severity), 1);
		x = 3;
		x += tui_put(t, y, x, 11, l->ikind, strlen(l->ikind), 1);
		x += tui_put_hl(t, y, x, 22, l->name, strlen(l->name), 1, 0);
		if (!selected)
			tui_attr(t, tui_severity_role(l->severity), 0);
		/* How often and since when first: they must fit 80 columns. */
		tui_format_time(l->start, a, sizeof a);
		/* An unresolved incident is one event: it has no duration. */
		if (l->end > l->start)
			tui_format_duration(l->end - l->start, d, sizeof d);
		else
			snprintf(d, sizeof d, "-");
		x += tui_printf(t, y, x, cols - x, "%6llu ev  %s %7s  ",
		    (unsigned long long)l->count, a, d);
		if (l->key[0] != '\0' && x < cols) {
			x += tui_printf(t, y, x, cols - x, "%s=",
			    l->by != NULL ? l->by : "key");
			x += tui_put_hl(t, y, x, cols - x, l->key, strlen(l->key),
			    0, 0);
			x += 2;
		}
		if (x < cols)
			tui_put_hl(t, y, x, cols - x, l->source,
			    strlen(l->source), 0, 0);
		break;
	case SUM_FINDING:
		n = summary_wrap(l->name, cols - 14, off, len);
		for (i = 0; i < n && i < rows; i++) {
			move(y + i, 0);
			hline(' ', cols);
			tui_put_hl(t, y + i, 13, cols - 14, l->name + off[i],
			    len[i], 0, 0);
		}
		if (!selected)
			tui_attr(t, tui_severity_role(l->severity), 1);
		tui_printf(t, y, 3, 9, "%s", tui_severity_name(l->severity));
		if (!selected)
			tui_attr(t, tui_severity_role(l->severity), 0);
		break;
	}
	if (selected)
		tui_attr(t, TUI_CURSOR, 0);
}

static void
summary_draw(struct tui *t, void *state, int y, int h)
{
	struct summary *s = state;
	int64_t since, until;
	size_t i;
	int row, k, used;
	char d[16], untimed[80];

	tui_window(t, &since, &until);
	tui_format_duration(until - since, d, sizeof d);
	tui_attr(t, TUI_DIM, 1);
	untimed[0] = '\0';
	if (s->untimed > 0)
		snprintf(untimed, sizeof untimed, "; %llu untimed, in no window"
		    " (logtriage events --untimed)", (unsigned long long)s->untimed);
	tui_printf(t, y, 1, tui_cols(t) - 2, "%llu events and %lld incidents "
	    "in the window (%s)%s", (unsigned long long)s->total,
	    (long long)s->nincidents, d, untimed);
	tui_attr(t, TUI_DIM, 0);
	y++;
	h--;
	if (h <= 0)
		return;
	if (s->cursor < s->top)
		s->top = s->cursor;
	/* Keep the heading above the cursor in sight when scrolling back up. */
	if (s->top > 0 && s->top == s->cursor && s->lines[s->top - 1].kind ==
	    SUM_HEADING)
		s->top--;
	/* Findings take more than one row: scroll until the cursor's fit. */
	while (s->cursor < s->n && s->top < s->cursor) {
		for (i = s->top, used = 0; i <= s->cursor; i++)
			used += summary_line_rows(t, &s->lines[i]);
		if (used <= h)
			break;
		s->top++;
	}
	for (i = s->top, row = 0; i < s->n && row < h; i++, row += k) {
		k = summary_line_rows(t, &s->lines[i]);
		if (k > h - row)
			k = h - row;
		summary_draw_line(t, &s->lines[i], y + row, k, i == s->cursor);
	}
}

static void
summary_move(struct summary *s, int delta)
{
	size_t i = s->cursor;
	int step = delta > 0 ? 1 : -1, left = abs(delta);

	while (left > 0) {
		size_t j = i;

		do {
			if (step < 0 && j == 0)
				break;
			j += (size_t)(ptrdiff_t)step;
		} while (j < s->n && !summary_selectable(&s->lines[j]));
		if (j >= s->n || !summary_selectable(&s->lines[j]))
			break;
		i = j;
		left--;
	}
	s->cursor = i;
}

/* The line under the cursor becomes the selection of the other views. */
static int
summary_select(struct tui *t, struct summary *s)
{
	struct tui_sel *sel = tui_sel(t);
	struct sum_line *l;

	if (s->cursor >= s->n || !summary_selectable(&s->lines[s->cursor]))
		return 0;
	l = &s->lines[s->cursor];
	tui_sel_clear(t);
	switch (l->kind) {
	case SUM_CATEGORY:
		sel->category = xstrdup(l->name);
		break;
	case SUM_RULE:
		sel->rule = xstrdup(l->name);
		break;
	case SUM_FINDING:
		if (l->target == NULL)
			return 0;
		sel->rule = xstrdup(l->target);
		break;
	default:
		sel->rule = xstrdup(l->name);
		sel->since = l->start;
		sel->until = l->end + 1;
		sel->source_id = l->source_id;
		break;
	}
	return 1;
}

static int
summary_key(struct tui *t, void *state, int key)
{
	struct summary *s = state;
	struct sum_line *l;

	switch (key) {
	case KEY_DOWN:
	case 'j':
		summary_move(s, 1);
		break;
	case KEY_UP:
	case 'k':
		summary_move(s, -1);
		break;
	case KEY_NPAGE:
	case ' ':
		summary_move(s, 10);
		break;
	case KEY_PPAGE:
		summary_move(s, -10);
		break;
	case KEY_HOME:
	case 'g':
		s->cursor = 0;
		s->top = 0;
		if (s->n > 0 && !summary_selectable(&s->lines[0]))
			summary_move(s, 1);
		break;
	case KEY_END:
	case 'G':
		s->cursor = s->n > 0 ? s->n - 1 : 0;
		if (s->n > 0 && !summary_selectable(&s->lines[s->cursor]))
			summary_move(s, -1);
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (s->cursor >= s->n)
			return 1;
		l = &s->lines[s->cursor];
		if (l->kind == SUM_FINDING && l->target == NULL)
			tui_message(t, "this finding names no single rule");
		else if (summary_select(t, s))
			tui_push(t, l->kind == SUM_FINDING ? &tui_view_timeline :
			    &tui_view_events);
		return 1;
	default:
		return 0;
	}
	/* The user has taken the cursor: the findings must not move it. */
	free(s->pending);
	s->pending = NULL;
	summary_select(t, s);
	return 1;
}

static const char *
summary_hint(struct tui *t, void *state)
{
	struct summary *s = state;
	const struct sum_line *l;
	const char *rest = "j/k move  Tab views  t window  s source  ? help";

	if (s->cursor >= s->n)
		return NULL;
	l = &s->lines[s->cursor];
	switch (l->kind) {
	case SUM_FINDING:
		if (l->target == NULL)
			return NULL;
		snprintf(s->hint, sizeof s->hint, "Enter: timeline of %s  %s",
		    l->target, rest);
		break;
	case SUM_INCIDENT:
		snprintf(s->hint, sizeof s->hint, "Enter: events of this %s  %s",
		    l->ikind, rest);
		break;
	case SUM_RULE:
		snprintf(s->hint, sizeof s->hint, "Enter: events of %s  %s",
		    l->name, rest);
		break;
	case SUM_CATEGORY:
		snprintf(s->hint, sizeof s->hint, "Enter: events of category %s  %s",
		    l->name, rest);
		break;
	default:
		return NULL;
	}
	return s->hint;
}

const struct tui_view tui_view_summary = {
	.name = "Summary",
	.create = summary_create,
	.destroy = summary_destroy,
	.load = summary_load,
	.draw = summary_draw,
	.key = summary_key,
	.idle = summary_idle,
	.hint = summary_hint,
	.keys = "Enter drill down  j/k move  Tab views  t window  s source  ? help",
};
