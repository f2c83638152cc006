#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The signal state kbox is started with is the guest's, as exec keeps it
# for a program chroot runs: a blocked mask (a parent that blocks SIGTERM
# or SIGCHLD before its exec), a signal pending under it, and an ignored
# SIGCHLD (a parent that sets SIG_IGN and does not wait). Before: the
# guest started with an empty mask and nothing pending, and with SIGCHLD
# ignored the host reaped the guest's main process itself, so kbox spun
# at full CPU for ever after the guest's exit and SIGTERM did not end it.
. "$(dirname "$0")/lib/common.sh"
require
require_cmd perl
img=$(own_img)
KB_TIMEOUT=20

# SIGCHLD ignored: kbox ends with the guest, whose children still run.
KB_WRAP="perl -e \$SIG{CHLD}=q(IGNORE);exec(@ARGV)or(die)" \
	kbo "$TMP/ign" -S "$img" -- /bin/grep ^SigIgn: /proc/self/status
expect_status 0 $? "SIGCHLD ignored: kbox ends with the guest"
# natively, started the same way (whatever else the test's parents ignore)
want=$(perl -e '$SIG{CHLD}=q(IGNORE);exec(@ARGV)or(die)' /bin/grep ^SigIgn: /proc/self/status)
check "natively SIGCHLD is ignored ($want)" test "$((0x${want##*[[:space:]]} & 0x10000))" -ne 0
expect_grep "^${want}\$" "$TMP/ign" "the guest has SIGCHLD ignored, as natively"
KB_WRAP="perl -e \$SIG{CHLD}=q(IGNORE);exec(@ARGV)or(die)" \
	kbo "$TMP/chld" -S "$img" -- /bin/sh -c \
	'sleep 0.1 & wait; /bin/false || echo ran; exit 3'
expect_status 3 $? "SIGCHLD ignored: kbox ends with the guest's status"
expect_grep '^ran$' "$TMP/chld" "the guest's children run"

# ... and timeout's SIGTERM still ends kbox with a guest that runs on
# (124: it ended then; 137 would be the SIGKILL 5 s later).
KB_TIMEOUT=3 KB_WRAP="perl -e \$SIG{CHLD}=q(IGNORE);exec(@ARGV)or(die)" \
	kbo "$TMP/term" -S "$img" -- /bin/sleep 30
expect_status 124 $? "SIGCHLD ignored: SIGTERM ends kbox and the guest"

# Signals kbox sets handlers of its own for, glibc's 32 and 33 too (a
# setxid in kbox made 33 glibc's handler, which the guest's exec reset
# to the default, where CI's parents ignore it): still ignored.
ie=$BUILD/guest/ignore-exec
if [ -x "$ie" ]; then
	want=$("$ie" 14,32,33 /bin/grep ^SigIgn: /proc/self/status)
	check "natively 14, 32 and 33 are ignored ($want)" test "$((0x${want##*[[:space:]]} & 0x180002000))" -eq $((0x180002000))
	KB_WRAP="$ie 14,32,33" kbo "$TMP/ign3" -S "$img" -- /bin/grep ^SigIgn: /proc/self/status
	expect_grep "^${want}\$" "$TMP/ign3" "the guest has 14, 32 and 33 ignored, as natively"
else
	fail "$ie missing (make guest-tests)"
fi

img=$(own_img) # the one above may still be held if kbox hung
# A blocked mask: the guest's, as natively (SIGINT, SIGALRM, SIGTERM,
# SIGCHLD: 0x16002).
KB_WRAP="perl -MPOSIX -e sigprocmask(SIG_BLOCK,POSIX::SigSet->new(2,14,15,17));exec(@ARGV)or(die)" \
	kbo "$TMP/mask" -S "$img" -- /bin/grep -E '^(SigBlk|SigPnd|ShdPnd):' /proc/self/status
expect_status 0 $? "started with a blocked mask"
want=$(perl -MPOSIX -e 'sigprocmask(SIG_BLOCK,POSIX::SigSet->new(2,14,15,17));exec(@ARGV)or(die)' /bin/grep ^SigBlk: /proc/self/status)
check "natively that mask is blocked ($want)" test "$((0x${want##*[[:space:]]} & 0x16002))" -eq $((0x16002))
expect_grep "^${want}\$" "$TMP/mask" "the guest has that mask, as natively"

# A signal pending under the mask stays pending for the guest.
KB_WRAP="perl -MPOSIX -e sigprocmask(SIG_BLOCK,POSIX::SigSet->new(10));kill(10,\$\$);exec(@ARGV)or(die)" \
	kbo "$TMP/pend" -S "$img" -- /bin/grep -E '^(SigBlk|SigPnd|ShdPnd):' /proc/self/status
expect_status 0 $? "started with SIGUSR1 pending"
want=$(perl -MPOSIX -e 'sigprocmask(SIG_BLOCK,POSIX::SigSet->new(10));exec(@ARGV)or(die)' /bin/grep ^SigBlk: /proc/self/status)
expect_grep "^${want}\$" "$TMP/pend" "the guest blocks SIGUSR1, as natively"
expect_grep 'Pnd:[[:space:]]*0000000000000200$' "$TMP/pend" "SIGUSR1 is pending in the guest"
e2fsck -fn "$img" >/dev/null 2>&1
check "image clean (e2fsck -fn)" test $? -eq 0
done_test
