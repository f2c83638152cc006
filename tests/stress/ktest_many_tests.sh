#!/bin/bash
# The ktest harness with 3000 registered tests, a third of them failing,
# under ASAN+UBSAN: every result is counted, the summary is exact.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
cd "$TEST_TMP" || exit 1
{
    echo '#include "ktest.h"'
    for i in $(seq 1 3000); do
        if [ $((i % 3)) -eq 0 ]; then
            echo "KTEST(t$i) { char buf[64]; memset(buf, $i & 0x7f, sizeof buf); KT_EQ(buf[63], -1); }"
        else
            echo "KTEST(t$i) { KT_EQ($i + 1, $((i + 1))); KT_STREQ(\"a$i\", \"a$i\"); }"
        fi
    done
} >many.c
san=("-fsanitize=address,undefined" -fno-omit-frame-pointer)
gcc -std=gnu11 -O1 -g "${san[@]}" -I"$KBOX_ROOT/tests/lib" -o many many.c "$KBOX_ROOT/tests/lib/ktest.c"
rc=0
./many >out 2>err || rc=$?
expect_eq "exit status" "$rc" 1
expect_eq summary "$(tail -n1 out)" "2000 passed, 1000 failed"
expect_eq "FAIL lines" "$(grep -c '^FAIL ' out)" 1000
expect_eq "failure messages" "$(grep -c 'many.c:' err)" 1000
./many t2999 >out2 || fail "filtered run failed"
expect_eq "filtered summary" "$(tail -n1 out2)" "1 passed, 0 failed"
exit 0
