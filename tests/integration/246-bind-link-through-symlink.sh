#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# link and rename whose names pass through a symlink that leaves a -b
# bind and comes back into it (absolute, or relative with ".."), or
# through a symlink in the image that leads into the bind. Linux resolves
# the link in the guest's tree and both names are in one mount; kbox
# said EXDEV (the host's RESOLVE_BENEATH refuses the link), so `ln`
# failed and `mv` copied (a new inode).
. "$(dirname "$0")/lib/common.sh"
require
b=$TMP/b
mkdir -p "$b/real" && chmod 777 "$b" "$b/real"
echo data >"$b/real/f"
ino() { stat -c %i "$1"; }
i0=$(ino "$b/real/f")
ln -s /mnt/b/real "$b/abs"
ln -s ../b/real "$b/rel"
script='set -e
ln /mnt/b/abs/f /mnt/b/g1 && echo link-abs-ok
ln /mnt/b/rel/f /mnt/b/g2 && echo link-rel-ok
ln /mnt/b/f0 /mnt/b/abs/g3 && echo link-new-abs-ok
ln -s /mnt/b/real /var/tmp/into
ln /var/tmp/into/f /mnt/b/g4 && echo link-image-ok
mv /mnt/b/abs/f /mnt/b/m1 && echo mv-abs-ok
mv /mnt/b/m1 /var/tmp/into/m2 && echo mv-image-ok
cd /mnt/b/abs && ln m2 ../m3 && echo link-cwd-ok
python3 -c "import os; os.rename(\"/mnt/b/rel/m2\", \"/mnt/b/abs/m4\"); print(\"rename-rel-ok\")"
'
ln "$b/real/f" "$b/f0"
KB_TIMEOUT=60 kbo "$TMP/out" -S "$IMG" -b "$b:/mnt/b" -- /bin/sh -c "$script"
st=$?
cat "$TMP/out"
expect_status 0 "$st" "links and renames through symlinks"
for w in link-abs link-rel link-new-abs link-image mv-abs mv-image link-cwd rename-rel; do
	expect_grep "^$w-ok" "$TMP/out" "$w"
done
for f in g1 g2 real/g3 g4 m3 real/m4; do
	if [ -e "$b/$f" ] && [ "$(ino "$b/$f")" = "$i0" ]; then
		pass "$f is the same inode"
	else
		fail "$f is not the original file (a copy, or missing)"
	fi
done
[ "$(stat -c %h "$b/real/m4")" = 7 ] && pass "link count 7" ||
	fail "link count $(stat -c %h "$b/real/m4"), want 7"
done_test
