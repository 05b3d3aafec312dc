/*
 * store_wal.c - the store's VFS: the system's, with the appends to a WAL
 * gathered.  SQLite writes each frame of a commit as two writes, its
 * 24-byte header and its page, so a commit of a few hundred pages costs
 * as many system calls: a sixth of the writer's time in a 10 MB ingest.
 * Here the appends wait in a buffer until the commit's last page is
 * written (its frame's header holds the database's size after the
 * commit), until the buffer is full, or until anything else touches the
 * file.  So a commit is in the file system, as without the buffer,
 * before SQLite publishes it in the WAL index, and a process that dies
 * loses no committed frame.  After a commit's last page, writes go
 * straight through until one lands past it: those are the checksums
 * SQLite rewrites in place, the last thing a commit writes.
 *
 * A second VFS is for the connection that only checkpoints: it copies
 * the WAL's pages into the database in page order, one write each, and
 * most of them follow one another.  Its database writes wait in a buffer
 * while they do, and are written before anything else touches the file.
 * A checkpoint tells the file when it has copied its pages, before it
 * records them as copied in the WAL index (SQLITE_FCNTL_CKPT_DONE, a
 * file control like any other here), so no reader is sent to the
 * database for a page still in the buffer.  Knows nothing of the store's
 * tables.
 */
#include "store_wal.h"

#include <pthread.h>
#include <string.h>

#include <sqlite3.h>

#define WAL_VFS_NAME	"logtriage-wal"
#define CKPT_VFS_NAME	"logtriage-ckpt"
/*
 * Bytes of writes gathered before they are written all the same: the
 * system's VFS writes less than 128 KiB a call.
 */
#define WAL_GATHER	(64 * 1024)
/* A frame's header; its bytes 4-7 are 0 but in a commit's last frame. */
#define WAL_FRAME_HDR	24

/*
 * A file whose consecutive writes wait in a buffer, written before
 * anything else touches the file: the checkpointing connection's
 * database file as it is, and the start of a WAL's.
 */
struct gather {
	sqlite3_file	 base;
	sqlite3_file	*real;		/* the system VFS's file */
	unsigned char	*buf;		/* WAL_GATHER bytes, or NULL */
	size_t		 len;
	sqlite3_int64	 off;		/* where buf[0] goes in the file */
};

struct wal_file {
	struct gather	 g;
	sqlite3_int64	 end;		/* just past the last commit written */
	int		 last;		/* the next write is a commit's last page */
	int		 through;	/* write below end straight through */
};

static sqlite3_vfs wal_vfs;
static sqlite3_vfs ckpt_vfs;
static int ckpt_ready;
static sqlite3_vfs *sys_vfs;
static pthread_once_t wal_once = PTHREAD_ONCE_INIT;
static int wal_ready;

static int
gather_flush(struct gather *c)
{
	int rc;

	if (c->len == 0)
		return SQLITE_OK;
	rc = c->real->pMethods->xWrite(c->real, c->buf, (int)c->len, c->off);
	c->len = 0;
	return rc;
}

/* Add the n bytes at p, bound for off, to what c gathers. */
static int
gather_add(struct gather *c, const void *p, int n, sqlite3_int64 off)
{
	int rc;

	if (c->len > 0 && (off != c->off + (sqlite3_int64)c->len ||
	    c->len + (size_t)n > WAL_GATHER) && (rc = gather_flush(c)) != SQLITE_OK)
		return rc;
	if (c->len == 0)
		c->off = off;
	memcpy(c->buf + c->len, p, (size_t)n);
	c->len += (size_t)n;
	return SQLITE_OK;
}

static int
gather_close(sqlite3_file *f)
{
	struct gather *c = (struct gather *)f;
	int rc = gather_flush(c), rc2;

	rc2 = c->real->pMethods->xClose(c->real);
	sqlite3_free(c->buf);
	c->buf = NULL;
	return rc != SQLITE_OK ? rc : rc2;
}

static int
gather_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	struct gather *c = (struct gather *)f;
	int rc = gather_flush(c);

	if (rc != SQLITE_OK)
		return rc;
	return c->real->pMethods->xRead(c->real, p, n, off);
}

static int
gather_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	struct gather *c = (struct gather *)f;
	int rc = gather_flush(c);

	if (rc != SQLITE_OK)
		return rc;
	return c->real->pMethods->xTruncate(c->real, size);
}

