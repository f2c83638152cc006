#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# exec of a set-user-ID / set-group-ID program changes the guest's ids as
# Linux does (tests/guest/setid-exec prints them): the host runs every
# program from a memfd and never changed them, so `su`/`sudo`/`passwd`
# could not work for a guest user. Not on a nosuid mount (/tmp), not for
# scripts, not after a failed exec (E2BIG); glibc's unsecure environment
# (LD_PRELOAD, ...) is dropped, as the host's AT_SECURE cannot say so.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
T=/opt/kbox-tests/setid-exec
kbo "$TMP/setup.out" -S "$img" -- /bin/sh -c "
	D=/opt/sx; mkdir -p \$D
	cp $T \$D/suid && chown 0:0 \$D/suid && chmod 4755 \$D/suid
	cp $T \$D/sgid && chown 0:50 \$D/sgid && chmod 2755 \$D/sgid
	cp $T \$D/to1000 && chown 1000:1000 \$D/to1000 && chmod 4755 \$D/to1000
	cp \$D/to1000 /tmp/to1000 && chown 1000:1000 /tmp/to1000 && chmod 4755 /tmp/to1000
	printf '#!/bin/sh\nexec $T ids\n' >\$D/script && chmod 4755 \$D/script
	echo root-as-1000: \$(\$D/to1000 ids)
	echo nosuid-tmp: \$(/tmp/to1000 ids)"
expect_status 0 $? "set-ID programs made as root"
expect_grep '^root-as-1000: uid 0 1000 1000 ' "$TMP/setup.out" "root runs a set-user-ID 1000 program: euid 1000"
expect_grep '^nosuid-tmp: uid 0 0 0 ' "$TMP/setup.out" "not on a nosuid mount (/tmp)"

kbo "$TMP/user.out" --change-id 1000:1000 -R "$img" -- /bin/sh -c '
	D=/opt/sx
	echo plain: $($D/to1000 ids)
	echo suid: $($D/suid ids)
	echo sgid: $($D/sgid ids)
	echo script: $($D/script)
	echo preload: $(/opt/kbox-tests/setid-exec run $D/suid)
	echo plainrun: $(/opt/kbox-tests/setid-exec run /opt/kbox-tests/setid-exec)
	$D/suid e2big $D/suid | tail -1 | sed "s/^/e2big: /"
	echo after: $(id -u) $(id -g)'
expect_status 0 $? "the set-ID programs as uid 1000"
expect_grep '^plain: uid 1000 1000 1000 gid 1000 1000 1000' "$TMP/user.out" "its own set-user-ID program changes nothing"
expect_grep '^suid: uid 1000 0 0 gid 1000 1000 1000' "$TMP/user.out" "set-user-ID root: euid and saved uid 0"
expect_grep '^sgid: uid 1000 1000 1000 gid 1000 50 50' "$TMP/user.out" "set-group-ID: egid and saved gid 50"
expect_grep '^script: uid 1000 1000 1000 ' "$TMP/user.out" "a set-user-ID script runs with the caller's ids"
expect_grep '^preload: uid 1000 0 0 gid 1000 1000 1000 preload \(unset\) libpath \(unset\)$' "$TMP/user.out" "LD_PRELOAD and a long LD_LIBRARY_PATH are dropped for it"
expect_grep '^plainrun: .* preload /nonexistent.so libpath \(set\)$' "$TMP/user.out" "and kept for a plain program"
expect_grep '^e2big: uid 1000 0 0 ' "$TMP/user.out" "a failed exec keeps the ids it had"
expect_grep '^after: 1000 1000$' "$TMP/user.out" "the shell keeps its own ids"
done_test
