#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A rootless kbox judges a guest user's chdir and fchdir into a bind
# directory as it judges -w: with kbox's own rights, which are the
# guest's there (every guest user is the host user in a rootless bind).
# `cd` into a mode 000 directory of kbox's user succeeded (kbox opens it
# O_PATH, which needs no search right) and only the next lookup failed;
# natively the host user gets EACCES from chdir, and so from fchdir
# through an fd of a directory made 000 since. Run as nobody when the
# tests run as root.
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
rootless_run_as
d=$(mktemp -d /tmp/kbox-388.XXXXXX)
cp --sparse=always "$IMG" "$d/img"
mkdir -p "$d/b/priv/sub" "$d/b/open"
chmod 755 "$d" "$d/b" "$d/b/open"
chmod 666 "$d/img"
[ "$(id -u)" -eq 0 ] && chown -R 65534:65534 "$d"
chmod 000 "$d/b/priv"
kbox_abs=$(cd "$(dirname "$KBOX")" && pwd)/$(basename "$KBOX")
rl() { # rootless kbox: OUT ARGS...
	local out=$1
	shift
	timeout -k 5 "$KB_TIMEOUT" "${run_as[@]}" env HOME="$d" "$kbox_abs" \
		-R "$d/img" -b "$d/b:/mnt/b" "$@" >"$out" 2>&1 </dev/null
}

rl "$TMP/cd" --change-id 1000:1000 -- /bin/sh -c \
	'cd /mnt/b/priv; echo "cd: $?"; pwd'
expect_status 0 $? "the shell ran"
expect_grep "can't cd to /mnt/b/priv" "$TMP/cd" "cd into the 000 directory refused"
expect_grep '^cd: 2$' "$TMP/cd" "cd's status"
expect_grep '^/$' "$TMP/cd" "the cwd stayed /"

rl "$TMP/probe" --change-id 1000:1000 -- \
	/opt/kbox-tests/bind-search-right dirs /mnt/b/priv /mnt/b/open
expect_status 0 $? "chdir and fchdir as 1000"
expect_grep '^5 passed, 0 failed$' "$TMP/probe" "each check"

# -w says the same as cd (h134), and what may be searched is entered
rl "$TMP/w" --change-id 1000:1000 -w /mnt/b/priv -- /bin/pwd
expect_status 1 $? "-w into the 000 directory"
expect_grep "^kbox: work dir '/mnt/b/priv': Permission denied$" "$TMP/w" "-w's line"
rl "$TMP/ok" --change-id 1000:1000 -- /bin/sh -c 'cd /mnt/b/open && pwd'
expect_status 0 $? "cd into a searchable directory"
expect_grep '^/mnt/b/open$' "$TMP/ok" "entered"
# a guest root is the host user there too: refused, as -w refuses it
# (390-bind-chdir-rootless-root)
rl "$TMP/root" -0 -- /bin/sh -c 'cd /mnt/b/priv && echo in'
expect_status 2 $? "guest root's cd"
expect_no_grep '^in$' "$TMP/root" "guest root kept out"
chmod -R u+rwX "$d"
rm -rf "$d"
done_test
