#!/usr/bin/python3
"""File checks of the kernel matrix's conformance suite (runs in the guest, on the host's python3).

  treecheck.py compare REF MNT HASHES [--prefix] [--no-link-mtime]  a tree equals its reference (type, mode, size, mtime,
                                                 symlink target, content); the content hashes go to HASHES
  treecheck.py reread MNT HASHES                 every file read again equals the first read
  treecheck.py mmap FILE REF                     MAP_SHARED and MAP_PRIVATE maps equal REF
  treecheck.py concurrent FILE REF N             N threads open FILE at once, then read it
  treecheck.py held-cold FILE REF PASSES         FILE opened and mapped shared while cold; opened and read again
                                                 once fetched; after all is closed, an open is passthrough
                                                 (PASSES: yes/no, whether the tier passes through)
  treecheck.py reread-many MNT=HASHES...         reread for several layers
  treecheck.py listdirs REF=MNT...               directory listings equal
  treecheck.py stats REF=MNT...                  lstat type, mode, size, mtime equal, inode numbers stable
Prints what differs (at most 12 lines) and exits 1 if anything does.
"""
import hashlib
import json
import mmap
import os
import stat
import sys
import threading
import time

problems = []


def problem(text):
    problems.append(text)


def finish():
    for text in problems[:12]:
        print("  " + text)
    if len(problems) > 12:
        print("  ... and %d more" % (len(problems) - 12))
    sys.exit(1 if problems else 0)


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            block = f.read(1 << 20)
            if not block:
                return h.hexdigest()
            h.update(block)


def walk(root):
    """{relative path: lstat} for everything below root (root itself excluded)."""
    entries = {}
    for dirpath, dirnames, filenames in os.walk(root, onerror=lambda e: problem("walk: %s" % e)):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            entries[os.path.relpath(full, root)] = os.lstat(full)
    return entries


def kind(st):
    return {stat.S_IFREG: "file", stat.S_IFDIR: "dir", stat.S_IFLNK: "symlink"}.get(stat.S_IFMT(st.st_mode), "other")


def compare(ref, mnt, hashes_file, prefix, link_mtime):
    want, got = walk(ref), walk(mnt)
    for path in sorted(set(want) - set(got)):
        problem("missing in the mount: %s (%s)" % (path, kind(want[path])))
    for path in sorted(set(got) - set(want)):
        problem("extra in the mount: %s (%s)" % (path, kind(got[path])))
    hashes = {}
    files = 0
    for path in sorted(set(want) & set(got)):
        w, g = want[path], got[path]
        if kind(w) != kind(g):
            problem("%s: type %s, expected %s" % (path, kind(g), kind(w)))
            continue
        k = kind(w)
        # a prefix's objects carry no modes and no directory times
        if not prefix and k != "symlink" and stat.S_IMODE(w.st_mode) != stat.S_IMODE(g.st_mode):
            problem("%s: mode %o, expected %o" % (path, stat.S_IMODE(g.st_mode), stat.S_IMODE(w.st_mode)))
        if not prefix and (k == "file" or k == "symlink" and link_mtime) and int(w.st_mtime) != int(g.st_mtime):
            problem("%s: mtime %d, expected %d" % (path, int(g.st_mtime), int(w.st_mtime)))
        if not prefix and k == "dir" and int(w.st_mtime) != int(g.st_mtime):
            problem("%s/: mtime %d, expected %d" % (path, int(g.st_mtime), int(w.st_mtime)))
        if k == "symlink":
            if os.readlink(os.path.join(ref, path)) != os.readlink(os.path.join(mnt, path)):
                problem("%s: symlink -> %r, expected %r" % (path, os.readlink(os.path.join(mnt, path)),
                                                           os.readlink(os.path.join(ref, path))))
        if k == "file":
            files += 1
            if w.st_size != g.st_size:
                problem("%s: size %d, expected %d" % (path, g.st_size, w.st_size))
            try:
                hashes[path] = digest(os.path.join(mnt, path))
            except OSError as e:
                problem("%s: read: %s" % (path, e))
                continue
            if hashes[path] != digest(os.path.join(ref, path)):
                problem("%s: content differs" % path)
    with open(hashes_file, "w") as f:
        json.dump(hashes, f)
    print("  %d entries, %d files compared" % (len(want), files))


def reread(mnt, hashes_file):
    with open(hashes_file) as f:
        hashes = json.load(f)
    if not hashes:
        problem("%s: no file was read the first time (see its tree check)" % mnt)
    for path, first in sorted(hashes.items()):
        try:
            second = digest(os.path.join(mnt, path))
        except OSError as e:
            problem("%s: second read: %s" % (path, e))
            continue
        if second != first:
            problem("%s: second read differs from the first" % path)
    print("  %d files read again" % len(hashes))


