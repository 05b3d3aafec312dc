-- schema.sql - the logtriage store.  Compiled into the binary; applied to a
-- new database and checked against PRAGMA user_version on an old one.
-- Timestamps are UTC milliseconds since the epoch.

CREATE TABLE IF NOT EXISTS meta (
	key	TEXT PRIMARY KEY,
	value	TEXT
) WITHOUT ROWID;
-- How events.hash is computed: 2 is the word-at-a-time text hash.  A
-- database without the row (made before it) keeps byte-wise FNV-1a, so
-- re-reading its files still finds the events it holds.
INSERT OR IGNORE INTO meta (key, value) VALUES ('event_hash', '2');
-- How identical untimed events are told apart: 'record', their ordinal is
-- the number of untimed records of their source before theirs in their
-- input.  A database that held untimed events without the row keeps
-- 'text': the number of events of the same rule and text before them.
INSERT OR IGNORE INTO meta (key, value) VALUES ('untimed_ordinal', 'record');
-- Where the untimed events of metric rules are: 'samples', with their
-- rule's timed ones.  A database without the row (made before it, whose
-- samples.ts is NOT NULL) keeps them in events.
INSERT OR IGNORE INTO meta (key, value) VALUES ('untimed_samples', 'samples');

-- Where records come from: a container, a compose service, a file, stdin.
CREATE TABLE IF NOT EXISTS sources (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE,
	kind		TEXT NOT NULL,		-- stdin | file | docker | compose | journald | named
	identity	TEXT,			-- container id or path it was first seen with
	first_ts	INTEGER,		-- log time span of its records
	last_ts		INTEGER			-- "now" in log time for this source
);

-- One row per `logtriage ingest` input (a file or stdin).
CREATE TABLE IF NOT EXISTS ingests (
	id		INTEGER PRIMARY KEY,
	input		TEXT NOT NULL,		-- path, or "-"
	source		TEXT,			-- --source, if given
	started		INTEGER NOT NULL,	-- wall clock
	finished	INTEGER,
	status		TEXT NOT NULL DEFAULT 'running',	-- running | done | stopped (SIGINT/SIGTERM) | failed
	bytes		INTEGER NOT NULL DEFAULT 0,
	lines		INTEGER NOT NULL DEFAULT 0,
	records		INTEGER NOT NULL DEFAULT 0,
	events		INTEGER NOT NULL DEFAULT 0,	-- new events stored
	duplicates	INTEGER NOT NULL DEFAULT 0,	-- events already stored
	malformed	INTEGER NOT NULL DEFAULT 0,	-- lines with a broken envelope, kept as text
	truncated	INTEGER NOT NULL DEFAULT 0,	-- lines cut at 1 MiB
	no_timestamp	INTEGER NOT NULL DEFAULT 0,	-- records without a stamp of their own
	backwards	INTEGER NOT NULL DEFAULT 0,	-- records earlier than their predecessor
	bad_utf8	INTEGER NOT NULL DEFAULT 0,	-- records with invalid UTF-8
	nul_bytes	INTEGER NOT NULL DEFAULT 0,	-- NUL bytes read
	regex_errors	INTEGER NOT NULL DEFAULT 0,	-- matches abandoned at the PCRE2 limits
	skipped_bytes	INTEGER NOT NULL DEFAULT 0,	-- already ingested (resume)
	first_ts	INTEGER,
	last_ts		INTEGER,
	-- added later (store_upgrade adds it to older databases)
	untimed		INTEGER NOT NULL DEFAULT 0	-- records with no time at all (none in their input before them)
);

