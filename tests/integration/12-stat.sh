#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# stat(1) inside the guest agrees with debugfs on size, mode, owner, links.
. "$(dirname "$0")/lib/common.sh"
require
require_cmd debugfs

for f in /etc/os-release /etc/passwd /bin/sh /usr; do
	kbo "$TMP/out" -r "$IMG" -- /usr/bin/stat -c '%s %a %u %g %h %F' "$f"
	st=$?
	expect_status 0 "$st" "stat $f"
	got=$(cat "$TMP/out")
	# debugfs: resolve symlinks the same way stat does (stat follows)
	ds=$(debugfs -R "stat $f" "$IMG" 2>/dev/null)
	size=$(echo "$ds" | sed -n 's/.*Size: \([0-9]*\).*/\1/p' | head -1)
	mode=$(echo "$ds" | sed -n 's/.*Mode:  *0*\([0-7]*\).*/\1/p' | head -1)
	links=$(echo "$ds" | sed -n 's/.*Links: \([0-9]*\).*/\1/p' | head -1)
	type=$(echo "$ds" | sed -n 's/.*Type: \([a-z]*\).*/\1/p' | head -1)
	if [ "$type" = symlink ]; then
		pass "$f is a symlink in the image; only checked that stat works"
		continue
	fi
	set -- $got
	[ "${1:-}" = "$size" ] && pass "$f size $size" || fail "$f size: guest '${1:-}', debugfs '$size'"
	[ "${2:-}" = "$mode" ] && pass "$f mode $mode" || fail "$f mode: guest '${2:-}', debugfs '$mode'"
	[ "${5:-}" = "$links" ] && pass "$f links $links" || fail "$f links: guest '${5:-}', debugfs '$links'"
done
# stat of a missing file: exit 1, message on stderr
kbo "$TMP/out" -r "$IMG" -- /usr/bin/stat /no/such/file
expect_status 1 $? "stat of a missing file"
expect_grep 'No such file or directory' "$TMP/out" "ENOENT message"
done_test
