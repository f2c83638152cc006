#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/syscall-sweep on the calls whose errors came in another
# order than Linux's: Linux checks a call's flags, mode, length, position
# and the structs it copies first, then the fd or the path, then the
# process it names (argcheck.c); kbox read the path, resolved the dirfd
# or looked the target up first (unlinkat(-1, p, ~0): EBADF, Linux
# EINVAL; sched_setparam(pid, NULL): ESRCH, Linux EINVAL). Socket calls
# find the socket (EBADF, ENOTSOCK) before they read the address or the
# message; utimensat/futimesat with a NULL name take the fd only with a
# dirfd; sethostname and setgroups check the capability first, capset
# the version; numbers with no call in Linux 6.12 are ENOSYS, not EPERM.
# Each line is what Linux 6.12 (and the native run) says.
. "$(dirname "$0")/lib/common.sh"
require

both=$(
	cat <<'LINES'
access(NULL,~0) -> EINVAL
faccessat(-1,file,~0) -> EINVAL
faccessat2(-1,file,0,~0) -> EINVAL
faccessat2(CWD,NULL,~0,0) -> EINVAL
mknod(NULL,~0,0) -> EINVAL
mknodat(-1,file,~0,0) -> EINVAL
fchownat(-1,file,-1,-1,~0) -> EINVAL
unlinkat(-1,file,~0) -> EINVAL
readlink(NULL,buf,0) -> EINVAL
readlinkat(-1,file,buf,0) -> EINVAL
fchmodat2(-1,file,0,~0) -> EINVAL
statx(-1,file,0,-1,buf) -> EINVAL
umount2(NULL,~0) -> EINVAL
execveat(-1,file,buf,buf,~0) -> EINVAL
execveat(CWD,file,buf,buf,~0) -> EINVAL
utimensat(CWD,NULL,buf,0) -> EFAULT
utimensat(CWD,NULL,buf,~0) -> EINVAL
utimensat(-1,NULL,NULL,~0) -> EINVAL
futimesat(-1,NULL,buf) -> EBADF
pwrite64(3,NULL,16,-1) -> EINVAL
preadv(3,NULL,16,-1,0) -> EINVAL
pwritev(3,NULL,16,-1,0) -> EINVAL
pidfd_open(nopid,~0) -> EINVAL
pidfd_send_signal(3,0,buf,~0) -> EINVAL
rt_sigqueueinfo(nopid,0,buf) -> EPERM
rt_sigqueueinfo(nopid,0,NULL) -> EFAULT
rt_tgsigqueueinfo(nopid,nopid,0,buf) -> EPERM
sched_setparam(nopid,NULL) -> EINVAL
sched_getparam(nopid,NULL) -> EINVAL
sched_setscheduler(nopid,-1,buf) -> EINVAL
sched_setaffinity(nopid,16,NULL) -> EFAULT
sched_getaffinity(nopid,0,buf) -> EINVAL
sched_setattr(nopid,NULL,0) -> EINVAL
sched_getattr(nopid,buf,0,0) -> EINVAL
connect(9999,NULL,16) -> EBADF
connect(3,NULL,16) -> EFAULT
bind(3,NULL,16) -> ENOTSOCK
bind(9999,NULL,16) -> EBADF
sendto(3,NULL,16,0,buf,16) -> ENOTSOCK
sendto(9999,NULL,16,0,buf,16) -> EBADF
sendmsg(3,NULL,0) -> ENOTSOCK
sendmsg(9999,buf,~0) -> EINVAL
recvmsg(9999,NULL,0) -> EBADF
recvmsg(3,NULL,~0) -> EINVAL
recvmmsg(3,NULL,16,0,NULL) -> ENOTSOCK
recvmmsg(3,NULL,16,~0,buf) -> EINVAL
sendmmsg(3,NULL,16,0) -> ENOTSOCK
sendmmsg(9999,buf,16,~0) -> EINVAL
capset(buf,NULL) -> EINVAL
_sysctl() -> ENOSYS
create_module(0,0,0,0,0,0) -> ENOSYS
lookup_dcookie(0,0,0,0,0,0) -> ENOSYS
vserver(-1,-1,-1,-1,-1,-1) -> ENOSYS
LINES
)
user=$(
	cat <<'LINES'
setgroups(16,NULL) -> EPERM
sethostname(NULL,16) -> EPERM
setdomainname(NULL,16) -> EPERM
LINES
)
root=$(
	cat <<'LINES'
setgroups(16,NULL) -> EFAULT
sethostname(NULL,16) -> EFAULT
LINES
)

# the calls' names, from the lines
names() { sed 's/(.*//' | sort -u | tr '\n' ' '; }

# sweep OPTS WANT: run the sweep of WANT's calls in /tmp, every WANT line
# must be in its output
sweep() {
	local opts=$1 want=$2 out=$TMP/sweep.out st l miss=0
	# shellcheck disable=SC2046,SC2086 # word lists on purpose
	kbo "$out" $opts "$IMG" -w /tmp -- /opt/kbox-tests/syscall-sweep \
		$(printf '%s\n' "$want" | names)
	st=$?
	expect_status 0 "$st" "syscall-sweep [$opts]"
	while IFS= read -r l; do
		if ! grep -Fxq -- "$l" "$out"; then
			fail "[$opts] want: $l; got: $(grep -F -- "${l%% -> *} ->" "$out" | head -1)"
			miss=1
		fi
	done <<<"$want"
	[ "$miss" = 0 ] && pass "[$opts] every call's error is Linux's"
}

sweep "--change-id 65534:65534 -R" "$both
$user"
sweep "-S" "$both
$root"
done_test
