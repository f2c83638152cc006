#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# stdin/stdout/stderr are the host's: pipes in and out, stderr separate,
# here-docs and redirections inside the guest.
. "$(dirname "$0")/lib/common.sh"
require

out=$(printf 'b\na\nc\n' | timeout 60 "$KBOX" -r "$IMG" -- /usr/bin/sort)
[ "$out" = "$(printf 'a\nb\nc')" ] && pass "host pipe into guest sort" || fail "sort got '$out'"
n=$(seq 1 5000 | timeout 60 "$KBOX" -r "$IMG" -- /usr/bin/wc -l)
[ "$n" = 5000 ] && pass "5000 lines through stdin" || fail "wc -l got '$n'"
timeout 60 "$KBOX" -r "$IMG" -- /bin/sh -c 'echo to-out; echo to-err >&2' >"$TMP/o" 2>"$TMP/e" </dev/null
grep -qx to-out "$TMP/o" && ! grep -q to-err "$TMP/o" && pass "stdout separate" || fail "stdout: $(cat "$TMP/o")"
grep -qx to-err "$TMP/e" && pass "stderr separate" || fail "stderr: $(cat "$TMP/e")"
n=$(head -c 10000000 /dev/zero | timeout 60 "$KBOX" -r "$IMG" -- /bin/cat | wc -c)
[ "$n" = 10000000 ] && pass "10 MB through cat" || fail "10 MB through cat gave $n"
timeout 60 "$KBOX" -r "$IMG" -- /bin/sh -c 'cat <<EOT
here $((1+2))
EOT
echo redir >/tmp/r.txt; cat </tmp/r.txt; rm /tmp/r.txt' >"$TMP/o" 2>&1 </dev/null
grep -qx 'here 3' "$TMP/o" && pass "here-doc" || fail "here-doc: $(cat "$TMP/o")"
grep -qx redir "$TMP/o" && pass "redirections" || fail "redirections"
# closed stdin is not an error
timeout 60 "$KBOX" -r "$IMG" -- /bin/true <&- >/dev/null 2>&1
expect_status 0 $? "closed stdin"
done_test
