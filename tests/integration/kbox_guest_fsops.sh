#!/bin/bash
# The file-system guest program passes inside the box, on a copy of the
# default image (so the image itself stays pristine).
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
need_kbox
need_rootfs
cp --sparse=always "$KBOX_ROOTFS" "$TEST_TMP/img.ext4"
"$KBOX" -S "$TEST_TMP/img.ext4" -- /opt/kbox-tests/fsops >"$TEST_TMP/out" 2>&1 || {
    cat "$TEST_TMP/out"
    fail "fsops failed inside kbox"
}
cat "$TEST_TMP/out"
tail -n1 "$TEST_TMP/out" | grep -q '^[1-9][0-9]* passed, 0 failed$' || fail "fsops summary"
e2fsck_clean "$TEST_TMP/img.ext4"
exit 0
