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
 * Bytes of appends gathered before they are written all the same: the
 * system's VFS writes less than 128 KiB a call.
 */
#define WAL_GATHER	(64 * 1024)
/* A frame's header; its bytes 4-7 are 0 but in a commit's last frame. */
#define WAL_FRAME_HDR	24

struct wal_file {
	sqlite3_file	 base;
	sqlite3_file	*real;		/* the system VFS's file, just after */
	unsigned char	*buf;		/* WAL_GATHER bytes, or NULL */
	size_t		 len;
	sqlite3_int64	 off;		/* where buf[0] goes in the file */
	sqlite3_int64	 end;		/* just past the last commit written */
	int		 last;		/* the next write is a commit's last page */
	int		 through;	/* write below end straight through */
};

/* A checkpointing connection's database file. */
struct ckpt_file {
	sqlite3_file	 base;
	sqlite3_file	*real;		/* the system VFS's file, just after */
	unsigned char	*buf;		/* WAL_GATHER bytes, or NULL */
	size_t		 len;
	sqlite3_int64	 off;		/* where buf[0] goes in the file */
};

static sqlite3_vfs wal_vfs;
static sqlite3_vfs ckpt_vfs;
static int ckpt_ready;
static sqlite3_vfs *sys_vfs;
static pthread_once_t wal_once = PTHREAD_ONCE_INIT;
static int wal_ready;

static int
wal_flush(struct wal_file *w)
{
	int rc;

	if (w->len == 0)
		return SQLITE_OK;
	rc = w->real->pMethods->xWrite(w->real, w->buf, (int)w->len, w->off);
	w->len = 0;
	return rc;
}

static int
wal_close(sqlite3_file *f)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc = wal_flush(w), rc2;

	rc2 = w->real->pMethods->xClose(w->real);
	sqlite3_free(w->buf);
	w->buf = NULL;
	return rc != SQLITE_OK ? rc : rc2;
}

static int
wal_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc = wal_flush(w);

	if (rc != SQLITE_OK)
		return rc;
	return w->real->pMethods->xRead(w->real, p, n, off);
}

static int
wal_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	struct wal_file *w = (struct wal_file *)f;
	const unsigned char *b = p;
	int rc, last = w->last;

	w->last = 0;
	if ((w->through && off < w->end) || w->buf == NULL ||
	    (size_t)n > WAL_GATHER) {
		if ((rc = wal_flush(w)) != SQLITE_OK)
			return rc;
		/* the WAL's own header: the log starts over after it */
		if (off == 0)
			w->end = n;
		return w->real->pMethods->xWrite(w->real, p, n, off);
	}
	w->through = 0;
	if (w->len > 0 && (off != w->off + (sqlite3_int64)w->len ||
	    w->len + (size_t)n > WAL_GATHER) && (rc = wal_flush(w)) != SQLITE_OK)
		return rc;
	if (w->len == 0)
		w->off = off;
	memcpy(w->buf + w->len, p, (size_t)n);
	w->len += (size_t)n;
	if (last) {
		w->end = off + n;
		w->through = 1;
		return wal_flush(w);
	}
	w->last = n == WAL_FRAME_HDR && (b[4] | b[5] | b[6] | b[7]) != 0;
	return SQLITE_OK;
}

static int
wal_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc = wal_flush(w);

	if (rc != SQLITE_OK)
		return rc;
	return w->real->pMethods->xTruncate(w->real, size);
}

static int
wal_sync(sqlite3_file *f, int flags)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc = wal_flush(w);

	if (rc != SQLITE_OK)
		return rc;
	return w->real->pMethods->xSync(w->real, flags);
}

static int
wal_size(sqlite3_file *f, sqlite3_int64 *size)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc = wal_flush(w);

	if (rc != SQLITE_OK)
		return rc;
	return w->real->pMethods->xFileSize(w->real, size);
}

static int
wal_lock(sqlite3_file *f, int level)
{
	struct wal_file *w = (struct wal_file *)f;

	return w->real->pMethods->xLock(w->real, level);
}

static int
wal_unlock(sqlite3_file *f, int level)
{
	struct wal_file *w = (struct wal_file *)f;

	return w->real->pMethods->xUnlock(w->real, level);
}

