/*
 * store_floor.c - `make bench`'s floor of the writer: the CPU that SQLite
 * itself takes to store a cell's rows in the cheapest form the store could
 * have, so that the writer thread's CPU can be read against it.  Into a new
 * database (8 KiB pages, WAL, synchronous off, secure_delete off, as an
 * ingest's new file) it inserts ROWS rows of the samples table's sixteen
 * columns (schema.sql) into a table with no index at all, TEXT_LEN bytes of
 * text and FIELDS_LEN of fields each, with one prepared statement, in
 * transactions of 16384 rows, and prints the CPU seconds (user and system,
 * from the first insert to the last commit) on one line.
 *
 *   store_floor DB ROWS TEXT_LEN FIELDS_LEN
 *
 * The rows differ from each other in their first bytes; nothing else of
 * an ingest (reading, rules, indexes, de-duplication, correlation) is in
 * the figure.  Exits 1 on an SQLite error, 2 on bad usage.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <sqlite3.h>

#define FLOOR_TXN	16384
#define FLOOR_MAX_LEN	(1024 * 1024)

static double
cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int
run(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	fprintf(stderr, "store_floor: %s: %s\n", sql, msg != NULL ? msg : "?");
	sqlite3_free(msg);
	return -1;
}

/* The row number in decimal at the front of buf, which keeps its length. */
static void
stamp(char *buf, size_t len, uint64_t n)
{
	char digits[24];
	size_t k = 0;

	do {
		digits[k++] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0);
	while (k > 0 && len > 0) {
		*buf++ = digits[--k];
		len--;
	}
}

int
main(int argc, char **argv)
{
	static const char *grp[] = { "glm-4.5", "glm-4.6", "kimi-k2", "kimi-latest" };
	sqlite3 *db;
	sqlite3_stmt *st;
	char *text, *fields, path[4096];
	long long rows, i;
	long text_len, fields_len;
	double t0;

	if (argc != 5 || (rows = atoll(argv[2])) < 0 ||
	    (text_len = atol(argv[3])) < 1 || text_len > FLOOR_MAX_LEN ||
	    (fields_len = atol(argv[4])) < 0 || fields_len > FLOOR_MAX_LEN) {
		fprintf(stderr, "usage: store_floor DB ROWS TEXT_LEN FIELDS_LEN\n");
		return 2;
	}
	unlink(argv[1]);
	snprintf(path, sizeof(path), "%s-wal", argv[1]);
	unlink(path);
	text = malloc((size_t)text_len);
	fields = malloc((size_t)fields_len + 1);
	if (text == NULL || fields == NULL)
		return 1;
	memset(text, 'x', (size_t)text_len);
	memset(fields, 'y', (size_t)fields_len);
	if (sqlite3_open(argv[1], &db) != SQLITE_OK ||
	    run(db, "PRAGMA page_size = 8192") != 0 ||
	    run(db, "PRAGMA cache_size = -8192") != 0 ||
	    run(db, "PRAGMA secure_delete = OFF") != 0 ||
	    run(db, "PRAGMA journal_mode = WAL") != 0 ||
	    run(db, "PRAGMA synchronous = OFF") != 0 ||
	    run(db, "CREATE TABLE samples (id INTEGER PRIMARY KEY,"
	    " source_id INTEGER NOT NULL, rule_no INTEGER NOT NULL, ts INTEGER,"
	    " hash INTEGER NOT NULL, ordinal INTEGER NOT NULL, line INTEGER,"
	    " line_end INTEGER, stream INTEGER NOT NULL DEFAULT 0,"
	    " text TEXT NOT NULL, fields TEXT, value REAL, grp TEXT,"
	    " link INTEGER, inherited TEXT, dup_of INTEGER)") != 0)
		return 1;
	if (sqlite3_prepare_v2(db, "INSERT INTO samples VALUES (?1, ?2, ?3, ?4,"
	    " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, NULL, NULL, NULL)", -1, &st,
	    NULL) != SQLITE_OK) {
		fprintf(stderr, "store_floor: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	t0 = cpu_seconds();
	for (i = 0; i < rows; i++) {
		if (i % FLOOR_TXN == 0 &&
		    ((i > 0 && run(db, "COMMIT") != 0) || run(db, "BEGIN") != 0))
			return 1;
		stamp(text, (size_t)text_len, (uint64_t)i);
		stamp(fields, (size_t)fields_len, (uint64_t)i);
		sqlite3_bind_int64(st, 1, i + 1);
		sqlite3_bind_int(st, 2, 1 + (int)(i % 3));
		sqlite3_bind_int(st, 3, 1);
		sqlite3_bind_int64(st, 4, 1761433200000LL + i * 100);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)((uint64_t)i * 0x9E3779B97F4A7C15ULL));
		sqlite3_bind_int(st, 6, 0);
		sqlite3_bind_int64(st, 7, i * 11 + 1);
		sqlite3_bind_int64(st, 8, i * 11 + 1);
		sqlite3_bind_int(st, 9, 1);
		sqlite3_bind_text(st, 10, text, (int)text_len, SQLITE_STATIC);
		if (fields_len > 0)
			sqlite3_bind_text(st, 11, fields, (int)fields_len, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 11);
		sqlite3_bind_double(st, 12, (double)(i % 20000) / 4);
		sqlite3_bind_text(st, 13, grp[i % 4], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			fprintf(stderr, "store_floor: %s\n", sqlite3_errmsg(db));
			return 1;
		}
		sqlite3_reset(st);
	}
	if (rows > 0 && run(db, "COMMIT") != 0)
		return 1;
	printf("%.3f\n", cpu_seconds() - t0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(text);
	free(fields);
	return 0;
}
