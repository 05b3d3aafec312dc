/*
 * store_wal.h - the SQLite VFS the store writes with: the system's own,
 * but for a WAL, whose frames it hands to the file system a transaction
 * (or a buffer) at a time instead of two writes per page.  Knows nothing
 * of the store's tables; everything but a WAL's appends goes to the
 * system's VFS as it is.
 */
#ifndef LOGTRIAGE_STORE_WAL_H
#define LOGTRIAGE_STORE_WAL_H

/*
 * The name to give sqlite3_open_v2 for a connection that writes, the VFS
 * registered on the first call (thread-safe); NULL when it could not be,
 * and the system's VFS is to be used.
 */
const char *store_wal_vfs(void);

/*
 * The same for a connection that does nothing but checkpoint: its copies
 * into the database are written a run of consecutive pages at a time,
 * all of them before the checkpoint records them as copied.
 */
const char *store_wal_ckpt_vfs(void);

#endif
