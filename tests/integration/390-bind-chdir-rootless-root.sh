#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A rootless kbox's guest root is the host user in a bind, as every
# guest is there: its `cd` and -w into a mode 000 directory of that
# user's were let through as lx's root (CAP_DAC_READ_SEARCH), and the
# next lookup failed with EACCES (`ls .`). Natively that user's chdir is
# EACCES: now both refuse it, alike for -0 and -S, and what the user may
# search is still entered. Run as nobody when the tests run as root.
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
rootless_run_as
d=$(mktemp -d /tmp/kbox-390.XXXXXX)
cp --sparse=always "$IMG" "$d/img"
mkdir -p "$d/b/priv/sub" "$d/b/mine"
chmod 755 "$d" "$d/b"
chmod 700 "$d/b/mine"
chmod 666 "$d/img"
[ "$(id -u)" -eq 0 ] && chown -R 65534:65534 "$d"
chmod 000 "$d/b/priv"
kbox_abs=$(cd "$(dirname "$KBOX")" && pwd)/$(basename "$KBOX")
rl() { # rootless kbox: OUT ARGS...
	local out=$1
	shift
	timeout -k 5 "$KB_TIMEOUT" "${run_as[@]}" env HOME="$d" "$kbox_abs" \
		-b "$d/b:/mnt/b" "$@" >"$out" 2>&1 </dev/null
}

# natively: the host user's chdir there is refused
if "${run_as[@]}" sh -c "cd '$d/b/priv'" 2>/dev/null; then
	skip "the host user enters a 000 directory (capabilities?)"
fi

for how in "-0 -R" "-S"; do
	# shellcheck disable=SC2086 # two words for -0 -R
	rl "$TMP/cd" $how "$d/img" -- /bin/sh -c \
		'id -u; cd /mnt/b/priv; echo "cd: $?"; pwd'
	expect_status 0 $? "$how: the shell ran"
	expect_grep '^0$' "$TMP/cd" "$how: the guest is root"
	expect_grep "can't cd to /mnt/b/priv" "$TMP/cd" "$how: cd into the 000 directory refused"
	expect_grep '^cd: 2$' "$TMP/cd" "$how: cd's status"
	expect_grep '^/$' "$TMP/cd" "$how: the cwd stayed /"

	# shellcheck disable=SC2086
	rl "$TMP/w" $how "$d/img" -w /mnt/b/priv -- /bin/pwd
	expect_status 1 $? "$how: -w into the 000 directory"
	expect_grep "^kbox: work dir '/mnt/b/priv': Permission denied$" "$TMP/w" "$how: -w's line"

	# the user's own 0700 directory: entered, by cd and -w, and listed
	# shellcheck disable=SC2086
	rl "$TMP/ok" $how "$d/img" -w /mnt/b/mine -- /bin/sh -c \
		'pwd; cd /mnt/b && cd mine && ls -a . >/dev/null && echo listed'
	expect_status 0 $? "$how: into a searchable directory"
	expect_grep '^/mnt/b/mine$' "$TMP/ok" "$how: -w entered it"
	expect_grep '^listed$' "$TMP/ok" "$how: cd entered and listed it"
done
chmod -R u+rwX "$d"
rm -rf "$d"
done_test
