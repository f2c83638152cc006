#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/sti-kbox-tty in a pty: the guest pushes a command line into
# the terminal kbox runs on with TIOCSTI (also through an fd another
# thread keeps swapping), then a host shell reads that terminal after
# kbox: nothing may be there. The host's shell read and ran the guest's
# line (a command outside the box), as root, as a user and from a
# rootless kbox.
. "$(dirname "$0")/lib/common.sh"
require
require_cmd python3 bash
[ -x "$BUILD/guest/sti-kbox-tty" ] || skip "guest program not built"

# in a new pty: bash runs kbox, then reads what is left on its terminal
in_pty() {
	timeout -k 5 90 python3 - "$@" <<'PY'
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out, end = b"", time.time() + 80
while time.time() < end:
    r, _, _ = select.select([fd], [], [], 0.5)
    if not r:
        continue
    try:
        b = os.read(fd, 4096)
    except OSError:
        break
    if not b:
        break
    out += b
sys.stdout.write(out.decode(errors="replace"))
_, st = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(st))
PY
}

one() {
	local what=$1 out=$TMP/$2.out
	shift 2
	# shellcheck disable=SC2016 # $x is the inner shell's
	in_pty bash --norc --noprofile -c '"$@"; echo "kbox status $?";
		read -t 2 -r x; echo "host shell read: [$x]"' sh "$@" >"$out" 2>&1
	sed 's/^/    | /' "$out" | tr -d '\r' | grep -v '^    | ok'
	expect_grep 'kbox status 0' "$out" "$what: the guest's checks pass"
	expect_grep 'host shell read: \[\]' "$out" "$what: nothing pushed into the host's terminal"
}

one "guest root" root "$KBOX" -S "$IMG" -- /opt/kbox-tests/sti-kbox-tty
one "guest user" user "$KBOX" --change-id 1000:1000 -R "$IMG" -- /opt/kbox-tests/sti-kbox-tty
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	d=$(mktemp -d /tmp/kbox-sti-kbox-tty.XXXXXX) || fail "mktemp"
	trap 'rm -rf "$d"; cleanup' EXIT
	chmod 755 "$d" && mkdir "$d/home" && chown 65534:65534 "$d/home" &&
		chmod 644 "$IMG" && { ln "$IMG" "$d/img" 2>/dev/null || cp "$IMG" "$d/img"; }
	cd "$d/home" || fail "cd"
	one "rootless kbox" nobody setpriv --reuid=65534 --regid=65534 --clear-groups \
		env HOME="$d/home" TMPDIR="$d/home" "$KBOX" -m ro -S "$d/img" -- /opt/kbox-tests/sti-kbox-tty
fi
done_test
