#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/fifo-hup: a FIFO's read end polls POLLHUP once its writers
# are gone (POLLIN only while data remains), and not after a writer came
# back; a full FIFO's write end (and O_RDWR open) is not writable until a
# reader made room, and its write end polls POLLERR without readers - by
# poll, select and epoll, level and edge-triggered, on ext4 and tmpfs.
# kbox said POLLIN for a hang-up and always POLLOUT. And the shell idiom:
# a reader loop ends when the writer closes.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" fifo-hup /root
run_guest_test "-S" fifo-hup /tmp
img=$(own_img)
kbo "$TMP/py.out" -S "$img" -- /bin/sh -c '
	command -v python3 >/dev/null || { echo "hup=skip"; exit 0; }
	mkfifo /tmp/f && python3 -c "
import os, select
r = os.open(\"/tmp/f\", os.O_RDONLY | os.O_NONBLOCK)
w = os.open(\"/tmp/f\", os.O_WRONLY)
os.close(w)
p = select.poll(); p.register(r, select.POLLIN)
print(\"hup=%d\" % (p.poll(1000)[0][1] == select.POLLHUP))
"'
expect_status 0 $? "python3 polls a FIFO whose writer closed"
expect_grep '^hup=(1|skip)$' "$TMP/py.out" "python3 sees POLLHUP alone"
done_test
