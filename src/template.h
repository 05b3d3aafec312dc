/*
 * template.h - message templates: mask the variable parts of one message
 * (numbers, ids, hex, UUIDs, IPs, paths, quoted strings) as "<*>", and mine
 * templates from a stream of messages with a fixed-depth parse tree (first
 * by token count, then by the leading tokens, then by token similarity
 * within a leaf, in the manner of Drain).  Knows nothing about envelopes,
 * levels, rules or SQL: it is given bare messages.
 */
#ifndef LOGTRIAGE_TEMPLATE_H
#define LOGTRIAGE_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define TEMPLATE_WILDCARD "<*>"

/*
 * Append msg[0..len) to out with its variable parts replaced by "<*>":
 * words holding a digit (numbers, hex, UUIDs, IPv4/IPv6, times, durations,
 * ids such as req-9f3e), paths, the inside of quoted strings (the quotes
 * stay) and the name after "user" ("for user news", "Invalid user
 * admin").  Runs of blanks become one blank; a multi-line message keeps
 * its first line only.  A list of three or more alike items (separated
 * by ", ") becomes its first two and ", ...", so its length does not
 * make a template of its own.
 */
void template_mask(struct buf *out, const char *msg, size_t len);

struct template_miner;

/*
 * A miner.  Memory grows with the number of templates, not of messages:
 * each template keeps one copy of the message that founded it (capped) and
 * its token signature; template_miner_add takes no copy of later messages.
 */
struct template_miner *template_miner_new(void);
void template_miner_free(struct template_miner *m);

/*
 * Mine one message; returns the id of the template it joined or founded
 * (ids count from 0 in order of creation).  A template's text may still
 * generalise as later messages join it.
 */
uint32_t template_miner_add(struct template_miner *m, const char *msg, size_t len);

/*
 * After the last message: merge templates that ended up alike (the same
 * fixed tokens and wildcards reached by different branches of the tree).
 * Afterwards template_miner_final maps every id to its surviving id.
 * Messages may still be added after it; call it again at the end.
 */
void template_miner_finish(struct template_miner *m);

/* Ids handed out so far (surviving or merged). */
uint32_t template_miner_count(const struct template_miner *m);

/* The surviving id that id was merged into (id itself if it survived). */
uint32_t template_miner_final(const struct template_miner *m, uint32_t id);

/* Messages in template id (merged ones included once finished). */
uint64_t template_miner_size(const struct template_miner *m, uint32_t id);

/* Append the template's text, "<*>" for each variable token. */
void template_miner_text(const struct template_miner *m, uint32_t id, struct buf *out);

/*
 * Append a PCRE2 pattern for template id: its fixed text with regex
 * metacharacters escaped, blanks as \s+, and each variable token a named
 * group (?<name>\S+?) (\S+ at the end; .+ for the tail of a message cut
 * at its token limit): the name is the word before it when that word is a
 * plain identifier not used yet and no preposition, else v1, v2, ...  The
 * pattern is not anchored (rules search anywhere in a record).  Returns
 * the number of groups.
 */
int template_miner_regex(const struct template_miner *m, uint32_t id, struct buf *out);

#endif
