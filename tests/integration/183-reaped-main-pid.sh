#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Once the guest's main process has exited and been reaped, kbox serves
# its background jobs on; the main process's pid is then free for any
# host process. SIGTERM to kbox (the documented way to end those jobs)
# and a guest's kill(-1) still signalled that pid: a root kbox killed an
# unrelated host process that had been given it. Run in a pid namespace
# of its own, where ns_last_pid makes the reuse certain and nothing
# outside is touched (needs root).
. "$(dirname "$0")/lib/common.sh"
require
[ "$(id -u)" = 0 ] || skip "needs root (a pid namespace and ns_last_pid)"
unshare -pf --mount-proc true 2>/dev/null || skip "cannot make a pid namespace"
mkdir -p "$TMP/b" && chmod 777 "$TMP/b"
# reuse MODE: the main process prints its pid and exits, leaving a job;
# a host process ("victim") takes that pid; then MODE term (SIGTERM to
# kbox) or kill1 (the job runs kill -TERM -1). Prints the victim's fate.
reuse() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	timeout 40 unshare -pf --mount-proc bash -c '
	K=$1 img=$2 b=$3 mode=$4
	"$K" -S "$img" -b "$b:/mnt" -- /bin/sh -c "echo \$\$ >/mnt/main
		(while [ ! -e /mnt/go ]; do sleep 0.05; done
		 [ $mode = kill1 ] && kill -TERM -1; sleep 5) & exit 0" \
		>/dev/null 2>&1 &
	kp=$!
	for _ in $(seq 100); do
		m=$(cat "$b/main" 2>/dev/null)
		[ -n "$m" ] && ! kill -0 "$m" 2>/dev/null && break
		sleep 0.05
	done
	echo $((m - 1)) >/proc/sys/kernel/ns_last_pid
	sleep 30 &
	v=$!
	[ "$v" = "$m" ] || { echo "no-reuse $v $m"; kill -9 $v $kp; exit; }
	touch "$b/go"
	[ $mode = term ] && { sleep 0.2; kill -TERM $kp; }
	sleep 0.5
	kill -0 $v 2>/dev/null && echo victim-alive || echo victim-killed
	kill -9 $v 2>/dev/null; kill -TERM $kp 2>/dev/null; wait $kp 2>/dev/null
	' _ "$KBOX" "$IMG" "$TMP/b" "$1"
	rm -f "$TMP/b/main" "$TMP/b/go"
}
for mode in term kill1; do
	r=$(reuse $mode)
	case $r in
	victim-alive) pass "$mode: the process that reused the main pid was not signalled" ;;
	no-reuse*) skip "the pid was not reused ($r)" ;;
	*) fail "$mode: kbox signalled the process that reused the main pid ($r)" ;;
	esac
done
done_test
