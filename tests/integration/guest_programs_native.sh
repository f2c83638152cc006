#!/bin/bash
# The reference guest programs pass natively on the host, so a failure
# inside kbox is kbox's, not the test's.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
g=$KBOX_ROOT/build/guest
[ -x "$g/fsops" ] || skip "guest programs not built (make guest-tests)"
expect_eq hello "$("$g/hello" a b)" "hello from kbox guest a b"
TMPDIR=$TEST_TMP "$g/fsops" >"$TEST_TMP/out" || { cat "$TEST_TMP/out"; fail "fsops failed natively"; }
tail -n1 "$TEST_TMP/out" | grep -q '^[1-9][0-9]* passed, 0 failed$' || fail "fsops summary"
"$g/sysv-ipc" >"$TEST_TMP/ipc.out" || { cat "$TEST_TMP/ipc.out"; fail "sysv-ipc failed natively"; }
tail -n1 "$TEST_TMP/ipc.out" | grep -q '^[1-9][0-9]* passed, 0 failed$' || fail "sysv-ipc summary"
TMPDIR=$TEST_TMP "$g/mmap-fresh" >"$TEST_TMP/mm.out" || { cat "$TEST_TMP/mm.out"; fail "mmap-fresh failed natively"; }
TMPDIR=$TEST_TMP "$g/mmap-coherent" >"$TEST_TMP/mc.out" || { cat "$TEST_TMP/mc.out"; fail "mmap-coherent failed natively"; }
TMPDIR=$TEST_TMP "$g/fifo-poll" >"$TEST_TMP/fp.out" || { cat "$TEST_TMP/fp.out"; fail "fifo-poll failed natively"; }
TMPDIR=$TEST_TMP "$g/mmap-big" >"$TEST_TMP/mb.out" || { cat "$TEST_TMP/mb.out"; fail "mmap-big failed natively"; }
TMPDIR=$TEST_TMP "$g/kill-release" >"$TEST_TMP/kr.out" || { cat "$TEST_TMP/kr.out"; fail "kill-release failed natively"; }
"$g/wait-released" "$TEST_TMP" 30 >"$TEST_TMP/wr.out" || { cat "$TEST_TMP/wr.out"; fail "wait-released failed natively"; }
"$g/ipc-holders" >"$TEST_TMP/ih.out" || { cat "$TEST_TMP/ih.out"; fail "ipc-holders failed natively"; }
TMPDIR=$TEST_TMP "$g/thread-sockets" >"$TEST_TMP/ts.out" || { cat "$TEST_TMP/ts.out"; fail "thread-sockets failed natively"; }
"$g/stillborn-child" "$TEST_TMP/lockfile" >"$TEST_TMP/sc.out" || { cat "$TEST_TMP/sc.out"; fail "stillborn-child failed natively"; }
"$g/personality" >"$TEST_TMP/pe.out" || { cat "$TEST_TMP/pe.out"; fail "personality failed natively"; }
"$g/readonly-result" >"$TEST_TMP/ro.out" || { cat "$TEST_TMP/ro.out"; fail "readonly-result failed natively"; }
"$g/exec-rewritten" "$TEST_TMP" 2 >"$TEST_TMP/er.out" || { cat "$TEST_TMP/er.out"; fail "exec-rewritten failed natively"; }
"$g/dirfd-two-paths" "$TEST_TMP" >"$TEST_TMP/dt.out" || { cat "$TEST_TMP/dt.out"; fail "dirfd-two-paths failed natively"; }
TMPDIR=$TEST_TMP "$g/fsize-limit" "$TEST_TMP" >"$TEST_TMP/fl.out" || { cat "$TEST_TMP/fl.out"; fail "fsize-limit failed natively"; }
"$g/zombie-child" >"$TEST_TMP/zc.out" || { cat "$TEST_TMP/zc.out"; fail "zombie-child failed natively"; }
"$g/exited-child-prep" "$TEST_TMP/one" "$TEST_TMP/two" >"$TEST_TMP/ec.out" || { cat "$TEST_TMP/ec.out"; fail "exited-child-prep failed natively"; }
"$g/fchmodat2" "$TEST_TMP" >"$TEST_TMP/f2.out" || { cat "$TEST_TMP/f2.out"; fail "fchmodat2 failed natively"; }
for m in order poll truncate mmap; do
	"$g/inotify-edges" $m "$TEST_TMP" >"$TEST_TMP/ie.out" || { cat "$TEST_TMP/ie.out"; fail "inotify-edges $m failed natively"; }
