/* SPDX-License-Identifier: MIT */
/*
 * capget of another process answers with that process's capabilities:
 * kbox set every pid to the caller's own, so `getpcaps PID` of a child
 * that dropped its capabilities (setresuid away from root) showed the
 * caller's full set. A pid that names no process is ESRCH; capset is
 * for the caller only (EPERM for another pid, after the version).
 * Found by the syscall sweep (tests/guest/syscall-sweep).
 * Usage: capget-other (as root)
 */
#define _GNU_SOURCE
#include <linux/capability.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "guest-check.h"

static long cap_get(pid_t pid, struct __user_cap_data_struct *d)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, pid };

    memset(d, 0, 2 * sizeof(*d));
    return syscall(SYS_capget, &h, d);
}

int main(void)
{
    struct __user_cap_data_struct d[2];
    struct __user_cap_header_struct h;
    int go[2], ready[2];
    pid_t child;
    char c = 0;
    long rc;

    if (geteuid() != 0) {
        printf("ok - skipped: needs root\n");
        return 0;
    }
    if (pipe(go) || pipe(ready))
        return 1;
    child = fork();
    if (child == 0) {
        /* all three uids away from 0: Linux clears every set */
        if (setresuid(65534, 65534, 65534))
            _exit(2);
        if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
            _exit(3);
        _exit(0);
    }
    close(ready[1]);
    close(go[0]);
    if (read(ready[0], &c, 1) != 1) { /* a user namespace mapping 0 only */
        printf("ok - skipped: no uid 65534 to drop to\n");
        close(go[1]);
        waitpid(child, NULL, 0);
        return 0;
    }
    check(1, "child dropped root");
    rc = cap_get(0, d);
    check(rc == 0 && d[0].effective != 0,
          "capget(0): the caller's own set "
          "(%#x)",
          d[0].effective);
    rc = cap_get(child, d);
    check(rc == 0 && d[0].effective == 0 && d[0].permitted == 0,
          "capget(child): the child's empty sets (effective %#x, "
          "permitted %#x)",
          d[0].effective, d[0].permitted);
    rc = cap_get(getpid(), d);
    check(rc == 0 && d[0].effective != 0,
          "capget(getpid()): the caller's own set (%#x)", d[0].effective);
    WANT(cap_get(0x3fffffff, d), ESRCH, "capget of no process");
    h.version = _LINUX_CAPABILITY_VERSION_3;
    h.pid = child;
    cap_get(0, d);
    WANT(syscall(SYS_capset, &h, d), EPERM, "capset of another process");
    h.version = 0x1234;
    WANT(syscall(SYS_capset, &h, d), EINVAL,
         "capset with an unknown version: the version first");
    check(h.version == _LINUX_CAPABILITY_VERSION_3,
          "capset told the kernel's version (%#x)", h.version);
    if (write(go[1], "g", 1) != 1)
        return 1;
    waitpid(child, NULL, 0);
    return n_fail ? 1 : 0;
}
