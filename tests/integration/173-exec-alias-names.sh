#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Each exec runs through an alias dN/<program name> in kbox's private
# directory (so the host's comm and ps show the name). Aliases were never
# removed: a session running programs of ever new names (mktemp'd
# scripts, numbered test binaries) left one symlink per name there until
# kbox exited. Those pushed out of kbox's cache of 256 names go now, and
# a program whose alias went runs again (its alias is made afresh).
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
b=$TMP/b
rt=$TMP/rt
mkdir -p "$b" "$rt"
TMPDIR=$rt timeout -k 5 "$KB_TIMEOUT" "$KBOX" -S "$img" -b "$b:/m" -- \
	/bin/bash -c '
	printf "#!/bin/sh\necho first ran\n" > /tmp/first.sh; chmod +x /tmp/first.sh
	/tmp/first.sh
	for i in $(seq 600); do
		f=$(mktemp /tmp/t.XXXXXX)
		printf "#!/bin/sh\nexit 0\n" > $f; chmod +x $f; $f || echo "failed $f"; rm $f
	done
	touch /m/ready
	while [ ! -e /m/go ]; do sleep 0.1; done
	/tmp/first.sh' >"$TMP/out" 2>&1 </dev/null &
kb_pid=$!
for _ in $(seq 1200); do [ -e "$b/ready" ] && break; sleep 0.1; done
n=$(find "$rt" -type l | wc -l)
touch "$b/go"
wait $kb_pid
expect_status 0 $? "600 programs of new names"
expect_no_grep '^failed' "$TMP/out" "every one of them ran"
check "a program run again after its alias went" \
	[ "$(grep -c '^first ran$' "$TMP/out")" -eq 2 ]
check "aliases left in kbox's directory: $n (want at most 400)" [ "$n" -le 400 ]
done_test
