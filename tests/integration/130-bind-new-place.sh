#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A bind whose place the image lacks (-b $PWD:/work) is seen as a mount:
# listed by ls and /proc/mounts, entered by find, with the directories
# above it; the directories kbox made for it are gone from the image
# afterwards (also after a killed run, at the next run) and the parent's
# times are as before. It was reached by its text only.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
host=$TMP/host
mkdir "$host"
echo marker >"$host/marker"
img_has "$img" /kbox-new && fail "the image has /kbox-new already"
img_has "$img" /opt/kn && fail "the image has /opt/kn already"
mtime() { debugfs -R "stat $2" "$1" 2>/dev/null | sed -n 's/^ *mtime: \([^ ]*\).*/\1/p'; }
before=$(mtime "$img" /)
before_opt=$(mtime "$img" /opt)

kbo "$TMP/out" -S "$img" -b "$host:/kbox-new" -b "$host:/opt/kn/deep" -- /bin/sh -c '
	ls / | grep -x kbox-new && echo LISTED
	ls /opt/kn | grep -x deep && echo DEEP-LISTED
	grep -q " /kbox-new kbox-bind " /proc/mounts && echo MOUNTED
	find / -path /proc -prune -o -path /sys -prune -o -name marker -print | sort
	cd /opt/kn/deep && echo "cwd=$(/bin/pwd)"
	echo via-bind >/kbox-new/written
	rmdir /kbox-new; echo "rmdir=$?"'
st=$?
sed 's/^/    | /' "$TMP/out"
expect_status 0 "$st" "guest ran"
expect_grep '^LISTED' "$TMP/out" "ls / lists the bind"
expect_grep '^DEEP-LISTED' "$TMP/out" "the directories above a deeper bind exist"
expect_grep '^MOUNTED' "$TMP/out" "/proc/mounts lists it"
expect_grep '^/kbox-new/marker$' "$TMP/out" "find / enters it"
expect_grep '^/opt/kn/deep/marker$' "$TMP/out" "find / enters the deeper one"
expect_grep '^cwd=/opt/kn/deep$' "$TMP/out" "getcwd inside"
expect_grep '^rmdir=1' "$TMP/out" "the mount point cannot be removed"
check "writes went to the host" grep -qx via-bind "$host/written"
check "no /kbox-new left in the image" sh -c "! debugfs -R 'ls /' '$img' 2>/dev/null | grep -qw kbox-new"
check "no /opt/kn left in the image" sh -c "! debugfs -R 'ls /opt' '$img' 2>/dev/null | grep -qw kn"
check "/ has its mtime back" test "$before" = "$(mtime "$img" /)"
check "/opt has its mtime back" test "$before_opt" = "$(mtime "$img" /opt)"
check "the image is clean" sh -c "e2fsck -fn '$img' >/dev/null 2>&1"

# A directory the guest filled beside the deeper bind stays, with its file.
kbo "$TMP/out2" -S "$img" -b "$host:/opt/kn/deep" -- /bin/sh -c 'echo mine >/opt/kn/other'
expect_status 0 $? "guest wrote beside the bind"
check "/opt/kn stays with the guest's file" sh -c "debugfs -R 'cat /opt/kn/other' '$img' 2>/dev/null | grep -qx mine"
check "deep is gone" sh -c "! debugfs -R 'ls /opt/kn' '$img' 2>/dev/null | grep -qw deep"

# A killed run leaves /kbox-new; the next run with the bind takes it away.
timeout -s KILL 3 "$KBOX" -S "$img" -b "$host:/kbox-new" -- /bin/sh -c "sync; sleep 30" >/dev/null 2>&1 </dev/null
check "a killed run left the mount point" img_has "$img" /kbox-new
kbo "$TMP/out3" -S "$img" -b "$host:/kbox-new" -- /bin/true
expect_status 0 $? "next run"
check "and the next run removed it" sh -c "! debugfs -R 'ls /' '$img' 2>/dev/null | grep -qw kbox-new"

# A bind over the place of an earlier one: what was made beneath is gone.
mkdir "$TMP/over"
kbo "$TMP/out5" -S "$img" -b "$host:/mnt/kn-sub" -b "$TMP/over:/mnt" -- /bin/true
expect_status 0 $? "a bind over another's place"
check "its made directory is gone" sh -c "! debugfs -R 'ls /mnt' '$img' 2>/dev/null | grep -qw kn-sub"

# Read-only: nothing is made; the bind is still reached by its path.
kbo "$TMP/out4" -S "$img" -m ro -b "$host:/kbox-ro" -- /bin/sh -c 'cat /kbox-ro/marker'
expect_status 0 $? "read-only run"
expect_grep '^marker$' "$TMP/out4" "read-only: the bind is reached by its path"
check "read-only: nothing made" sh -c "! debugfs -R 'ls /' '$img' 2>/dev/null | grep -qw kbox-ro"
done_test
