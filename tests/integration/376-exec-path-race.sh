#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/exec-path-race: a guest thread rewrites the path string of
# another thread's execve after kbox wrote its alias there, naming a host
# program outside the image and every bind (hostprog, a copy of the
# guest program, which says ESCAPED and exits 42), or a memfd script
# whose #! names it. The host ran it within a few rounds, as root, as a
# user and from a rootless kbox; Landlock now lets the host exec only
# kbox's memfds and content cache files (src/exec/execlock.c).
. "$(dirname "$0")/lib/common.sh"
require
[ -x "$BUILD/guest/exec-path-race" ] || skip "guest program not built"
python3 -c 'import ctypes, sys; sys.exit(ctypes.CDLL(None).syscall(444, None, 0, 1) < 1)' 2>/dev/null ||
	skip "no Landlock on this host: the race is left open there"
# a place every user reaches (the test's own directory may not be)
d=$(mktemp -d /tmp/kbox-exec-path-race.XXXXXX) || fail "mktemp"
trap 'rm -rf "$d"; cleanup' EXIT
chmod 755 "$d"
cp "$BUILD/guest/exec-path-race" "$d/hostprog" && chmod 755 "$d/hostprog"
run_guest_test "-S" exec-path-race "$d/hostprog" 600
run_guest_test "--change-id 1000:1000 -R" exec-path-race "$d/hostprog" 600
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	# rootless: kbox as nobody, the image read-only
	mkdir "$d/home" && chown 65534:65534 "$d/home" && chmod 644 "$IMG" &&
		{ ln "$IMG" "$d/img" 2>/dev/null || cp "$IMG" "$d/img"; }
	(cd "$d/home" && setpriv --reuid=65534 --regid=65534 --clear-groups \
		env HOME="$d/home" TMPDIR="$d/home" timeout "$KB_TIMEOUT" "$KBOX" \
		-m ro -S "$d/img" -- /opt/kbox-tests/exec-path-race "$d/hostprog" 600) \
		>"$TMP/nobody.out" 2>&1
	expect_status 0 $? "rootless kbox: the host program never ran"
	grep -v '^ok' "$TMP/nobody.out" | sed 's/^/    | /' | tail -5
fi
done_test
