#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The mount profile's fresh /run has /run/lock, mode 1777, as a Debian
# boot makes it (systemd-tmpfiles, initscripts): /var/lock is a link to
# it in Debian and Alpine images, and under -S or -R it dangled (the
# image's /run/lock is covered by the tmpfs): lockfile-progs, minicom
# and flock(1) on /var/lock/NAME failed with ENOENT.
. "$(dirname "$0")/lib/common.sh"
require
kbo "$TMP/out" -S "$IMG" -- /bin/sh -c 'stat -c "%a %U:%G" /run/lock; touch /var/lock/root-lock && echo root-ok'
expect_status 0 $? "-S"
expect_grep '^1777 root:root$' "$TMP/out" "/run/lock is 1777 root:root"
expect_grep '^root-ok$' "$TMP/out" "root makes a lock in /var/lock"
kbo "$TMP/out" -R "$IMG" --change-id 1000:1000 -- /bin/sh -c \
	'id -u; touch /run/lock/user-lock && echo user-ok; stat -c %U /run/lock/user-lock'
expect_status 0 $? "-R as user"
expect_grep '^1000$' "$TMP/out" "runs as 1000"
expect_grep '^user-ok$' "$TMP/out" "a user makes a lock in /run/lock"
expect_grep '^user$' "$TMP/out" "the user owns it"
# minimal profile: /run is the image's, nothing is made in it
kbo "$TMP/out" -r "$IMG" --mount-profile minimal -0 -- /bin/sh -c 'grep -c " /run " /proc/mounts'
expect_grep '^0$' "$TMP/out" "no /run mount with the minimal profile"
done_test
