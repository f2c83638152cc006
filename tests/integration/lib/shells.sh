# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# shells_img OUT: a copy of the default image with zsh, fish, mksh, tcsh,
# vim-tiny and less from bookworm (busybox is in every image), built once
# into kbox's cache; skips the test when the packages cannot be had.
shells_img() {
	local cache=${KBOX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kbox}
	local img=$cache/test-images/shells.ext4
	mkdir -p "$cache/test-images" || skip "no cache directory $cache"
	if ! "$KBOX_ROOT/scripts/mkrootfs.sh" -q -o "$img" --size 1G \
		--packages "zsh fish mksh tcsh vim-tiny less" --kbox "$KBOX" \
		>"$TMP/mkrootfs.out" 2>&1; then
		sed 's/^/    | /' "$TMP/mkrootfs.out"
		skip "cannot build an image with zsh fish mksh tcsh (packages not fetched?)"
	fi
	cp --sparse=always "$img" "$1" || skip "cannot copy $img"
}

# shell_session NAME KIND KBOX-ARGS...: lib/shelldrive.py's checks that
# need no editor (edit, tab, intr, jobs, pipe, cat, ttin, exit)
shell_session() {
	local name=$1
	shift
	timeout -k 5 60 python3 "$KBOX_ROOT/tests/integration/lib/shelldrive.py" \
		--only "${SHELL_CHECKS:-edit,tab,intr,jobs,pipe,cat,ttin,exit}" \
		"$@" >"$TMP/session.out" 2>&1
	local st=$?
	sed 's/^/    | /' "$TMP/session.out"
	expect_status 0 "$st" "$name"
}

# image_clean IMG: e2fsck finds nothing to fix
image_clean() {
	e2fsck -fn "$1" >"$TMP/fsck" 2>&1 || {
		sed 's/^/    | /' "$TMP/fsck"
		fail "image not clean after the sessions"
	}
}
