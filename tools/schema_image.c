/*
 * schema_image.c - build tool: make an empty logtriage database the way
 * store.c makes a new one (8 KiB pages, WAL, schema.sql and the schema
 * version in one transaction) at the path given, and print it as C: the
 * byte runs that are not zero, for store.c to write a new database from
 * instead of running schema.sql statement by statement.  Linked with the
 * SQLite the binary links, so the file is the one that SQLite would make.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"

#define STR2(x) #x
#define STR(x) STR2(x)

/* zero bytes that end a run: shorter gaps are kept inside it */
#define GAP 32

static int
exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	fprintf(stderr, "schema_image: %s: %s\n", sql[0] == '\n' ||
	    strlen(sql) > 60 ? "schema.sql" : sql, sqlite3_errmsg(db));
	return -1;
}

static int
make(const char *path)
{
	sqlite3 *db;
	int rc;

	if (sqlite3_open(path, &db) != SQLITE_OK) {
		fprintf(stderr, "schema_image: %s: cannot open\n", path);
		sqlite3_close(db);
		return -1;
	}
	rc = exec(db, "PRAGMA page_size = 8192") != 0 ||
	    exec(db, "PRAGMA journal_mode = WAL") != 0 ||
	    exec(db, "BEGIN IMMEDIATE") != 0 ||
	    exec(db, store_schema_sql) != 0 ||
	    exec(db, "PRAGMA user_version = " STR(STORE_SCHEMA_VERSION)) != 0 ||
	    exec(db, "COMMIT") != 0 ? -1 : 0;
	/* the last connection's close copies the WAL into the file */
	if (sqlite3_close(db) != SQLITE_OK)
		rc = -1;
	return rc;
}

static unsigned char *
slurp(const char *path, size_t *len)
{
	unsigned char *p = NULL;
	FILE *f;
	long n;

	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (p = malloc((size_t)n)) == NULL ||
	    fread(p, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "schema_image: %s: cannot read\n", path);
		free(p);
		p = NULL;
	} else {
		*len = (size_t)n;
	}
	if (f != NULL)
		fclose(f);
	return p;
}

/*
 * The next run of img from *at: its first byte not zero, up to GAP zero
 * bytes in a row or the end.  0 when only zeros are left.
 */
static int
next_run(const unsigned char *img, size_t len, size_t *at, size_t *start,
    size_t *end)
{
	size_t i = *at, zeros = 0;

	while (i < len && img[i] == 0)
		i++;
	if (i == len)
		return 0;
	for (*start = *end = i; i < len && zeros < GAP; i++) {
		if (img[i] == 0) {
			zeros++;
		} else {
			zeros = 0;
			*end = i + 1;
		}
	}
	*at = *end;
	return 1;
}

int
main(int argc, char **argv)
{
	unsigned char *img;
	size_t len, at, start, end, i, nruns = 0, col = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: schema_image SCRATCH.db > FILE.c\n");
		return 2;
	}
	unlink(argv[1]);
	if (make(argv[1]) != 0 || (img = slurp(argv[1], &len)) == NULL)
		return 1;
	unlink(argv[1]);

	printf("/* made by tools/schema_image.c from schema.sql */\n"
	    "#include \"store.h\"\n\n"
	    "const size_t store_image_size = %zu;\n\n"
	    "const unsigned char store_image_bytes[] = {", len);
	for (at = 0; next_run(img, len, &at, &start, &end); nruns++) {
		for (i = start; i < end; i++, col++)
			printf("%s%u,", col % 16 == 0 ? "\n\t" : " ", img[i]);
	}
	printf("\n};\n\nconst struct store_image_run store_image_runs[] = {");
	for (at = 0; next_run(img, len, &at, &start, &end); )
		printf("\n\t{ %zu, %zu },", start, end - start);
	printf("\n};\n\nconst size_t store_image_nruns = %zu;\n", nruns);
	free(img);
	return 0;
}
