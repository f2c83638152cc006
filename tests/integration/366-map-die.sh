#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/map-die: stores through a MAP_SHARED mapping by a process
# that then dies (SIGKILL, exit, execve) without msync or munmap are the
# file's for every later reader, in the box and in the image after kbox
# exits (read with debugfs), as natively; with and without another
# process mapping the file meanwhile.
. "$(dirname "$0")/lib/common.sh"
require
require_cmd debugfs
run_guest_test "-S" map-die /root
for f in kill exit exec kill.held exit.held exec.held; do
	tag="<${f/./ } stored this>"
	img_cat "$GUEST_IMG" "/root/map-die.$f" >"$TMP/got"
	got=$(head -c ${#tag} "$TMP/got")
	if [ "$got" = "$tag" ] && [ "$(wc -c <"$TMP/got")" -eq 8192 ]; then
		pass "/root/map-die.$f in the image after kbox exited"
	else
		fail "/root/map-die.$f in the image: '$got' (want '$tag')"
	fi
done
run_guest_test "--change-id 1000:1000 -R" map-die /var/tmp
done_test
