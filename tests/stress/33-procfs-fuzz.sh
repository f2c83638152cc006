#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/procfs-fuzz, a differential fuzzer for what ps, top, htop,
# pgrep, lsof, free and container tools read from /proc: threads and
# children (sleeping, stopped, running, zombie), comm and argv rewrites,
# signal masks and dispositions, umask, rlimits, oom_score_adj,
# timerslack_ns, coredump_filter, open files and mappings in the place
# under test, each followed by a look at stat, statm, status, cmdline,
# environ, comm, maps, smaps, limits, io, fdinfo, fd/, task/, children,
# the exe/cwd/root/thread-self links, entry modes and owners, and the
# machine's files and sysctls; facts are checked against the calls that
# tell the same (no pids, fds or inodes in the trace). For fixed seeds it
# runs natively (as nobody when run as root), then in the box in the image
# (/var/tmp), lx's tmpfs (/tmp) and a bind, as that user (--change-id) and
# as guest root; every trace must equal the native one. -k masks the known
# gaps (docs/supervisor-status.md): entries lx lacks (loginuid, uid_map,
# pagemap, ...), namespaces other than mnt (undumpable children are no
# longer masked: 295; unreaped zombies are in /proc since 901). It found (284-292): the reader's own
# status said S, thread-self in a thread named lx's task, /proc/<tid> and
# task/<tid>/children were ENOENT, a user read /proc/self/stack, a child
# whose calls were all the host's had no /proc/<pid> directory, lstat of
# a bind file's fd link had no mode bits, maps showed kbox's copies'
# device and inode and a bind file's host path, and another process's
# cwd in a bind read "/". PROCFS_FUZZ_SEEDS, PROCFS_FUZZ_NOPS.
. "$(dirname "$0")/../integration/lib/common.sh"
require
fz=$BUILD/guest/procfs-fuzz
[ -x "$fz" ] || skip "no $fz (make guest-tests)"
SEEDS=${PROCFS_FUZZ_SEEDS:-1 2 3 4 5 6}
NOPS=${PROCFS_FUZZ_NOPS:-200}
SEEDS=$(echo $SEEDS) # one line for the guest script
native_runner "$fz"
b=$TMP/bind
mkdir -p "$b" && chmod 777 "$b"
for s in $SEEDS; do
	native_trace "$TMP/n-$s" "$s" "$fz" "$nat/$s" "$s" "$NOPS" -k
done
script='run() { rm -rf "$1"; mkdir -p "$1" && cd "$1" && /opt/kbox-tests/procfs-fuzz "$1" "$2" '"$NOPS"' -k; cd /; rm -rf "$1"; }
for s in '"$SEEDS"'; do
	for w in /var/tmp /tmp /mnt/b; do echo "==== $s $w"; run $w/pf-$s $s; done
done'
KB_TIMEOUT=150 kbo "$TMP/u.all" -b "$b:/mnt/b" --change-id $uid:$gid -R "$IMG" -- /bin/sh -c "$script"
expect_status 0 $? "procfs-fuzz under kbox as $uid"
KB_TIMEOUT=150 kbo "$TMP/r.all" -b "$b:/mnt/b" -S "$IMG" -- /bin/sh -c "$script"
expect_status 0 $? "procfs-fuzz under kbox as guest root"
split_traces u r
for s in $SEEDS; do
	grep -q '^procfs-fuzz: done$' "$TMP/n-$s" || fail "seed $s: no native trace"
	for w in v t b; do
		for who in u r; do
			same_trace "$TMP/n-$s" "$TMP/$who-$s-$w" "seed $s: $who $w as native"
		done
	done
done
[ "$FAILS" -eq 0 ] && echo PASS || echo FAIL
done_test
