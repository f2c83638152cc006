#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""List a file tree as "PATH MODE UID GID [-> TARGET]" lines, sorted.

    e2ls.py image IMAGE     walk an ext4 image with debugfs (`ls -l`, `stat`)
    e2ls.py dir DIR         walk a host directory with lstat

Both forms print the same format so the two can be diffed: MODE is the full
octal st_mode (type and permission bits), symlinks add their target.
Sizes are printed for regular files. /lost+found of an image is left out,
as is the root directory itself.
"""
import os
import stat
import subprocess
import sys
import tempfile


def fmt(path, mode, uid, gid, size=None, target=None):
    s = "%s %o %d %d" % (path, mode, uid, gid)
    if stat.S_ISREG(mode) and size is not None:
        s += " size=%d" % size
    if target is not None:
        s += " -> " + target
    return s


def q(path):
    if '"' in path:
        sys.exit("e2ls: cannot quote path %r for debugfs" % path)
    return '"' + path + '"'


def debugfs(image, cmds):
    with tempfile.NamedTemporaryFile("w", suffix=".cmds") as f:
        f.write("\n".join(cmds) + "\n")
        f.flush()
        r = subprocess.run(["debugfs", "-f", f.name, image],
                           capture_output=True, text=True, errors="replace")
    if r.returncode != 0:
        sys.exit("e2ls: debugfs failed: " + r.stderr.strip())
    return r.stdout


def split_sections(out):
    """debugfs -f echoes each command as 'debugfs: CMD'; split on it."""
    sections, cur = [], None
    for line in out.split("\n"):
        if line.startswith("debugfs: "):
            cur = []
            sections.append((line[len("debugfs: "):], cur))
        elif cur is not None:
            cur.append(line)
    return sections


def walk_image(image):
    entries = []  # (path, mode, uid, gid, size)
    level = ["/"]
    while level:
        cmds = ["ls -l " + q(d) for d in level]
        nxt = []
        for (cmd, lines), d in zip(split_sections(debugfs(image, cmds)), level):
            for line in lines:
                f = line.split(None, 5)
                if len(f) < 6 or not f[0].isdigit():
                    continue
                mode = int(f[1], 8)
                uid, gid = int(f[3]), int(f[4])
                rest = f[5]
                if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
                    # "MAJ, MIN DATE TIME NAME"
                    rest = rest.split(None, 2)[2]
                    size = None
                else:
                    size_s, rest = rest.split(None, 1)
                    size = int(size_s)
                name = rest.split(None, 2)[2]
                if name in (".", ".."):
                    continue
                path = d.rstrip("/") + "/" + name
                if path == "/lost+found":
                    continue
                entries.append([path, mode, uid, gid, size, None])
                if stat.S_ISDIR(mode):
                    nxt.append(path)
        level = nxt
    links = [e for e in entries if stat.S_ISLNK(e[1])]
    if links:
        out = debugfs(image, ["stat " + q(e[0]) for e in links])
        slow = []
        for (cmd, lines), e in zip(split_sections(out), links):
            for line in lines:
                if line.startswith("Fast link dest: "):
                    e[5] = line[len("Fast link dest: "):].strip()[1:-1]
            if e[5] is None:
                slow.append(e)
        if slow:
            with tempfile.TemporaryDirectory() as tmp:
                debugfs(image, ["dump %s %s/%d" % (q(e[0]), tmp, i)
                                for i, e in enumerate(slow)])
                for i, e in enumerate(slow):
                    with open("%s/%d" % (tmp, i), "rb") as f:
                        e[5] = f.read().decode("utf-8", "replace")
    return sorted(fmt(*e) for e in entries)


def walk_dir(top):
    lines = []
    for dirpath, dirnames, filenames in os.walk(top):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            st = os.lstat(full)
            rel = "/" + os.path.relpath(full, top)
            target = os.readlink(full) if stat.S_ISLNK(st.st_mode) else None
            lines.append(fmt(rel, st.st_mode, st.st_uid, st.st_gid,
                             st.st_size, target))
    return sorted(lines)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("image", "dir"):
        sys.exit(__doc__)
    kind, arg = sys.argv[1], sys.argv[2]
    lines = walk_image(arg) if kind == "image" else walk_dir(arg)
    sys.stdout.write("".join(line + "\n" for line in lines))


if __name__ == "__main__":
    main()
