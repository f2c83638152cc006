#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Differential credential fuzzing (tests/guest/cred-fuzz): as root in an
# empty directory it builds a seeded tree of files and directories with
# random modes (set-group-ID, sticky, 0000, 0111) and owners, then
# children take random identities (setgroups, setresgid/setresuid,
# keepcaps and capset of file capabilities, setfsuid/setfsgid) and run
# seeded open, access/faccessat2, creat, mkdir, chmod, chown/fchown/
# lchown, utimensat, unlink/rename, truncate, link and write calls,
# printing results, modes and owners. The same seed must give the same
# trace in the image (/var/tmp) and in lx's tmpfs (/tmp) and, under kbox
# run by root, in a bind (writes skipped there: a root kbox's binds do
# not clear set-ID bits on a write, docs/supervisor.md). Natively the
# traces were the same too (run it as root in an empty directory).
# CRED_FUZZ_SEEDS, CRED_FUZZ_NOPS to try others.
. "$(dirname "$0")/../integration/lib/common.sh"
require
SEEDS=${CRED_FUZZ_SEEDS:-$(seq 1 40)}
NOPS=${CRED_FUZZ_NOPS:-150}
SEEDS=$(echo $SEEDS) # one line for the guest script
b=$TMP/bind
mkdir -p "$b" && chmod 755 "$b"
bargs=()
where="v t"
if [ "$(id -u)" = 0 ]; then
	bargs=(-b "$b:/mnt/b")
	where="v t b w"
fi
script='run() { rm -rf "$1"; mkdir -p "$1" && cd "$1" && /opt/kbox-tests/cred-fuzz "$1" "$2" '"$NOPS"'; cd /; rm -rf "$1"; }
for s in '"$SEEDS"'; do
	echo "==== v-$s"; run /var/tmp/cf-$s $s
	echo "==== t-$s"; run /tmp/cf-$s $s
	if [ -d /mnt/b ]; then
		export CRED_FUZZ_NOWRITE=1
		echo "==== b-$s"; run /mnt/b/cf-$s $s
		echo "==== w-$s"; run /var/tmp/cf-$s $s
		unset CRED_FUZZ_NOWRITE
	fi
done'
KB_TIMEOUT=120 kbo "$TMP/k.all" "${bargs[@]}" -S "$IMG" -- /bin/sh -c "$script"
expect_status 0 $? "cred-fuzz under kbox"
awk -v d="$TMP" '/^==== /{f=d "/k-" $2; next} {print > f}' "$TMP/k.all"
for s in $SEEDS; do
	grep -q '^child 0 exit 0$' "$TMP/k-v-$s" 2>/dev/null ||
		fail "seed $s: no trace in the image"
	for w in $where; do
		case $w in v | w) continue ;; esac
		ref=v
		[ "$w" = b ] && ref=w
		if cmp -s "$TMP/k-$ref-$s" "$TMP/k-$w-$s"; then
			pass "seed $s: $w the same as $ref"
		else
			diff "$TMP/k-$ref-$s" "$TMP/k-$w-$s" | head -20
			fail "seed $s: $w differs from $ref"
		fi
	done
done
[ "$FAILS" -eq 0 ] && echo PASS || echo FAIL
done_test