static int
wal_reserved(sqlite3_file *f, int *out)
{
	struct wal_file *w = (struct wal_file *)f;

	return w->real->pMethods->xCheckReservedLock(w->real, out);
}

static int
wal_control(sqlite3_file *f, int op, void *arg)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc = wal_flush(w);

	if (rc != SQLITE_OK)
		return rc;
	return w->real->pMethods->xFileControl(w->real, op, arg);
}

static int
wal_sector(sqlite3_file *f)
{
	struct wal_file *w = (struct wal_file *)f;

	return w->real->pMethods->xSectorSize(w->real);
}

static int
wal_device(sqlite3_file *f)
{
	struct wal_file *w = (struct wal_file *)f;

	return w->real->pMethods->xDeviceCharacteristics(w->real);
}

/* Version 1: SQLite maps shared memory and pages of the database file only. */
static const sqlite3_io_methods wal_methods = {
	1,
	wal_close,
	wal_read,
	wal_write,
	wal_truncate,
	wal_sync,
	wal_size,
	wal_lock,
	wal_unlock,
	wal_reserved,
	wal_control,
	wal_sector,
	wal_device,
	NULL, NULL, NULL, NULL, NULL, NULL
};

static int
wal_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
    int *out)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc;

	(void)vfs;
	if (!(flags & SQLITE_OPEN_WAL))
		return sys_vfs->xOpen(sys_vfs, name, f, flags, out);
	memset(w, 0, sizeof *w);
	w->real = (sqlite3_file *)(w + 1);
	rc = sys_vfs->xOpen(sys_vfs, name, w->real, flags, out);
	if (rc != SQLITE_OK) {
		if (w->real->pMethods != NULL)
			w->real->pMethods->xClose(w->real);
		return rc;
	}
	/* without the buffer every write goes straight through */
	w->buf = sqlite3_malloc(WAL_GATHER);
	w->base.pMethods = &wal_methods;
	return SQLITE_OK;
}

static int
ckpt_flush(struct ckpt_file *c)
{
	int rc;

	if (c->len == 0)
		return SQLITE_OK;
	rc = c->real->pMethods->xWrite(c->real, c->buf, (int)c->len, c->off);
	c->len = 0;
	return rc;
}

static int
ckpt_close(sqlite3_file *f)
{
	struct ckpt_file *c = (struct ckpt_file *)f;
	int rc = ckpt_flush(c), rc2;

	rc2 = c->real->pMethods->xClose(c->real);
	sqlite3_free(c->buf);
	c->buf = NULL;
	return rc != SQLITE_OK ? rc : rc2;
}

static int
ckpt_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	struct ckpt_file *c = (struct ckpt_file *)f;
	int rc = ckpt_flush(c);

	if (rc != SQLITE_OK)
		return rc;
	return c->real->pMethods->xRead(c->real, p, n, off);
}

static int
ckpt_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	struct ckpt_file *c = (struct ckpt_file *)f;
	int rc;

	if (c->len > 0 && (off != c->off + (sqlite3_int64)c->len ||
	    c->len + (size_t)n > WAL_GATHER) && (rc = ckpt_flush(c)) != SQLITE_OK)
		return rc;
	if (c->buf == NULL || (size_t)n > WAL_GATHER)
		return c->real->pMethods->xWrite(c->real, p, n, off);
	if (c->len == 0)
		c->off = off;
	memcpy(c->buf + c->len, p, (size_t)n);
	c->len += (size_t)n;
	return SQLITE_OK;
}

static int
ckpt_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	struct ckpt_file *c = (struct ckpt_file *)f;
	int rc = ckpt_flush(c);

	if (rc != SQLITE_OK)
		return rc;
	return c->real->pMethods->xTruncate(c->real, size);
}

static int
ckpt_sync(sqlite3_file *f, int flags)
{
	struct ckpt_file *c = (struct ckpt_file *)f;
	int rc = ckpt_flush(c);

	if (rc != SQLITE_OK)
		return rc;
	return c->real->pMethods->xSync(c->real, flags);
}

