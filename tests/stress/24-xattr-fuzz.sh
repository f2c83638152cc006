#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Differential xattr and POSIX ACL fuzzing (tests/guest/xattr-fuzz): seeded
# set/get/list/remove calls by path, l-path and fd with XATTR_CREATE/
# XATTR_REPLACE and bad flags, size queries and short buffers, user.*,
# trusted.*, security.* (security.capability included), unknown, empty
# and too-long names, raw system.posix_acl_access/default values (valid
# and broken), chmod and the ACL mask, default ACLs inherited under a
# umask, and as root a child with uid/gids 1000..1004 checking access,
# xattr reads/writes and creates against the ACLs. The same seed must give
# the same trace in the image (/var/tmp), lx's tmpfs (/tmp) and, under
# kbox run by root, a bind, as guest root and as uid 1000; "L " lines
# (values past the filesystem's limits: ext4 and tmpfs differ) are left
# out of the comparison. Natively (a host tmpfs, as uid 1000 and as root
# of a user namespace with XFUZZ_NOPRIV=1) the traces were the same too.
# XATTR_FUZZ_SEEDS, XATTR_FUZZ_NOPS to try others.
. "$(dirname "$0")/../integration/lib/common.sh"
require
SEEDS=${XATTR_FUZZ_SEEDS:-$(seq 1 20)}
NOPS=${XATTR_FUZZ_NOPS:-400}
SEEDS=$(echo $SEEDS) # one line for the guest script
b=$TMP/bind
mkdir -p "$b" && chmod 777 "$b"
bargs=()
where="v t"
if [ "$(id -u)" = 0 ]; then
	bargs=(-b "$b:/mnt/b")
	where="v t b"
fi
script='run() { rm -rf "$1"; mkdir "$1" && chmod 777 "$1" && cd "$1" && /opt/kbox-tests/xattr-fuzz "$1" "$2" '"$NOPS"'; cd /; chmod -R u+rwX "$1"; rm -rf "$1"; }
for s in '"$SEEDS"'; do
	echo "==== v-$s"; run /var/tmp/xf-$s $s
	echo "==== t-$s"; run /tmp/xf-$s $s
	if [ -d /mnt/b ]; then echo "==== b-$s"; run /mnt/b/xf-$s $s; fi
done'
for who in r u; do
	ids=(-S)
	[ $who = u ] && ids=(--change-id 1000:1000 -R)
	KB_TIMEOUT=120 kbo "$TMP/$who.all" "${bargs[@]}" "${ids[@]}" "$IMG" -- /bin/sh -c "$script"
	expect_status 0 $? "xattr-fuzz under kbox [$who]"
	awk -v d="$TMP/$who" '/^==== /{f=d "-" $2; next} {print > f}' "$TMP/$who.all"
	for s in $SEEDS; do
		grep -q '^[0-9]* end$' "$TMP/$who-v-$s" 2>/dev/null ||
			fail "[$who] seed $s: no whole trace in the image"
		for w in $where; do
			[ "$w" = v ] && continue
			if cmp -s <(grep -v '^L ' "$TMP/$who-v-$s") \
				<(grep -v '^L ' "$TMP/$who-$w-$s"); then
				pass "[$who] seed $s: $w the same as the image"
			else
				diff <(grep -v '^L ' "$TMP/$who-v-$s") \
					<(grep -v '^L ' "$TMP/$who-$w-$s") | head -20
				fail "[$who] seed $s: $w differs from the image"
			fi
		done
	done
done
[ "$FAILS" -eq 0 ] && echo PASS || echo FAIL
done_test