static int
gather_sync(sqlite3_file *f, int flags)
{
	struct gather *c = (struct gather *)f;
	int rc = gather_flush(c);

	if (rc != SQLITE_OK)
		return rc;
	return c->real->pMethods->xSync(c->real, flags);
}

static int
gather_size(sqlite3_file *f, sqlite3_int64 *size)
{
	struct gather *c = (struct gather *)f;
	int rc = gather_flush(c);

	if (rc != SQLITE_OK)
		return rc;
	return c->real->pMethods->xFileSize(c->real, size);
}

static int
gather_lock(sqlite3_file *f, int level)
{
	struct gather *c = (struct gather *)f;
	int rc = gather_flush(c);

	if (rc != SQLITE_OK)
		return rc;
	return c->real->pMethods->xLock(c->real, level);
}

static int
gather_unlock(sqlite3_file *f, int level)
{
	struct gather *c = (struct gather *)f;
	int rc = gather_flush(c);

	if (rc != SQLITE_OK)
		return rc;
	return c->real->pMethods->xUnlock(c->real, level);
}

static int
gather_reserved(sqlite3_file *f, int *out)
{
	struct gather *c = (struct gather *)f;

	return c->real->pMethods->xCheckReservedLock(c->real, out);
}

/* Among them a checkpoint's SQLITE_FCNTL_CKPT_DONE: see the top. */
static int
gather_control(sqlite3_file *f, int op, void *arg)
{
	struct gather *c = (struct gather *)f;
	int rc = gather_flush(c);

	if (rc != SQLITE_OK)
		return rc;
	return c->real->pMethods->xFileControl(c->real, op, arg);
}

static int
gather_sector(sqlite3_file *f)
{
	struct gather *c = (struct gather *)f;

	return c->real->pMethods->xSectorSize(c->real);
}

static int
gather_device(sqlite3_file *f)
{
	struct gather *c = (struct gather *)f;

	return c->real->pMethods->xDeviceCharacteristics(c->real);
}

/*
 * Open name with the system's VFS into real, the file after c's own (the
 * VFS's szOsFile leaves room for it), and give c its buffer and methods.
 */
static int
gather_open(struct gather *c, sqlite3_file *real, const char *name,
    int flags, int *out, const sqlite3_io_methods *methods)
{
	int rc;

	c->real = real;
	rc = sys_vfs->xOpen(sys_vfs, name, real, flags, out);
	if (rc != SQLITE_OK) {
		if (real->pMethods != NULL)
			real->pMethods->xClose(real);
		return rc;
	}
	/* without the buffer every write goes straight through */
	c->buf = sqlite3_malloc(WAL_GATHER);
	c->base.pMethods = methods;
	return SQLITE_OK;
}

static int
wal_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	struct wal_file *w = (struct wal_file *)f;
	const unsigned char *b = p;
	int rc, last = w->last;

	w->last = 0;
	if ((w->through && off < w->end) || w->g.buf == NULL ||
	    (size_t)n > WAL_GATHER) {
		if ((rc = gather_flush(&w->g)) != SQLITE_OK)
			return rc;
		/* the WAL's own header: the log starts over after it */
		if (off == 0)
			w->end = n;
		return w->g.real->pMethods->xWrite(w->g.real, p, n, off);
	}
	w->through = 0;
	if ((rc = gather_add(&w->g, p, n, off)) != SQLITE_OK)
		return rc;
	if (last) {
		w->end = off + n;
		w->through = 1;
		return gather_flush(&w->g);
	}
	w->last = n == WAL_FRAME_HDR && (b[4] | b[5] | b[6] | b[7]) != 0;
	return SQLITE_OK;
}

/* Version 1: SQLite maps shared memory and pages of the database file only. */
static const sqlite3_io_methods wal_methods = {
	1,
	gather_close,
	gather_read,
	wal_write,
	gather_truncate,
	gather_sync,
	gather_size,
	gather_lock,
	gather_unlock,
	gather_reserved,
	gather_control,
	gather_sector,
	gather_device,
	NULL, NULL, NULL, NULL, NULL, NULL
};

static int
wal_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
    int *out)
{
	struct wal_file *w = (struct wal_file *)f;

	(void)vfs;
	if (!(flags & SQLITE_OPEN_WAL))
		return sys_vfs->xOpen(sys_vfs, name, f, flags, out);
	memset(w, 0, sizeof *w);
	return gather_open(&w->g, (sqlite3_file *)(w + 1), name, flags, out,
	    &wal_methods);
}