static int
ckpt_size(sqlite3_file *f, sqlite3_int64 *size)
{
	struct ckpt_file *c = (struct ckpt_file *)f;
	int rc = ckpt_flush(c);

	if (rc != SQLITE_OK)
		return rc;
	return c->real->pMethods->xFileSize(c->real, size);
}

static int
ckpt_lock(sqlite3_file *f, int level)
{
	struct ckpt_file *c = (struct ckpt_file *)f;
	int rc = ckpt_flush(c);

	if (rc != SQLITE_OK)
		return rc;
	return c->real->pMethods->xLock(c->real, level);
}

static int
ckpt_unlock(sqlite3_file *f, int level)
{
	struct ckpt_file *c = (struct ckpt_file *)f;
	int rc = ckpt_flush(c);

	if (rc != SQLITE_OK)
		return rc;
	return c->real->pMethods->xUnlock(c->real, level);
}

static int
ckpt_reserved(sqlite3_file *f, int *out)
{
	struct ckpt_file *c = (struct ckpt_file *)f;

	return c->real->pMethods->xCheckReservedLock(c->real, out);
}

static int
ckpt_control(sqlite3_file *f, int op, void *arg)
{
	struct ckpt_file *c = (struct ckpt_file *)f;
	int rc = ckpt_flush(c);

	if (rc != SQLITE_OK)
		return rc;
	return c->real->pMethods->xFileControl(c->real, op, arg);
}

static int
ckpt_sector(sqlite3_file *f)
{
	struct ckpt_file *c = (struct ckpt_file *)f;

	return c->real->pMethods->xSectorSize(c->real);
}

static int
ckpt_device(sqlite3_file *f)
{
	struct ckpt_file *c = (struct ckpt_file *)f;

	return c->real->pMethods->xDeviceCharacteristics(c->real);
}

static int
ckpt_shm_map(sqlite3_file *f, int pg, int pgsz, int extend,
    void volatile **pp)
{
	struct ckpt_file *c = (struct ckpt_file *)f;

	return c->real->pMethods->xShmMap(c->real, pg, pgsz, extend, pp);
}

/* The WAL index's locks and barriers publish what was copied: flush first. */
static int
ckpt_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	struct ckpt_file *c = (struct ckpt_file *)f;
	int rc = ckpt_flush(c);

	if (rc != SQLITE_OK)
		return rc;
	return c->real->pMethods->xShmLock(c->real, off, n, flags);
}

static void
ckpt_shm_barrier(sqlite3_file *f)
{
	struct ckpt_file *c = (struct ckpt_file *)f;

	/* a write that fails here fails the sync that follows as well */
	(void)ckpt_flush(c);
	c->real->pMethods->xShmBarrier(c->real);
}

static int
ckpt_shm_unmap(sqlite3_file *f, int del)
{
	struct ckpt_file *c = (struct ckpt_file *)f;

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
	ckpt_close,
	ckpt_read,
	ckpt_write,
	ckpt_truncate,
	ckpt_sync,
	ckpt_size,
	ckpt_lock,
	ckpt_unlock,
	ckpt_reserved,
	ckpt_control,
	ckpt_sector,
	ckpt_device,
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
	struct ckpt_file *c = (struct ckpt_file *)f;
	int rc;

	(void)vfs;
	if (!(flags & SQLITE_OPEN_MAIN_DB))
		return sys_vfs->xOpen(sys_vfs, name, f, flags, out);
	memset(c, 0, sizeof *c);
	c->real = (sqlite3_file *)(c + 1);
	rc = sys_vfs->xOpen(sys_vfs, name, c->real, flags, out);
	if (rc != SQLITE_OK) {
		if (c->real->pMethods != NULL)
			c->real->pMethods->xClose(c->real);
		return rc;
	}
	/* a file without the shared-memory methods cannot be in WAL mode */
	if (c->real->pMethods->iVersion < 2) {
		c->real->pMethods->xClose(c->real);
		return SQLITE_CANTOPEN;
	}
	c->buf = sqlite3_malloc(WAL_GATHER);
	c->base.pMethods = &ckpt_methods;
	return SQLITE_OK;
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
	ckpt_vfs.szOsFile = (int)sizeof(struct ckpt_file) + sys_vfs->szOsFile;
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
