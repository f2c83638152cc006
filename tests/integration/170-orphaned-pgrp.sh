#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A process group left orphaned with a stopped member gets SIGHUP and
# SIGCONT, as Linux sends them (kill_orphaned_pgrp). kbox, the parent of
# the command and of every orphan, sits in the guest's session in another
# group, so the host never saw such a group orphaned: the stopped job
# stayed stopped and kbox, serving until the last guest process is gone,
# waited for it for ever. A group a live parent still holds stays stopped
# (tests/guest/orphaned-pgrp). Short timeouts: a hang is a failure.
. "$(dirname "$0")/lib/common.sh"
require
KB_TIMEOUT=20 run_guest_test "-S" orphaned-pgrp
# The shell's stopped job (its own group under a terminal, the shell's
# without one) ends when the shell exits, and so does kbox.
KB_TIMEOUT=20 kbo "$TMP/sh.out" -S "$IMG" -- /bin/sh -c \
	'set -m 2>/dev/null; sleep 100 & kill -STOP $!; echo left; exit 0'
expect_status 0 $? "kbox ended after the shell left a stopped job"
expect_grep '^left$' "$TMP/sh.out" "the shell ran"
# The same job, continued and ignoring SIGHUP, is served on until it ends.
KB_TIMEOUT=20 kbo "$TMP/nohup.out" -S "$IMG" -- /bin/sh -c \
	'sh -c "trap \"\" HUP; kill -STOP \$\$; sleep 0.3; echo ran-on" & sleep 0.2'
expect_status 0 $? "kbox served a continued job that ignores SIGHUP"
expect_grep '^ran-on$' "$TMP/nohup.out" "it ran on after SIGCONT"
# Only stopped processes left, in groups that are not orphaned: nothing
# in the guest can continue them, and kbox waited for them for ever. After
# a second or two they get SIGHUP and SIGCONT, and kbox ends.
KB_TIMEOUT=20 kbo "$TMP/left.out" -S "$IMG" -- /opt/kbox-tests/orphaned-pgrp left
expect_status 0 $? "kbox ended after only stopped processes were left"
expect_grep '^left stopped$' "$TMP/left.out" "they were stopped"
done_test
