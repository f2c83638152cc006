#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/fhandle: name_to_handle_at gives a handle with the mount id
# statx and mountinfo show, EOVERFLOW with the size it needs, and Linux's
# errors; open_by_handle_at opens the file for guest root and is EPERM for
# a user - in the image, lx's tmpfs and a bind. Both were EPERM (the
# filter refused them), and lx's tmpfs had no handles (EOPNOTSUPP).
# A handle of a host file outside a bind must not open through the bind
# (kbox decodes it with its own privilege): ESTALE.
. "$(dirname "$0")/lib/common.sh"
require
b=$TMP/b
mkdir -p "$b" && chmod 777 "$b"
for d in /var/tmp /tmp /mnt/b; do
	run_guest_test "-b $b:/mnt/b -S" fhandle check $d root
done
for d in /tmp /mnt/b; do
	run_guest_test "-b $b:/mnt/b --change-id 1000:1000 -R" fhandle check $d user
done
native_runner "$BUILD/guest/fhandle"
echo secret >"$nat/secret" && chmod 644 "$nat/secret"
mkdir "$nat/w" && chmod 777 "$nat/w"
"${as_user[@]}" "$fz" save "$nat/secret" "$nat/w/h" >"$TMP/save.out" 2>&1 &&
	cp "$nat/w/h" "$b/h" || fail "could not save a host handle: $(cat "$TMP/save.out")"
run_guest_test "-b $b:/mnt/b -S" fhandle open /mnt/b /mnt/b/h
done_test
