#!/bin/bash
# mkrootfs --from DIR round-trips a directory: same file list, modes,
# owners and symlinks, as debugfs `ls -l` and `stat` show.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
src=$TEST_TMP/src
mkdir -p "$src"/{etc,usr/bin,tmp,deep/a/b/c/d/e,private,"dir with space"}
echo hello >"$src/etc/hello"
printf '#!/bin/sh\necho hi\n' >"$src/usr/bin/hi"
chmod 755 "$src/usr/bin/hi"
echo secret >"$src/private/key" && chmod 600 "$src/private/key"
chmod 700 "$src/private"
chmod 1777 "$src/tmp"
: >"$src/empty"
echo x >"$src/setuid" && chmod 4755 "$src/setuid"
echo x >"$src/setgid" && chmod 2711 "$src/setgid"
echo deep >"$src/deep/a/b/c/d/e/file"
echo sp >"$src/dir with space/file name"
ln -s ../etc/hello "$src/usr/rel-link"
ln -s /etc/hello "$src/abs-link"
ln -s /nowhere "$src/dangling"
ln -s "$(printf 'long/%.0s' {1..30})target" "$src/long-link"
ln "$src/etc/hello" "$src/hardlink"
mkfifo "$src/fifo"
head -c 3000000 /dev/urandom >"$src/big"
if [ "$(id -u)" -eq 0 ]; then
    chown 1234:5678 "$src/etc/hello"
    chown 1000:1000 "$src/deep"
fi

"$MKROOTFS" --cache "$TEST_TMP/cache" --from "$src" -o "$TEST_TMP/x.ext4" >"$TEST_TMP/out"
cat "$TEST_TMP/out"
grep -q "^mkrootfs: wrote $TEST_TMP/x.ext4 " "$TEST_TMP/out" || fail "no summary line"
e2fsck_clean "$TEST_TMP/x.ext4"
compare_trees "$src" "$TEST_TMP/x.ext4"
# contents
debugfs -R "dump /big $TEST_TMP/big.out" "$TEST_TMP/x.ext4" 2>/dev/null
cmp "$src/big" "$TEST_TMP/big.out" || fail "/big differs"
expect_eq "file with space" "$(image_cat "$TEST_TMP/x.ext4" "/dir with space/file name")" sp
# the hard link stays a hard link
links=$(debugfs -R "stat /hardlink" "$TEST_TMP/x.ext4" 2>/dev/null | sed -n 's/.*Links: \([0-9]*\).*/\1/p')
expect_eq "hard link count" "$links" 2
compgen -G "$TEST_TMP/*.tmp" >/dev/null && fail "temporary file left behind"
exit 0
