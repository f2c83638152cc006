#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/shmap-dirty: every store to a MAP_SHARED mapping of a file
# reaches it, in the image and lx's tmpfs, through msyncs, pwrites into
# stored pages, truncation and regrowth, a forked writer and the final
# write-back at exit. kbox writes back only pages whose hash changed
# since they were last the file's (a msync of a 64 MiB mapping read all
# of it back from lx each time: ~100 ms, 3 natively); a page wrongly
# taken for unchanged would be lost.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" shmap-dirty /root
run_guest_test "-S" shmap-dirty /tmp
done_test