static int
ckpt_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	struct gather *c = (struct gather *)f;
	int rc;

	if (c->buf == NULL || (size_t)n > WAL_GATHER) {
		if ((rc = gather_flush(c)) != SQLITE_OK)
			return rc;
		return c->real->pMethods->xWrite(c->real, p, n, off);
	}
	return gather_add(c, p, n, off);
}

static int
ckpt_shm_map(sqlite3_file *f, int pg, int pgsz, int extend,
    void volatile **pp)
{
	struct gather *c = (struct gather *)f;

	return c->real->pMethods->xShmMap(c->real, pg, pgsz, extend, pp);
}

/* The WAL index's locks and barriers publish what was copied: flush first. */
static int
ckpt_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	struct gather *c = (struct gather *)f;
	int rc = gather_flush(c);

	if (rc != SQLITE_OK)
		return rc;
	return c->real->pMethods->xShmLock(c->real, off, n, flags);
}

static void
ckpt_shm_barrier(sqlite3_file *f)
{
	struct gather *c = (struct gather *)f;

	/* a write that fails here fails the sync that follows as well */
	(void)gather_flush(c);
	c->real->pMethods->xShmBarrier(c->real);
}

static int
ckpt_shm_unmap(sqlite3_file *f, int del)
{
	struct gather *c = (struct gather *)f;

	return c->real->pMethods->xShmUnmap(c->real, del);
}

/* No memory-mapped pages: the checkpoint reads what it copies from the WAL. */
static int
ckpt_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
	(void)f;
	(void)off;
	(void)n;
	*pp = NULL;
	return SQLITE_OK;
}

static int
ckpt_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	(void)f;
	(void)off;
	(void)p;
	return SQLITE_OK;
}

static const sqlite3_io_methods ckpt_methods = {
	3,
	gather_close,
	gather_read,
	ckpt_write,
	gather_truncate,
	gather_sync,
	gather_size,
	gather_lock,
	gather_unlock,
	gather_reserved,
	gather_control,
	gather_sector,
	gather_device,
	ckpt_shm_map,
	ckpt_shm_lock,
	ckpt_shm_barrier,
	ckpt_shm_unmap,
	ckpt_fetch,
	ckpt_unfetch
};

static int
ckpt_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
    int *out)
{
	struct gather *c = (struct gather *)f;
	int rc;

	(void)vfs;
	if (!(flags & SQLITE_OPEN_MAIN_DB))
		return sys_vfs->xOpen(sys_vfs, name, f, flags, out);
	memset(c, 0, sizeof *c);
	rc = gather_open(c, (sqlite3_file *)(c + 1), name, flags, out,
	    &ckpt_methods);
	/* a file without the shared-memory methods cannot be in WAL mode */
	if (rc == SQLITE_OK && c->real->pMethods->iVersion < 2) {
		gather_close(f);
		return SQLITE_CANTOPEN;
	}
	return rc;
}

static void
wal_register(void)
{
	if ((sys_vfs = sqlite3_vfs_find(NULL)) == NULL)
		return;
	wal_vfs = *sys_vfs;
	wal_vfs.pNext = NULL;
	wal_vfs.zName = WAL_VFS_NAME;
	wal_vfs.szOsFile = (int)sizeof(struct wal_file) + sys_vfs->szOsFile;
	wal_vfs.xOpen = wal_open;
	wal_ready = sqlite3_vfs_register(&wal_vfs, 0) == SQLITE_OK;
	ckpt_vfs = wal_vfs;
	ckpt_vfs.zName = CKPT_VFS_NAME;
	ckpt_vfs.szOsFile = (int)sizeof(struct gather) + sys_vfs->szOsFile;
	ckpt_vfs.xOpen = ckpt_open;
	ckpt_ready = sqlite3_vfs_register(&ckpt_vfs, 0) == SQLITE_OK;
}

const char *
store_wal_vfs(void)
{
	pthread_once(&wal_once, wal_register);
	return wal_ready ? WAL_VFS_NAME : NULL;
}

const char *
store_wal_ckpt_vfs(void)
{
	pthread_once(&wal_once, wal_register);
	return ckpt_ready ? CKPT_VFS_NAME : NULL;
}
