#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lx's RAM is not copied into the process kbox forks to start the guest
# (VmFlags "dc", MADV_DONTFORK): that child only execs, and with the RAM
# in it the fork copied its page tables and made every page of it
# copy-on-write, so each later kernel write to one faulted (~0.6 ms of a
# /bin/true run). Checked on a running kbox's smaps (the RAM is the one
# mapping of -k mem's size); then what the guest wrote is in the image,
# which e2fsck finds clean, after kbox's halt (which leaves lx's threads
# for the exit to end).
. "$(dirname "$0")/lib/common.sh"
require
require_cmd e2fsck debugfs

fifo=$TMP/in
mkfifo "$fifo"
# the guest writes a file, then waits for a line on its stdin
timeout -k 5 "$KB_TIMEOUT" "$KBOX" -k mem=72M -r "$IMG" -- /bin/sh -c \
	'echo kept >/dontfork-mark && read x' <"$fifo" >"$TMP/out" 2>&1 &
runner=$!
exec 3>"$fifo"
kpid=
flags=
for _ in $(seq 200); do
	kpid=$(kbox_pid_of "$runner")
	if [ -n "$kpid" ] && [ -r "/proc/$kpid/smaps" ]; then
		# the VmFlags line of lx's RAM: 72 MiB and its page array
		flags=$(awk '/^[0-9a-f]+-[0-9a-f]+ / { anon = ($2 == "rw-p" && NF == 5) }
			/^Size:/ { ram = anon && $2 >= 73728 && $2 <= 73728 + 16384 }
			/^VmFlags:/ && ram { print; exit }' "/proc/$kpid/smaps" 2>/dev/null)
		[ -n "$flags" ] && break
	fi
	sleep 0.05
done
if [ -z "$flags" ]; then
	fail "no 72 MiB mapping (lx's RAM) found in kbox's smaps"
else
	case " ${flags#VmFlags:} " in
	*" dc "*) pass "lx's RAM is not copied by fork ($flags)" ;;
	*) fail "lx's RAM would be copied into the guest's fork: $flags" ;;
	esac
fi
echo go >&3
exec 3>&-
wait "$runner"
expect_status 0 $? "the guest ended"
check "what the guest wrote is in the image" \
	test "$(img_cat "$IMG" /dontfork-mark)" = kept
e2fsck -fn "$IMG" >"$TMP/fsck" 2>&1
expect_status 0 $? "the image is clean after the halt"
done_test
