#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --change-id takes the user from the /etc/passwd the guest sees: with a
# host file bound over it (-b F:/etc/passwd) that is the bound file.
# kbox read the image's own file beneath the bind ("no user 'zed' in
# the image's /etc/passwd"); now lx's walk meets the file bind's trap
# and kbox reads the host file the bind names.
# shellcheck disable=SC2016 # expanded by the guest shell
. "$(dirname "$0")/lib/common.sh"
require
h=$TMP/host
mkdir -p "$h"
kbo "$h/passwd" -r "$IMG" -m ro -- /bin/cat /etc/passwd
echo "zed:x:1234:1234:Zed:/home/zed:/bin/sh" >>"$h/passwd"
kbo "$TMP/out" -R "$IMG" -m ro -b "$h/passwd:/etc/passwd" --change-id zed -- \
	/bin/sh -c 'echo ids: $(id -u) $(id -g) $HOME'
expect_status 0 $? "--change-id with a bound passwd"
expect_grep '^ids: 1234 1234 /home/zed$' "$TMP/out" "the bound file's user"
done_test
