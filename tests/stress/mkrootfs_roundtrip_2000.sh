#!/bin/bash
# 2000 files in 50 directories (random sizes and modes, symlinks, hard
# links) round-trip through mkrootfs --from DIR and --from TARBALL.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
src=$TEST_TMP/src
mkdir "$src"
python3 - "$src" <<'EOS'
import os, random, sys
random.seed(2000)
top = sys.argv[1]
dirs = [top]
for i in range(50):
    d = os.path.join(random.choice(dirs), "d%02d" % i)
    os.mkdir(d)
    dirs.append(d)
modes = [0o644, 0o600, 0o755, 0o700, 0o444, 0o4755, 0o2755, 0o640]
files = []
for i in range(2000):
    d = random.choice(dirs)
    p = os.path.join(d, "f%04d" % i)
    kind = random.random()
    if kind < 0.10 and files:
        os.symlink(os.path.relpath(random.choice(files), d), p)
    elif kind < 0.13 and files:
        os.link(random.choice(files), p)
    else:
        with open(p, "wb") as f:
            f.write(os.urandom(random.choice([0, 1, 100, 4096, 5000, 70000])))
        os.chmod(p, random.choice(modes))
        files.append(p)
for d in dirs[1:]:
    os.chmod(d, random.choice([0o755, 0o700, 0o1777, 0o750]))
EOS
[ "$(find "$src" -mindepth 1 | wc -l)" -eq 2050 ] || fail "generator made the wrong number of entries"

"$MKROOTFS" -q --cache "$TEST_TMP/cache" --from "$src" -o "$TEST_TMP/dir.ext4"
e2fsck_clean "$TEST_TMP/dir.ext4"
compare_trees "$src" "$TEST_TMP/dir.ext4"

tar -C "$src" -cJf "$TEST_TMP/src.tar.xz" .
"$MKROOTFS" -q --cache "$TEST_TMP/cache" --from "$TEST_TMP/src.tar.xz" -o "$TEST_TMP/tar.ext4"
e2fsck_clean "$TEST_TMP/tar.ext4"
compare_trees "$src" "$TEST_TMP/tar.ext4"
exit 0