-- Resume points: how far each regular file (by canonical path and a hash of
-- its first bytes) has been ingested.  Updated in the same transaction as the events.
CREATE TABLE IF NOT EXISTS inputs (
	path		TEXT NOT NULL,
	fingerprint	INTEGER NOT NULL,
	offset		INTEGER NOT NULL,
	lineno		INTEGER NOT NULL,
	updated		INTEGER NOT NULL,
	-- the ordinal state at offset as databases made before kept it, per
	-- source (source_id, ts, hash, n) as 28 bytes little-endian: read
	-- when input_ordinals holds none for the file, cleared when it does
	ordinals	BLOB,
	-- the time of the latest record before offset: lines without a stamp
	-- of their own after the resume point take it (NULL: none yet)
	ts		INTEGER,
	-- the rule set the input was read with up to offset (a hash of every
	-- rule's id and text): other rules read it again from the start
	-- (NULL: not known, a database made before)
	rules		INTEGER,
	PRIMARY KEY (path, fingerprint)
) WITHOUT ROWID;

-- The ordinal state at a file's resume point, so a resumed run continues
-- the ordinals of identical records of the second it resumes in: per
-- source, its latest second before the point and the records of each
-- text there.  A row changes only when its source had records since the
-- last commit, so the cost of a commit does not grow with the sources.
CREATE TABLE IF NOT EXISTS input_ordinals (
	path		TEXT NOT NULL,
	fingerprint	INTEGER NOT NULL,
	source_id	INTEGER NOT NULL,
	ts		INTEGER NOT NULL,
	counts		BLOB,		-- per text (hash, n) as 12 bytes little-endian
	PRIMARY KEY (path, fingerprint, source_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS rules (
	id		TEXT PRIMARY KEY,
	category	TEXT NOT NULL,
	severity	INTEGER NOT NULL,	-- 0 debug .. 5 critical
	summary		TEXT,
	file		TEXT,
	hash		INTEGER NOT NULL,
	metric_field	TEXT,
	metric_by	TEXT,
	-- correlation keys, so readers know a link's meaning without the rule files
	follows_rule	TEXT,			-- follows = R within W [by F]
	follows_by	TEXT,
	expect_rule	TEXT,			-- expect = R within W [by F]
	expect_by	TEXT,
	-- added later (store_upgrade adds them to older databases)
	unit		TEXT,			-- of the stored values: ms for durations
	slow		TEXT,			-- threshold: "p95 > 8000ms"
	counts		TEXT,			-- counts = NOUN [by F]: a denominator
	counts_by	TEXT,
	means		TEXT			-- double-release | release-refused
) WITHOUT ROWID;

-- One row per (record, rule) match, but for the timed ones of the rules
-- in sample_rules, which are in samples (below).  (source_id, ts, hash,
-- ordinal) makes re-ingest and overlapping windows idempotent: hash covers
-- the rule and the record text, ordinal numbers identical records with the
-- same ts.  Since hash covers the rule, the key is enforced by the one
-- index readers walk, events_rule_ts, with rule in front: an insert
-- maintains one index, not two.  Its ordinal comes before hash so that
-- untimed events (ts NULL), numbered by record, are inserted in the order
-- they come, not at random.  (Databases created before keep (rule,
-- source_id, ts, hash, ordinal), or UNIQUE on the table and a plain
-- events_rule_ts (rule, source_id, ts); all enforce the same key.)
CREATE TABLE IF NOT EXISTS events (
	id		INTEGER PRIMARY KEY,
	source_id	INTEGER NOT NULL,
	rule		TEXT NOT NULL,
	ts		INTEGER,		-- NULL: untimed (its input had no time before it)
	hash		INTEGER NOT NULL,
	ordinal		INTEGER NOT NULL,
	line		INTEGER,		-- first physical line in its input
	line_end	INTEGER,		-- last physical line
	stream		INTEGER NOT NULL DEFAULT 0,	-- 0 unknown, 1 stdout, 2 stderr
	text		TEXT NOT NULL,		-- the whole record
	fields		TEXT,			-- JSON object: named groups
	value		REAL,			-- metric rules: the metric field
	grp		TEXT,			-- metric rules: the group field
	link		INTEGER,		-- follows/expect: the linked event's id
	inherited	TEXT,			-- JSON object: fields taken over from link
	dup_of		INTEGER			-- same = ...: the event this one repeats
);
CREATE UNIQUE INDEX IF NOT EXISTS events_rule_ts
	ON events (rule, source_id, ts, ordinal, hash);
-- The events linked to one (Detail's "linked from"); few events have a link.
CREATE INDEX IF NOT EXISTS events_link ON events (link) WHERE link IS NOT NULL;
-- Untimed events are in no window: every `ts >= ?` and `ts < ?` leaves
-- them out, and min(ts), max(ts) skip them.  A unique index holds NULLs
-- apart, so this one gives them the same key without the time, ordinal
-- (by record, see meta) before hash so that they are inserted in the
-- order they come.  (Older databases declared ts NOT NULL; store_upgrade
-- drops the constraint.  Those that keep numbering by text keep the
-- order (rule, source_id, hash, ordinal): the same key.)
CREATE UNIQUE INDEX IF NOT EXISTS events_untimed
	ON events (rule, source_id, ordinal, hash) WHERE ts IS NULL;

-- The events of metric rules (latency samples), most of the rows, kept
-- apart so that storing one is cheaper: no unique key, and indexes of
-- integers only (the rule by its number in sample_rules).  Ids come
-- from the one sequence of both tables (the writer numbers the rows of
-- both past the largest id either holds), so an id names one row of one
-- of them.  A rule's rows are all here or all in events: here when
-- sample_rules names it (store_sync_rules moves them when that changes).
-- Re-ingest and overlapping windows stay idempotent through sample_spans
-- for the timed rows, through samples_untimed for the others.  (In a
-- database without meta's untimed_samples, ts is NOT NULL and a rule's
-- untimed rows stay in events, deduplicated by events_untimed.)
CREATE TABLE IF NOT EXISTS samples (
	id		INTEGER PRIMARY KEY,
	source_id	INTEGER NOT NULL,
	rule_no		INTEGER NOT NULL,	-- sample_rules.no
	ts		INTEGER,		-- NULL: untimed, as in events
	hash		INTEGER NOT NULL,
	ordinal		INTEGER NOT NULL,
	line		INTEGER,
	line_end	INTEGER,
	stream		INTEGER NOT NULL DEFAULT 0,
	text		TEXT NOT NULL,
	fields		TEXT,
	value		REAL,
	grp		TEXT,
	link		INTEGER,
	inherited	TEXT,
	dup_of		INTEGER
);
-- In (ts, id) order per rule and source, as events_rule_ts is.
CREATE INDEX IF NOT EXISTS samples_rule_ts ON samples (rule_no, source_id, ts);
-- The untimed rows of a rule and source by ordinal (by record, see meta),
-- which grows through an input: a write reads the keys stored in the
-- range of its rows' ordinals, none on a first reading, to store only
-- the rows that are new.
CREATE INDEX IF NOT EXISTS samples_untimed
	ON samples (rule_no, source_id, ordinal) WHERE ts IS NULL;
-- Links are set on the events of rules with follows or expect and name
-- events of the rules those name, none of them sample rules: a row here
-- has one only when its rule was not a sample rule and the links of then
-- were not yet recomputed.  Empty but for those.
CREATE INDEX IF NOT EXISTS samples_link ON samples (link) WHERE link IS NOT NULL;
-- The rules whose events are in samples: metric rules that no
-- storm, follows or expect involves (correlation links and reads the
-- events of those in events alone).
CREATE TABLE IF NOT EXISTS sample_rules (
	no		INTEGER PRIMARY KEY,
	rule		TEXT NOT NULL UNIQUE
);
-- Where samples may be stored: per rule, spans of log time that hold
-- every stored sample of the rule (a span may hold none).  Samples whose
-- time is in no span of their rule are new; for the others the keys (ts,
-- hash, ordinal) of the samples of their rule and source stored in the
-- overlap are read to tell them apart.  One row per rule and transaction
-- that stored samples.
CREATE TABLE IF NOT EXISTS sample_spans (
	rule_no		INTEGER NOT NULL,	-- sample_rules.no
	first_ts	INTEGER NOT NULL,
	last_ts		INTEGER NOT NULL,
	n		INTEGER NOT NULL	-- samples stored with it
);
CREATE INDEX IF NOT EXISTS sample_spans_rule ON sample_spans (rule_no, last_ts);
-- Every event, of either table, with the columns of events: what readers
-- read.  (A database made before samples gets it from the first writer;
-- a reader of one no writer opened since reads events alone, under the
-- same name.)
CREATE VIEW IF NOT EXISTS events_all AS
	SELECT id, source_id, rule, ts, hash, ordinal, line, line_end, stream,
	    text, fields, value, grp, link, inherited, dup_of FROM events
	UNION ALL
	SELECT s.id, s.source_id, r.rule, s.ts, s.hash, s.ordinal, s.line,
	    s.line_end, s.stream, s.text, s.fields, s.value, s.grp, s.link,
	    s.inherited, s.dup_of
	FROM samples s JOIN sample_rules r ON r.no = s.rule_no;

-- Correlation results.  Recomputed from events, so they never drift from them.
CREATE TABLE IF NOT EXISTS incidents (
	id		INTEGER PRIMARY KEY,
	kind		TEXT NOT NULL,		-- storm | unresolved | open
	rule		TEXT NOT NULL,
	source_id	INTEGER NOT NULL,
	key		TEXT,			-- value of the by-field ("" without one)
	start		INTEGER NOT NULL,	-- first event
	end		INTEGER NOT NULL,	-- last event
	count		INTEGER NOT NULL,
	peak_per_min	INTEGER,		-- storms: most events in any 60 s
	detected_at	INTEGER,		-- storms: the event that completed N in W
	event_id	INTEGER,		-- unresolved/open: the event left waiting
	details		TEXT			-- JSON object
);
CREATE INDEX IF NOT EXISTS incidents_rule ON incidents (rule, source_id, start);

-- Events per rule, source and minute of log time (untimed ones are in no
-- minute), written in the transaction that adds or removes them: counting
-- a window reads a row per minute, not a row per event.
CREATE TABLE IF NOT EXISTS event_minutes (
	rule		TEXT NOT NULL,
	source_id	INTEGER NOT NULL,
	minute		INTEGER NOT NULL,	-- floor(ts / 60000)
	n		INTEGER NOT NULL,
	PRIMARY KEY (rule, source_id, minute)
) WITHOUT ROWID;

-- Input volume per source and minute of log time (report "input", timelines).
CREATE TABLE IF NOT EXISTS volume (
	source_id	INTEGER NOT NULL,
	minute		INTEGER NOT NULL,	-- ts / 60000
	lines		INTEGER NOT NULL DEFAULT 0,
	records		INTEGER NOT NULL DEFAULT 0,
	bytes		INTEGER NOT NULL DEFAULT 0,	-- input bytes read (envelopes, newlines)
	malformed	INTEGER NOT NULL DEFAULT 0,	-- lines, as ingests.malformed
	truncated	INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (source_id, minute)
) WITHOUT ROWID;

-- What the volume has counted, per source and input (a file's canonical
-- path, "-" for standard input and other streams): the time of the latest
-- record counted and how many records of each text were counted at that
-- time.  A record is counted only past this mark, so re-reads and
-- overlapping windows count each line once.  Updated in the same
-- transaction as the volume.
CREATE TABLE IF NOT EXISTS volume_marks (
	source_id	INTEGER NOT NULL,
	input		TEXT NOT NULL,
	ts		INTEGER NOT NULL,
	-- input offset just past the last record counted (regular files; 0
	-- for streams): a run resuming at or after it reads only new records
	offset		INTEGER NOT NULL DEFAULT 0,
	-- per record text at ts, (hash, n) as 12 bytes little-endian
	texts		BLOB,
	PRIMARY KEY (source_id, input)
) WITHOUT ROWID;

-- Context of the events of warning severity or worse (context.h): the
-- lines around one are read again from its file, or, for a stream that
-- cannot be read again, from a block of the records before it.
-- A file input as a run of ingest opened it (ingests.id): a moved or
-- changed file is told from its first and last bytes, size and mtime.
CREATE TABLE IF NOT EXISTS context_files (
	ingest		INTEGER PRIMARY KEY,	-- ingests.id
	path		TEXT NOT NULL,		-- canonical path
	fingerprint	INTEGER NOT NULL,	-- hash of its first min(size, 4096) bytes
	tail		INTEGER NOT NULL,	-- hash of the up to 4096 bytes before size
	size		INTEGER NOT NULL,	-- bytes, when the run opened it
	mtime		INTEGER NOT NULL	-- ms, then
);
-- Records of a stream, packed (line, extra lines, length, text), kept
-- once for every event whose context they are.
CREATE TABLE IF NOT EXISTS context_blocks (
	id		INTEGER PRIMARY KEY,
	ingest		INTEGER NOT NULL,
	raw_len		INTEGER NOT NULL,	-- bytes of the packed records
	zlib		INTEGER NOT NULL,	-- 1: data is zlib-compressed
	data		BLOB NOT NULL
);
-- Only events that have context have a row here.
CREATE TABLE IF NOT EXISTS event_context (
	event_id	INTEGER PRIMARY KEY,	-- events.id
	ingest		INTEGER NOT NULL,
	offset		INTEGER,		-- files: byte offset of its first line (decompressed)
	block		INTEGER			-- streams: context_blocks.id
);
