/*
 * severity.h - the severities of rules and records, and their names.  A
 * header of its own so that the renderers, the store and the TUI can name a
 * severity without knowing rules (or PCRE2).
 */
#ifndef LOGTRIAGE_SEVERITY_H
#define LOGTRIAGE_SEVERITY_H

enum severity {
	SEV_DEBUG = 0,
	SEV_INFO,
	SEV_NOTICE,
	SEV_WARNING,
	SEV_ERROR,
	SEV_CRITICAL,
	SEV_COUNT
};

/* "warning"; "unknown" for a value out of range.  Static storage. */
const char *severity_name(enum severity s);

/* The severity named name, or -1 if unknown. */
int severity_from_name(const char *name);

#endif
