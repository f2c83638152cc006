#!/bin/bash
# A second run with nothing changed is a no-op that keeps the image (its
# time is printed, not asserted: timing is for benchmarks); a changed
# guest test program or --force rebuilds it.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
need_rootfs # the package cache is warm once make rootfs has run
tests=$TEST_TMP/tests
mkdir "$tests"
cp "$KBOX_ROOT"/build/guest/hello "$tests/" 2>/dev/null || {
    printf '#!/bin/sh\necho hi\n' >"$tests/hello"
    chmod 755 "$tests/hello"
}
img=$TEST_TMP/r.ext4
"$MKROOTFS" --tests "$tests" -o "$img" >"$TEST_TMP/out1"
grep -q "wrote $img" "$TEST_TMP/out1" || fail "first run did not write the image"
before=$(stat -c '%Y %i %s' "$img")

start=$(date +%s%N)
"$MKROOTFS" --tests "$tests" -o "$img" >"$TEST_TMP/out2"
ms=$((($(date +%s%N) - start) / 1000000))
echo "second run: ${ms} ms"
grep -q "up to date" "$TEST_TMP/out2" || fail "second run was not a no-op: $(cat "$TEST_TMP/out2")"
expect_eq "image after second run" "$(stat -c '%Y %i %s' "$img")" "$before"

# new guest program -> rebuilt, and it is in the image
cp "$tests/hello" "$tests/hello2"
"$MKROOTFS" --tests "$tests" -o "$img" >"$TEST_TMP/out3"
grep -q "wrote $img" "$TEST_TMP/out3" || fail "changed tests did not rebuild"
debugfs -R "stat /opt/kbox-tests/hello2" "$img" 2>/dev/null | grep -q 'Type: regular' ||
    fail "new guest program not in the image"

# an image modified since (e.g. by a guest) is rebuilt, --force always
echo >>"$img"
"$MKROOTFS" --tests "$tests" -o "$img" | grep -q "wrote $img" || fail "modified image not rebuilt"
"$MKROOTFS" --force --tests "$tests" -o "$img" | grep -q "wrote $img" || fail "--force did not rebuild"
e2fsck_clean "$img"
exit 0