done
"$g/partial-copy" "$TEST_TMP" >"$TEST_TMP/pc.out" || { cat "$TEST_TMP/pc.out"; fail "partial-copy failed natively"; }
"$g/memlock-limit" >"$TEST_TMP/ml.out" || { cat "$TEST_TMP/ml.out"; fail "memlock-limit failed natively"; }
mkdir -p "$TEST_TMP/bd" && "$g/bind-dots" "$TEST_TMP/bd" >"$TEST_TMP/bdo.out" || { cat "$TEST_TMP/bdo.out"; fail "bind-dots failed natively"; }
if [ "$(id -u)" = 0 ]; then "$g/keepcaps" >"$TEST_TMP/kc.out" || { cat "$TEST_TMP/kc.out"; fail "keepcaps failed natively"; }; fi
if [ "$(id -u)" = 0 ]; then
	# uid 1000 reaches its socket: not under TEST_TMP (0700 parents)
	scm=$(mktemp -d /tmp/kbox-scm.XXXXXX) && chmod 777 "$scm"
	"$g/scm-creds" "$scm" >"$TEST_TMP/scm.out" || { rm -rf "$scm"; cat "$TEST_TMP/scm.out"; fail "scm-creds failed natively"; }
	rm -rf "$scm"
fi
# own-seccomp expects no filter at its start: not under an outer one
if grep -q '^Seccomp:[[:space:]]*0$' /proc/self/status; then
	"$g/own-seccomp" >"$TEST_TMP/os.out" || { cat "$TEST_TMP/os.out"; fail "own-seccomp failed natively"; }
	if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then setpriv --reuid=1000 --regid=1000 --clear-groups "$g/own-seccomp" >"$TEST_TMP/os1.out" || { cat "$TEST_TMP/os1.out"; fail "own-seccomp as a user failed natively"; }; fi
fi
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then setpriv --reuid=1000 --regid=1000 --clear-groups "$g/sched-rights" >"$TEST_TMP/sr.out" || { cat "$TEST_TMP/sr.out"; fail "sched-rights failed natively"; }; fi
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then setpriv --reuid=1000 --regid=1000 --clear-groups "$g/alarm-rights" >"$TEST_TMP/ar.out" || { cat "$TEST_TMP/ar.out"; fail "alarm-rights failed natively"; }; "$g/alarm-rights" root >"$TEST_TMP/ar0.out" || { cat "$TEST_TMP/ar0.out"; fail "alarm-rights root failed natively"; }; fi
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	bfr=$(mktemp -d /tmp/kbox-bfr.XXXXXX) && chmod 1777 "$bfr" && echo data >"$bfr/rootfile" && chmod 644 "$bfr/rootfile"
	setpriv --reuid=1000 --regid=1000 --clear-groups "$g/bind-fd-rights" "$bfr" "$bfr/rootfile" >"$TEST_TMP/bfr.out" || { rm -rf "$bfr"; cat "$TEST_TMP/bfr.out"; fail "bind-fd-rights failed natively"; }
	rm -rf "$bfr"
