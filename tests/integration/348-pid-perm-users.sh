#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Calls on another process whose permission Linux checks against the
# target's credentials, between guest users (tests/guest/pid-perm.c):
# prlimit64 (read and set) and get_robust_list on another user's process
# or zombie were allowed in kbox (the host sees one user), and so were
# sched_setaffinity and ioprio_set of a live one; the sched_* calls and
# setpriority were checked with kill()'s rule (real or effective uid
# against the target's real or saved one), which refused a caller whose
# euid is the target's euid and let one through whose real uid matches.
# lx, which holds the guest's credentials, now runs the kernel's own
# check (src/dispatch/pidperm.c). The expected table is Linux 6.18's
# answer in a user namespace with uids 0-65535 mapped (the same rules as
# 6.12's in kernel/sys.c, sched/syscalls.c, block/ioprio.c, ptrace.c).
. "$(dirname "$0")/lib/common.sh"
require
img_has "$IMG" /opt/kbox-tests/pid-perm || skip "no pid-perm in the image (make guest-tests rootfs)"
cat >"$TMP/want" <<'WANT'
u1000 root-l prlimit_get EPERM
u1000 root-l prlimit_set EPERM
u1000 root-l get_robust_list EPERM
u1000 root-l sched_setaffinity EPERM
u1000 root-l sched_setscheduler EPERM
u1000 root-l sched_setparam EPERM
u1000 root-l sched_setattr EPERM
u1000 root-l setpriority EPERM
u1000 root-l ioprio_set EPERM
u1000 root-z prlimit_get EPERM
u1000 root-z prlimit_set EPERM
u1000 root-z get_robust_list EPERM
u1000 root-z sched_setaffinity EPERM
u1000 root-z sched_setscheduler EPERM
u1000 root-z sched_setparam EPERM
u1000 root-z sched_setattr EPERM
u1000 root-z setpriority EPERM
u1000 root-z ioprio_set EPERM
u1000 mix-l prlimit_get EPERM
u1000 mix-l prlimit_set EPERM
u1000 mix-l get_robust_list EPERM
u1000 mix-l sched_setaffinity ok
u1000 mix-l sched_setscheduler ok
u1000 mix-l sched_setparam ok
u1000 mix-l sched_setattr ok
u1000 mix-l setpriority ok
u1000 mix-l ioprio_set EPERM
u1000 mix-z prlimit_get EPERM
u1000 mix-z prlimit_set EPERM
u1000 mix-z get_robust_list EPERM
u1000 mix-z sched_setaffinity ok
u1000 mix-z sched_setscheduler ok
u1000 mix-z sched_setparam ok
u1000 mix-z sched_setattr ok
u1000 mix-z setpriority ok
u1000 mix-z ioprio_set EPERM
u1000 u1000-l prlimit_get ok
u1000 u1000-l prlimit_set ok
u1000 u1000-l get_robust_list EPERM
u1000 u1000-l sched_setaffinity ok
u1000 u1000-l sched_setscheduler ok
u1000 u1000-l sched_setparam ok
u1000 u1000-l sched_setattr ok
u1000 u1000-l setpriority ok
u1000 u1000-l ioprio_set ok
u1000 u1000-z prlimit_get ok
u1000 u1000-z prlimit_set ok
u1000 u1000-z get_robust_list EPERM
u1000 u1000-z sched_setaffinity ok
u1000 u1000-z sched_setscheduler ok
u1000 u1000-z sched_setparam ok
u1000 u1000-z sched_setattr ok
u1000 u1000-z setpriority ok
u1000 u1000-z ioprio_set ok
e1000 root-l prlimit_get ok
e1000 root-l prlimit_set ok
e1000 root-l get_robust_list ok
e1000 root-l sched_setaffinity EPERM
e1000 root-l sched_setscheduler EPERM
e1000 root-l sched_setparam EPERM
e1000 root-l sched_setattr EPERM
e1000 root-l setpriority EPERM
e1000 root-l ioprio_set ok
e1000 root-z prlimit_get ok
e1000 root-z prlimit_set ok
e1000 root-z get_robust_list ok
e1000 root-z sched_setaffinity EPERM
e1000 root-z sched_setscheduler EPERM
e1000 root-z sched_setparam EPERM
e1000 root-z sched_setattr EPERM
e1000 root-z setpriority EPERM
e1000 root-z ioprio_set ok
done
WANT
# (u1000-l/-z get_robust_list: the target set its ids as root, so it is
# not dumpable; a zombie keeps that.)
kbo "$TMP/out" -S "$IMG" -- /opt/kbox-tests/pid-perm
expect_status 0 $? "pid-perm"
if diff "$TMP/want" "$TMP/out" >"$TMP/diff"; then
	pass "each call as Linux answers it"
else
	cat "$TMP/diff"
	fail "calls answered otherwise than on Linux (< Linux, > kbox)"
fi
done_test
