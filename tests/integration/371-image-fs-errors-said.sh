#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What ext4 logs about a damaged image reached only lx's log, which
# nobody sees without --verbose:
#  - an error found during the run (here a directory block zeroed under
#    an errors=remount-ro image: Linux 6.12 then shuts the file system
#    down and every later file call fails with EIO) left the guest with
#    EIOs and kbox silent. kbox now says, at exit, what ext4 found and
#    that the file system was shut down.
#  - a later run mounted the image, its superblock saying "with errors",
#    silently; and an ext2 image its kbox never unmounted (killed) was
#    "unchecked". Both are said now, and the mount goes on as Linux's.
# A healthy image says none of it.
. "$(dirname "$0")/lib/common.sh"
require_kbox
require_cmd mke2fs e2fsck debugfs
ops=$BUILD/guest/image-ops
[ -x "$ops" ] || skip "$ops not built (make guest-tests)"
mkdir -p "$TMP/stage/opt" "$TMP/stage/c" || fail "stage"
cp "$ops" "$TMP/stage/opt/" || fail "stage"
for i in 1 2 3; do echo "$i" >"$TMP/stage/c/f$i"; done

img=$TMP/cor.img
mke2fs -q -F -t ext4 -b 1024 -e remount-ro -d "$TMP/stage" "$img" 8M || fail "mke2fs"
kbo "$TMP/ok.out" -r "$img" -- /opt/image-ops /d
expect_status 0 $? "a healthy image: the guest's operations"
expect_no_grep "warning" "$TMP/ok.out" "a healthy image: no warning"

blk=$(debugfs -R "blocks /c" "$img" 2>/dev/null | awk '{print $1}')
[ -n "$blk" ] || fail "no block of /c"
dd if=/dev/zero of="$img" bs=1024 seek="$blk" count=1 conv=notrunc status=none
kbo "$TMP/err.out" -r "$img" -- /opt/image-ops /c/new
st=$?
sed 's/^/    | /' "$TMP/err.out"
expect_status 1 "$st" "the guest's mkdir in the damaged directory fails"
expect_grep "^kbox: warning: the file system of image '.*cor.img' had an error: EXT4-fs error \(device lxda\): .*inode #[0-9]+.*; it was shut down, later file calls failed with EIO; check it with e2fsck -f$" \
	"$TMP/err.out" "kbox says what ext4 found, and the shutdown"
check "the error is in the superblock" sh -c "dumpe2fs -h '$img' 2>/dev/null | grep -q 'with errors'"

kbo "$TMP/next.out" -r "$img" -- /opt/image-ops /e
expect_grep "^kbox: warning: image '.*cor.img': mounting fs with errors, running e2fsck is recommended$" \
	"$TMP/next.out" "the next run is told of the recorded errors"
expect_grep "^ok - write keep" "$TMP/next.out" "and still runs the guest"

# ext2 (no journal) whose kbox was killed: ext4 marks it not clean at
# mount; the state a kill leaves is set directly (state 0: not clean)
e2=$TMP/e2.img
mke2fs -q -F -t ext2 -d "$TMP/stage" "$e2" 8M || fail "mke2fs ext2"
debugfs -w -R "ssv state 0" "$e2" 2>/dev/null
kbo "$TMP/e2.out" -r "$e2" -- /opt/image-ops /d
expect_status 0 $? "an unchecked ext2 image still mounts"
expect_grep "^kbox: warning: image '.*e2.img': mounting unchecked fs, running e2fsck is recommended$" \
	"$TMP/e2.out" "an unchecked ext2 image is said"
done_test
