#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Pipelines, word counts, $(...), here-docs in dash and bash.
. "$(dirname "$0")/lib/common.sh"
require

want_7=$(seq 1 10000 | grep -c 7)
for sh in /bin/sh /bin/bash; do
	img_has "$IMG" "$sh" || { pass "no $sh in the image"; continue; }
	kbo "$TMP/out" -S "$IMG" -- "$sh" -c '
seq 1 10000 | grep 7 | wc -l
echo "one two three" | tr " " "\n" | sort -r | head -n 1
x=$(echo inner $(echo nested)); echo "$x"
printf "%s\n" a b c | sed s/b/B/ | tr -d "\n"; echo
cat <<EOT | wc -w
w1 w2 w3 w4
EOT
seq 1 100000 | tail -n 1
yes | head -n 3 | wc -l
ls /etc | wc -l >/tmp/n && test "$(cat /tmp/n)" -gt 5 && echo many
'
	st=$?
	sed 's/^/    | /' "$TMP/out"
	expect_status 0 "$st" "$sh pipelines"
	expect_grep "^$want_7\$" "$TMP/out" "$sh: seq | grep | wc = $want_7"
	expect_grep '^two$' "$TMP/out" "$sh: tr | sort -r | head"
	expect_grep '^inner nested$' "$TMP/out" "$sh: nested \$(...)"
	expect_grep '^aBc$' "$TMP/out" "$sh: printf | sed | tr"
	expect_grep '^4$' "$TMP/out" "$sh: here-doc | wc -w"
	expect_grep '^100000$' "$TMP/out" "$sh: 100000-line pipe"
	expect_grep '^3$' "$TMP/out" "$sh: yes | head (SIGPIPE to yes)"
	expect_grep '^many$' "$TMP/out" "$sh: redirect to a file and read back"
done
if img_has "$IMG" /bin/bash; then
	kbo "$TMP/out" -S "$IMG" -- /bin/bash -c 'false | true | (exit 3); echo "${PIPESTATUS[*]}"; set -o pipefail; (exit 4) | true; echo $?'
	expect_grep '^1 0 3$' "$TMP/out" "bash PIPESTATUS"
	expect_grep '^4$' "$TMP/out" "bash pipefail"
fi
done_test