fi
"$g/blocked-many" "$TEST_TMP" 150 60 >"$TEST_TMP/bm.out" || { cat "$TEST_TMP/bm.out"; fail "blocked-many failed natively"; }
printf '#!/bin/sh\nexit 0\n' >"$TEST_TMP/ok.sh" && chmod 755 "$TEST_TMP/ok.sh"
"$g/spawn-path" "$TEST_TMP/ok.sh" >"$TEST_TMP/sp.out" || { cat "$TEST_TMP/sp.out"; fail "spawn-path failed natively"; }
"$g/rights-mmsg" /etc/hostname "$TEST_TMP" >"$TEST_TMP/rm.out" || { cat "$TEST_TMP/rm.out"; fail "rights-mmsg failed natively"; }
mkdir -p "$TEST_TMP/us" && "$g/unshare-fs" "$TEST_TMP/us" >"$TEST_TMP/us.out" || { cat "$TEST_TMP/us.out"; fail "unshare-fs failed natively"; }
mkdir -p "$TEST_TMP/if1" "$TEST_TMP/if2" && "$g/inotify-fionread" "$TEST_TMP/if1" "$TEST_TMP/if2" >"$TEST_TMP/if.out" || { cat "$TEST_TMP/if.out"; fail "inotify-fionread failed natively"; }
echo x >"$TEST_TMP/uf" && "$g/utimensat-flags" "$TEST_TMP/uf" >"$TEST_TMP/uf.out" || { cat "$TEST_TMP/uf.out"; fail "utimensat-flags failed natively"; }
"$g/thread-starts" 250 >"$TEST_TMP/ts.out" || { cat "$TEST_TMP/ts.out"; fail "thread-starts failed natively"; }
"$g/blocked-cost" "$TEST_TMP/bc.lock" 150 >"$TEST_TMP/bc.out" || { cat "$TEST_TMP/bc.out"; fail "blocked-cost failed natively"; }
mkdir -p "$TEST_TMP/bfc" && "$g/bind-fork-cwd" "$TEST_TMP/bfc" >"$TEST_TMP/bfc.out" || { cat "$TEST_TMP/bfc.out"; fail "bind-fork-cwd failed natively"; }
"$g/exec-other-threads" "$TEST_TMP" >"$TEST_TMP/eot.out" || { cat "$TEST_TMP/eot.out"; fail "exec-other-threads failed natively"; }
"$g/proc-locks" "$TEST_TMP" >"$TEST_TMP/pl.out" || { cat "$TEST_TMP/pl.out"; fail "proc-locks failed natively"; }
"$g/netlink-portid" >"$TEST_TMP/nl.out" || { cat "$TEST_TMP/nl.out"; fail "netlink-portid failed natively"; }
"$g/exit-reader" "$TEST_TMP" >"$TEST_TMP/er.out" || { cat "$TEST_TMP/er.out"; fail "exit-reader failed natively"; }
# In a session of its own: in a pid namespace whose init shares the
# runner's session (unshare -p -f, CI containers) the member's new parent,
# init, would hold its group, which is then never orphaned.
sid=; command -v setsid >/dev/null && sid="setsid -w"
$sid "$g/orphaned-pgrp" >"$TEST_TMP/op.out" 2>&1 || { cat "$TEST_TMP/op.out"; fail "orphaned-pgrp failed natively"; }
mkdir -p "$TEST_TMP/opf" && "$g/open-path-flags" "$TEST_TMP/opf" >"$TEST_TMP/opf.out" || { cat "$TEST_TMP/opf.out"; fail "open-path-flags failed natively"; }
"$g/fexec-script" "$TEST_TMP" >"$TEST_TMP/fxs.out" || { cat "$TEST_TMP/fxs.out"; fail "fexec-script failed natively"; }
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	flr=$(mktemp -d /tmp/kbox-flr.XXXXXX) && chmod 755 "$flr" && mkdir -m 1777 "$flr/pub" && echo data >"$flr/rootfile" && chmod 644 "$flr/rootfile"
	setpriv --reuid=1000 --regid=1000 --clear-groups "$g/fdlink-rights" "$flr/rootfile" "$flr/pub" >"$TEST_TMP/flr.out" || { rm -rf "$flr"; cat "$TEST_TMP/flr.out"; fail "fdlink-rights failed natively"; }
	rm -rf "$flr"
fi
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	hdr=$(mktemp -d /tmp/kbox-hdr.XXXXXX) && chmod 755 "$hdr" && mkdir -m 700 "$hdr/d700" && mkdir -m 1777 "$hdr/pub"
	if mknod -m 644 "$hdr/nullnode" c 1 3 2>/dev/null; then
		setpriv --reuid=1000 --regid=1000 --clear-groups "$g/hostdev-rights" "$hdr/nullnode" "$hdr/d700" "$hdr/pub" >"$TEST_TMP/hdr.out" || { rm -rf "$hdr"; cat "$TEST_TMP/hdr.out"; fail "hostdev-rights failed natively"; }
	fi
	rm -rf "$hdr"
	"$g/hostdev-rights" ptys >"$TEST_TMP/hdp.out" || { cat "$TEST_TMP/hdp.out"; fail "hostdev-rights ptys failed natively"; }