def mmap_check(path, ref):
    with open(ref, "rb") as f:
        want = f.read()
    for name, flags, prot in (("MAP_SHARED", mmap.MAP_SHARED, mmap.PROT_READ),
                              ("MAP_PRIVATE", mmap.MAP_PRIVATE, mmap.PROT_READ | mmap.PROT_WRITE)):
        try:
            with open(path, "rb") as f:
                m = mmap.mmap(f.fileno(), 0, flags=flags, prot=prot)
                got = bytes(m[:])
                # page by page from the end too, so faults do not just follow read-ahead
                tail = b"".join(m[o:o + 4096] for o in range(((len(want) - 1) // 4096) * 4096, -1, -4096))
                if flags == mmap.MAP_PRIVATE and len(want) > 0:
                    m[0] = (m[0] + 1) % 256  # a private copy-on-write page; the file must not change
                m.close()
            ok_tail = tail == b"".join(want[o:o + 4096] for o in range(((len(want) - 1) // 4096) * 4096, -1, -4096))
            if got != want or not ok_tail:
                problem("%s: mapped content differs" % name)
            else:
                print("  %s: %d bytes equal" % (name, len(got)))
        except OSError as e:
            problem("%s: %s" % (name, e))
    if digest(path) != hashlib.sha256(want).hexdigest():
        problem("the file changed after a write to a MAP_PRIVATE page")


def concurrent(path, ref, n):
    want = digest(ref)
    barrier = threading.Barrier(n)
    results = [None] * n

    def worker(i):
        barrier.wait()
        try:
            with open(path, "rb") as f:
                h = hashlib.sha256()
                while True:
                    block = f.read(1 << 20)
                    if not block:
                        break
                    h.update(block)
                results[i] = h.hexdigest()
        except OSError as e:
            results[i] = "error: %s" % e

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    bad = [r for r in results if r != want]
    for r in bad[:3]:
        problem("a reader got %s" % ("different content" if not r.startswith("error") else r))
    print("  %d readers, %d with the right content" % (n, n - len(bad)))


def state(path):
    return os.getxattr(path, "user.thawfs.state").decode()


def held_cold(path, ref, passes):
    """A cold open served by the daemon (direct I/O) and a shared map of it, which the kernel
    counts as a cached-mode user the daemon never sees, must not make a later open of the same
    file fail (EIO/ETXTBSY) once it is fetched; when all of them are closed, it passes through."""
    with open(ref, "rb") as f:
        want = f.read()
    try:
        first = os.open(path, os.O_RDONLY)
        print("  cold open: state=%s" % state(path))
        shared = mmap.mmap(first, 0, flags=mmap.MAP_SHARED, prot=mmap.PROT_READ)
        if bytes(shared[:]) != want:
            problem("the shared map of the cold open differs")
        for _ in range(600):
            if state(path) != "fetching" and state(path) != "cold":
                break
            time.sleep(0.1)
        print("  map held, after the fetch: state=%s" % state(path))
        for i in range(3):
            with open(path, "rb") as f:
                if f.read() != want:
                    problem("open %d beside the held map read different content" % i)
            os.stat(path)
        print("  3 opens beside the map read right, state=%s" % state(path))
        shared.close()
        os.close(first)
        with open(path, "rb") as f:
            got = f.read()
            after = state(path)
        print("  open after all closed: state=%s" % after)
        if got != want:
            problem("the open after all closed read different content")
        if passes and after != "passthrough":
            problem("the open after all closed is %s, expected passthrough" % after)
    except OSError as e:
        problem("%s: %s" % (path, e))


def listdirs(pairs):
    """pairs: REF=MNT; each directory's names equal its reference's"""
    for pair in pairs:
        ref, mnt = pair.split("=", 1)
        try:
            want = sorted(os.listdir(ref))
            got = sorted(os.listdir(mnt))
        except OSError as e:
            problem("%s: %s" % (mnt, e))
            continue
        if want != got:
            problem("%s: %s, expected %s" % (mnt, got, want))
    print("  %d directories listed" % len(pairs))


def stats(pairs):
    """pairs: REF=MNT; lstat type, mode, size (not of directories) and mtime equal; ino stable"""
    for pair in pairs:
        ref, mnt = pair.split("=", 1)
        try:
            w, g, g2 = os.lstat(ref), os.lstat(mnt), os.lstat(mnt)
        except OSError as e:
            problem("%s: %s" % (mnt, e))
            continue
        fw = (kind(w), oct(stat.S_IMODE(w.st_mode)) if kind(w) != "symlink" else "-",
              w.st_size if kind(w) != "dir" else "-", int(w.st_mtime))
        fg = (kind(g), oct(stat.S_IMODE(g.st_mode)) if kind(g) != "symlink" else "-",
              g.st_size if kind(g) != "dir" else "-", int(g.st_mtime))
        if fw != fg:
            problem("%s: %s, expected %s" % (mnt, fg, fw))
        if g.st_ino != g2.st_ino:
            problem("%s: inode number changed between two stats: %d %d" % (mnt, g.st_ino, g2.st_ino))
    print("  %d entries stat'ed" % len(pairs))


def main(argv):
    cmd = argv[1]
    if cmd == "compare":
        # unzip does not restore the times of symlinks: --no-link-mtime
        compare(argv[2], argv[3], argv[4], "--prefix" in argv[5:], "--no-link-mtime" not in argv[5:])
    elif cmd == "reread":
        reread(argv[2], argv[3])
    elif cmd == "mmap":
        mmap_check(argv[2], argv[3])
    elif cmd == "concurrent":
        concurrent(argv[2], argv[3], int(argv[4]))
    elif cmd == "held-cold":
        held_cold(argv[2], argv[3], argv[4] == "yes")
    elif cmd == "listdirs":
        listdirs(argv[2:])
    elif cmd == "stats":
        stats(argv[2:])
    elif cmd == "reread-many":  # MNT=HASHES...
        for pair in argv[2:]:
            mnt, hashes = pair.split("=", 1)
            print("layer %s:" % os.path.basename(mnt))
            reread(mnt, hashes)
    else:
        sys.exit("treecheck.py: unknown command " + cmd)
    finish()


if __name__ == "__main__":
    main(sys.argv)
