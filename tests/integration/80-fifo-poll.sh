#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/fifo-poll: poll/select/epoll on FIFOs opened O_RDWR (a
# mirror that also polls writable) and write ends (a pollable, writable
# placeholder: epoll gave EPERM), on ext4 and tmpfs; and the shell idiom
# `exec 3<>fifo; read -t 1 <&3`, which waited for ever.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" fifo-poll /root
run_guest_test "-S" fifo-poll /tmp
img=$(own_img)
kbo "$TMP/rt.out" -S "$img" -- /bin/bash -c '
	mkfifo /tmp/ff && exec 3<>/tmp/ff || exit 1
	read -t 1 x <&3; echo "empty rc=$?"
	echo hi >&3; read -t 1 x <&3; echo "$x rc=$?"'
expect_status 0 $? "bash read -t on an O_RDWR FIFO returns"
expect_grep '^empty rc=142$' "$TMP/rt.out" "an empty FIFO times out (142)"
expect_grep '^hi rc=0$' "$TMP/rt.out" "a line written to it is read"
done_test