fi
"$g/msgsnd-fault" >"$TEST_TMP/msf.out" || { cat "$TEST_TMP/msf.out"; fail "msgsnd-fault failed natively"; }
"$g/int80" >"$TEST_TMP/i80.out" || { cat "$TEST_TMP/i80.out"; fail "int80 failed natively"; }
if [ "$(id -u)" = 0 ]; then "$g/sigcont-session" >"$TEST_TMP/scs.out" || { cat "$TEST_TMP/scs.out"; fail "sigcont-session failed natively"; }; fi
"$g/cmsg-overrun" >"$TEST_TMP/cmo.out" || { cat "$TEST_TMP/cmo.out"; fail "cmsg-overrun failed natively"; }
"$g/rights-inflight" >"$TEST_TMP/rif.out" || { cat "$TEST_TMP/rif.out"; fail "rights-inflight failed natively"; }
"$g/exiting-kill0" >"$TEST_TMP/ek0.out" || { cat "$TEST_TMP/ek0.out"; fail "exiting-kill0 failed natively"; }
"$g/unix-addr-length" "$TEST_TMP" >"$TEST_TMP/ual.out" || { cat "$TEST_TMP/ual.out"; fail "unix-addr-length failed natively"; }
"$g/mmap-shared-offset" "$TEST_TMP" >"$TEST_TMP/mso.out" || { cat "$TEST_TMP/mso.out"; fail "mmap-shared-offset failed natively"; }
"$g/append-shmap" "$TEST_TMP" >"$TEST_TMP/aps.out" || { cat "$TEST_TMP/aps.out"; fail "append-shmap failed natively"; }
"$g/shmap-dirty" "$TEST_TMP" >"$TEST_TMP/shd.out" || { cat "$TEST_TMP/shd.out"; fail "shmap-dirty failed natively"; }
"$g/shmap-setfl-append" "$TEST_TMP" >"$TEST_TMP/ssa.out" || { cat "$TEST_TMP/ssa.out"; fail "shmap-setfl-append failed natively"; }
"$g/shmap-trunc" "$TEST_TMP" >"$TEST_TMP/str.out" || { cat "$TEST_TMP/str.out"; fail "shmap-trunc failed natively"; }
"$g/shmap-eof-grow" "$TEST_TMP" >"$TEST_TMP/seg.out" || { cat "$TEST_TMP/seg.out"; fail "shmap-eof-grow failed natively"; }
"$g/append-map-churn" "$TEST_TMP/amc.log" >"$TEST_TMP/amc.out" || { cat "$TEST_TMP/amc.out"; fail "append-map-churn failed natively"; }
"$g/fifo-write-map" "$TEST_TMP" >"$TEST_TMP/fwm.out" || { cat "$TEST_TMP/fwm.out"; fail "fifo-write-map failed natively"; }
"$g/fifo-stuck-maps" "$TEST_TMP" >"$TEST_TMP/fsm.out" || { cat "$TEST_TMP/fsm.out"; fail "fifo-stuck-maps failed natively"; }
"$g/shmap-seek-data" "$TEST_TMP" >"$TEST_TMP/ssd.out" || { cat "$TEST_TMP/ssd.out"; fail "shmap-seek-data failed natively"; }
"$g/fsx" -s 1 -n 3000 "$TEST_TMP/fsx.dat" >"$TEST_TMP/fsx.out" 2>&1 || { cat "$TEST_TMP/fsx.out"; fail "fsx failed natively"; }
rc=0; "$g/exitcode" 42 || rc=$?
expect_eq "exitcode 42" "$rc" 42
rc=0; "$g/exitcode" -s 15 || rc=$?
expect_eq "exitcode -s 15" "$rc" 143
"$g/zombie-kill-rights" >"$TEST_TMP/zkr.out" || { cat "$TEST_TMP/zkr.out"; fail "zombie-kill-rights failed natively"; }
"$g/sendmsg-big-control" "$TEST_TMP" >"$TEST_TMP/sbc.out" || { cat "$TEST_TMP/sbc.out"; fail "sendmsg-big-control failed natively"; }
"$g/execveat-symlink" "$TEST_TMP" >"$TEST_TMP/esl.out" || { cat "$TEST_TMP/esl.out"; fail "execveat-symlink failed natively"; }
"$g/rights-at-exit" >"$TEST_TMP/rae.out" || { cat "$TEST_TMP/rae.out"; fail "rights-at-exit failed natively"; }
"$g/fifo-hup" "$TEST_TMP" >"$TEST_TMP/fh.out" || { cat "$TEST_TMP/fh.out"; fail "fifo-hup failed natively"; }
$sid "$g/orphan-setsid" >"$TEST_TMP/os.out" 2>&1 || { cat "$TEST_TMP/os.out"; fail "orphan-setsid failed natively"; }
"$g/shmap-blocks" "$TEST_TMP" >"$TEST_TMP/sb.out" || { cat "$TEST_TMP/sb.out"; fail "shmap-blocks failed natively"; }
compgen -G "$TEST_TMP/kbox-fsops.*" >/dev/null && fail "fsops left its directory behind"
exit 0
