#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# kbox makes the directories a bind's place lacks in the image (glue) and
# removes them at halt. Their record held 64: 24 binds at
# /glue/nN/a/b need 73 made directories, and the binds past the 64th
# stayed text-only (no mount in /proc/self/mountinfo, missing from `ls`
# of their parent). It now grows as needed; every bind is mounted and
# listed, and every made directory is gone after the run.
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
b=$TMP/bind
mkdir -p "$b"
echo hi >"$b/f"
chmod 755 "$b"
args=()
for i in $(seq 1 24); do
	args+=(-b "$b:/glue/n$i/a/b")
done
kbo "$TMP/u" -R "$img" "${args[@]}" -- /bin/sh -c '
n=0; l=0; r=0
for i in $(seq 1 24); do
	grep -q " /glue/n$i/a/b " /proc/self/mountinfo && n=$((n + 1))
	[ "$(ls /glue/n$i/a)" = b ] && l=$((l + 1))
	[ "$(cat /glue/n$i/a/b/f)" = hi ] && r=$((r + 1))
done
echo "mounted $n listed $l read $r"'
expect_status 0 $? "the shell ran"
expect_grep '^mounted 24 listed 24 read 24$' "$TMP/u" "all 24 binds mounted, listed and read"

kbo "$TMP/after" -R "$img" -- /bin/sh -c 'ls -d /glue; echo "ls: $?"'
expect_status 0 $? "a run without the binds"
expect_grep '^ls: 2$' "$TMP/after" "the made directories are gone"
done_test
