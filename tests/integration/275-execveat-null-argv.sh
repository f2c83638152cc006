#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/execveat-null-argv: execveat(fd, "", NULL argv, envp,
# AT_EMPTY_PATH) of a #! script in the image or lx's tmpfs runs it as
# Linux 6.12 does ([interp, arg, /dev/fd/N]); kbox answered EFAULT (the
# script's argv had no place without the caller's array). The same
# calls natively as a reference.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" execveat-null-argv /var/tmp
run_guest_test "-S" execveat-null-argv /tmp
run_guest_test "--change-id 1000:1000 -R" execveat-null-argv /var/tmp
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && [ -x "$BUILD/guest/execveat-null-argv" ]; then
	d=$(mktemp -d /tmp/kbox-null-argv.XXXXXX) && chmod 777 "$d"
	(cd "$d" && setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$BUILD/guest/execveat-null-argv" "$d") >"$TMP/native.out" 2>&1
	expect_status 0 $? "natively (uid 65534) the same checks pass"
	rm -rf "$d"
fi
done_test
