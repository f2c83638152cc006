#!/bin/bash
# scripts/check.sh sums the suites' "N passed, N failed" lines, counts a
# suite that fails without one as one failure, prints the total last and
# exits non-zero on failure; run-unit.sh does the same for unit binaries.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
cd "$TEST_TMP" || exit 1
cat >fake-make <<'EOS'
#!/bin/bash
case $2 in
good) echo "building"; echo "3 passed, 0 failed"; exit 0 ;;
mixed) echo "1 passed, 9 failed"; echo "2 passed, 1 failed, 4 skipped"; exit 1 ;;
crash) echo "Segmentation fault"; exit 139 ;;
quiet) exit 0 ;;
liar) echo "5 passed, 0 failed"; exit 2 ;;
esac
EOS
chmod +x fake-make
rc=0
MAKE=$TEST_TMP/fake-make bash "$KBOX_ROOT/scripts/check.sh" good mixed crash quiet liar >out 2>&1 || rc=$?
cat out
expect_eq "check.sh status" "$rc" 1
expect_eq "last line" "$(tail -n1 out)" "10 passed, 3 failed"
MAKE=$TEST_TMP/fake-make bash "$KBOX_ROOT/scripts/check.sh" good quiet >out 2>&1 || fail "all-good run failed"
expect_eq "last line (good)" "$(tail -n1 out)" "3 passed, 0 failed"

# run-unit.sh over a passing, a failing and a crashing "binary"
printf '#!/bin/sh\necho "ok   a"\necho "4 passed, 0 failed"\n' >pass
printf '#!/bin/sh\necho "1 passed, 2 failed"\nexit 1\n' >failing
printf '#!/bin/sh\necho "ok   a"\nkill -SEGV $$\n' >crash
chmod +x pass failing crash
rc=0
bash "$KBOX_ROOT/scripts/run-unit.sh" ./pass ./failing ./crash >out 2>&1 || rc=$?
cat out
expect_eq "run-unit status" "$rc" 1
expect_eq "run-unit last line" "$(tail -n1 out)" "5 passed, 3 failed"
exit 0
