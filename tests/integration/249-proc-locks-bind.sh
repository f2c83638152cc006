#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# /proc/locks lists a guest's locks on files in a -b bind (tests/guest/
# proc-locks: flock, POSIX and OFD locks and a blocked wait): lx's list
# had none (the host holds a bind file's locks), so kbox adds the host's
# lines of guest processes. Found by tests/guest/lock-fuzz. The image
# (/var/tmp) and lx's tmpfs (/tmp) keep lx's list.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
host=$TMP/host
mkdir "$host"
chmod 777 "$host"
for who in "-S" "--change-id 1000:1000 -R"; do
	for d in /mnt/b /var/tmp /tmp; do
		# shellcheck disable=SC2086 # who is a word list on purpose
		kbo "$TMP/out" -b "$host:/mnt/b" $who "$img" -- \
			/opt/kbox-tests/proc-locks "$d"
		st=$?
		grep -v '^ok' "$TMP/out" | sed 's/^/    | /' | tail -20
		expect_status 0 "$st" "proc-locks $d [$who]"
		expect_no_grep '^FAIL' "$TMP/out" "proc-locks $d [$who]: no FAIL line"
	done
done
done_test
