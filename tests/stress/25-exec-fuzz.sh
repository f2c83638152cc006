#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Differential exec fuzzing (tests/guest/exec-fuzz): seeded children
# exec the fuzzer itself (which reports argv, envp, AT_SECURE,
# /proc/self/exe, inherited fds and offsets, the signal mask and ignored
# signals), #! scripts (interpreter arguments, lines near the 256-byte
# buffer, nesting past the kernel's limit, missing or unexecutable
# interpreters) and error cases (ETXTBSY, ENAMETOOLONG, ELOOP, E2BIG,
# ENOEXEC, EACCES) by execve, execveat and fexecve. The same seed must
# give the same trace in the image (/var/tmp), lx's tmpfs (/tmp) and a
# bind, as root and as a user; natively the traces were the same too
# (run it in a directory of at most 60 bytes). AT_EXECFN and comm are
# left out (EXEC_FUZZ_NOEXECFN: kbox's alias, a known gap), and in the
# bind the ops that hit known gaps are skipped (EXEC_FUZZ_BIND: execveat
# from a bind's directory fd with a short name, O_PATH|O_NOFOLLOW of a
# bind symlink, O_PATH fds, a bind script run by fd).
# EXEC_FUZZ_SEEDS, EXEC_FUZZ_NOPS to try others.
. "$(dirname "$0")/../integration/lib/common.sh"
require
SEEDS=${EXEC_FUZZ_SEEDS:-$(seq 1 12)}
NOPS=${EXEC_FUZZ_NOPS:-60}
# shellcheck disable=SC2086,SC2116 # one line for the guest script
SEEDS=$(echo $SEEDS)
b=$TMP/bind
mkdir -p "$b" && chmod 777 "$b"
# shellcheck disable=SC2016 # expanded by the guest shell
script='export EXEC_FUZZ_NOEXECFN=1
run() { rm -rf "$1"; mkdir -p "$1" && cd "$1" && /opt/kbox-tests/exec-fuzz "$1" "$2" '"$NOPS"'; cd /; rm -rf "$1"; }
for s in '"$SEEDS"'; do
	echo "==== v-$s"; run /var/tmp/ef-$s $s
	echo "==== t-$s"; run /tmp/ef-$s $s
	export EXEC_FUZZ_BIND=1
	echo "==== b-$s"; run /mnt/b/ef-$s $s
	echo "==== w-$s"; run /var/tmp/ef-$s $s
	unset EXEC_FUZZ_BIND
done'
for who in root user; do
	opts=(-S)
	[ $who = user ] && opts=(--change-id 1000:1000 -R)
	KB_TIMEOUT=120 kbo "$TMP/k.all" -b "$b:/mnt/b" "${opts[@]}" "$IMG" -- /bin/sh -c "$script"
	expect_status 0 $? "exec-fuzz under kbox as $who"
	rm -f "$TMP"/k-*
	awk -v d="$TMP" '/^==== /{f=d "/k-" $2; next} {print > f}' "$TMP/k.all"
	for s in $SEEDS; do
		grep -q '^done$' "$TMP/k-v-$s" 2>/dev/null ||
			fail "$who seed $s: no trace in the image"
		for w in t b; do
			ref=v
			[ "$w" = b ] && ref=w
			if cmp -s "$TMP/k-$ref-$s" "$TMP/k-$w-$s"; then
				pass "$who seed $s: $w the same as $ref"
			else
				diff "$TMP/k-$ref-$s" "$TMP/k-$w-$s" | head -20
				fail "$who seed $s: $w differs from $ref"
			fi
		done
	done
done
[ "$FAILS" -eq 0 ] && echo PASS || echo FAIL
done_test
