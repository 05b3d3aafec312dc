#!/usr/bin/env python3
"""rotwriter.py DIR DB RATE SECONDS - append numbered lines to DIR/cur.log at
RATE lines/s for SECONDS and rotate it five times, in turn by rename,
delete, copytruncate and symlink swap (twice), the way logrotate and
applications do.  Each rotation comes SECONDS/6 after the previous one
ended: a file that lives for less than one poll of the follower (100 ms)
is never seen by a follower of the path, logtriage's or tail -F's.  Before
the copytruncate it waits until DB holds every line written so far (lines
only in the copy are the copy's, as for any tail -F); right after it writes
a burst longer than the file was, so that the new file is longer than the
old one at the next poll.  Prints the lines written and the rotations done."""
import os
import sqlite3
import sys
import time

d, db, rate, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
path = os.path.join(d, "cur.log")
n = 0
base = 1761458400000  # 2025-10-26 06:00:00 UTC


def line(i):
    ms = base + i
    t = time.gmtime(ms // 1000)
    return "%s.%03d ERROR needle %d\n" % (time.strftime("%Y-%m-%d %H:%M:%S", t), ms % 1000, i)


def stored():
    try:
        con = sqlite3.connect(db, timeout=5)
        c = con.execute("SELECT count(*) FROM events").fetchone()[0]
        con.close()
        return c
    except sqlite3.Error:
        return -1


f = open(path, "a", buffering=1)


def write(k):
    global n
    f.write("".join(line(n + j + 1) for j in range(k)))
    f.flush()
    n += k


step = secs / 6
start = time.monotonic()
phase = 1
seg = 0
extra = 0  # lines written in bursts, beyond the rate
next_at = step
while True:
    el = time.monotonic() - start
    if el >= secs and phase > 5:
        break
    want = int(el * rate) + extra
    if want > n:
        write(want - n)
    if el >= next_at:
        kind = ("rename", "delete", "copytruncate", "symlink", "symlink")[phase - 1] if phase <= 5 else None
        if kind == "rename":
            os.rename(path, path + ".1")
            f.close()
            f = open(path, "a", buffering=1)
        elif kind == "delete":
            os.unlink(path)
            f.close()
            f = open(path, "a", buffering=1)
        elif kind == "copytruncate":
            deadline = time.monotonic() + 10
            while stored() < n and time.monotonic() < deadline:
                time.sleep(0.05)
            with open(path, "rb") as src, open(path + ".2", "wb") as dst:
                dst.write(src.read())
            size = os.path.getsize(path)
            os.truncate(path, 0)
            k = 0
            while k * 40 <= size:
                k += 1
            write(2 * k)
            extra += 2 * k
        elif kind == "symlink":
            seg += 1
            target = os.path.join(d, "seg%d.log" % seg)
            nf = open(target, "a", buffering=1)
            tmp = os.path.join(d, "cur.tmp")
            os.symlink(os.path.basename(target), tmp)
            os.rename(tmp, path)
            f.close()
            f = nf
        phase += 1
        next_at = time.monotonic() - start + step
    time.sleep(0.005)
f.close()
print(n, phase - 1)
