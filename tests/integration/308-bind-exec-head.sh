#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Exec of programs in a bind, which kbox now reads only the first 16 KiB
# of until it needs the whole file (src/exec/progfile.c): a dynamic
# program, the same file rewritten in place with another program (a
# longer one, then the first again: each runs as what the file holds), a
# static program (runs from the whole copy), a #! script longer than the
# head, each also from a vfork'd child (dash's commands) and with
# --change-id.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
b=$TMP/bind
mkdir -p "$b" && chmod 777 "$b"
for who in "-S" "--change-id 1000:1000 -R"; do
	# shellcheck disable=SC2086 # $who is two options
	kbo "$TMP/out" $who "$img" -b "$b:/mnt" -- /bin/sh -c '
	rm -f /mnt/p /mnt/s /mnt/busybox
	cp /usr/bin/basename /mnt/p && echo "first $(/mnt/p /a/b)"
	cat /usr/bin/dirname >/mnt/p && echo "rewritten $(/mnt/p /a/b)"
	cat /usr/bin/basename >/mnt/p && echo "back $(/mnt/p /a/b)"
	/mnt/p /x/y; /mnt/p /x/z
	cp /bin/busybox /mnt/busybox && echo "static $(/mnt/busybox echo ok)"
	{ echo "#!/bin/sh"; i=0; while [ $i -lt 400 ]; do
		echo "# padding line $i: past the first 16 KiB of the script file"
		i=$((i + 1)); done; echo "echo script \"\$1\""; } >/mnt/s
	chmod 755 /mnt/s && /mnt/s ok'
	expect_status 0 $? "execs from a bind ($who)"
	expect_grep '^first b$' "$TMP/out" "a dynamic program copied into the bind ($who)"
	expect_grep '^rewritten /a$' "$TMP/out" "the file rewritten with another program runs it ($who)"
	expect_grep '^back b$' "$TMP/out" "and rewritten again, the first one ($who)"
	expect_grep '^y$' "$TMP/out" "run from dash's vfork child ($who)"
	expect_grep '^z$' "$TMP/out" "run again ($who)"
	expect_grep '^static ok$' "$TMP/out" "a static program in the bind ($who)"
	expect_grep '^script ok$' "$TMP/out" "a #! script longer than 16 KiB ($who)"
done
done_test
