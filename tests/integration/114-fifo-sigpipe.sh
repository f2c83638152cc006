#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A write to a FIFO in the image or in /tmp whose reader has gone gets
# SIGPIPE with its EPIPE, as on Linux (lx sent the signal to its own
# task: `yes > fifo` reported "Broken pipe" and exited 1, diffutils'
# colors test failed); a handler runs once. `yes` redirects in a subshell:
# the shell's own save and restore of its stdout around it put a dup2 in
# the EINTR window (the reader's SIGCHLD; docs/supervisor-status.md), and
# the shell's next echo then went to the FIFO.
. "$(dirname "$0")/lib/common.sh"
require
require_cmd python3
img=$(own_img)
kbo "$TMP/sp.out" -S "$img" -- /bin/sh -c '
	for d in /tmp /root; do
		mkfifo $d/f; head -c1 <$d/f >/dev/null & (yes >$d/f); echo "$d rc=$?"
		wait
	done
	mkfifo /tmp/g
	python3 -c "if 1:
	import os, signal
	got = []
	signal.signal(signal.SIGPIPE, lambda *a: got.append(1))
	r = os.open(\"/tmp/g\", os.O_RDONLY | os.O_NONBLOCK)
	w = os.open(\"/tmp/g\", os.O_WRONLY)
	os.close(r)
	try:
	    os.write(w, b\"x\")
	except BrokenPipeError:
	    print(\"EPIPE\")
	print(\"handler ran\", len(got))"'
expect_status 0 $? "writers to FIFOs without readers"
expect_grep '^/tmp rc=141$' "$TMP/sp.out" "yes into a FIFO in /tmp dies of SIGPIPE"
expect_grep '^/root rc=141$' "$TMP/sp.out" "yes into a FIFO in the image dies of SIGPIPE"
expect_grep '^EPIPE$' "$TMP/sp.out" "write without a reader is EPIPE"
expect_grep '^handler ran 1$' "$TMP/sp.out" "a SIGPIPE handler runs once"
done_test
