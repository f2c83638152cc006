/* SPDX-License-Identifier: MIT */
/*
 * Permission checks between guest users on calls that change or read
 * another process by pid (target.c), where Linux's rule is not kill()'s:
 * prlimit64 (check_prlimit_permission: all of the caller's real,
 * effective and saved ids equal the target's), get_robust_list
 * (ptrace_may_access with the real ids, and the target's dumpability),
 * the sched_* calls, sched_setaffinity and setpriority (check_same_owner
 * and set_one_prio_perm: the caller's euid is the target's uid or euid),
 * ioprio_set (set_task_ioprio: the target's uid is the caller's uid or
 * euid); each with its capability. The host sees one user and allowed
 * them all, so a guest user read and set a guest root process's limits.
 *
 * lx holds the guest's credentials, on a task per guest process at its
 * host pid (a zombie's too, zombie.c), so the same kind of call made
 * there by the caller's task on that pid runs the kernel's own check.
 * Each probe changes nothing: a read, or a change to the value lx's task
 * already has. Only its EPERM is used; the host then makes the call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <sys/types.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/dispatch.h"

static long probe(struct kbox_req *r, pid_t pid, enum kbox_pid_rule rule)
{
    switch (rule) {
    case KBOX_PERM_RLIMIT: {
        uint64_t old[2];

        /* a read is checked as a write is */
        return kbox_lx(r, LX__NR_prlimit64, pid, 0 /* RLIMIT_CPU */, 0,
                       (long)old, 0, 0);
    }
    case KBOX_PERM_PTRACE_READ: {
        long head;
        unsigned long len;

        return kbox_lx(r, LX__NR_get_robust_list, pid, (long)&head, (long)&len,
                       0, 0, 0);
    }
    case KBOX_PERM_OWNER: {
        /* sched_attr VER0 with SCHED_FLAG_KEEP_POLICY | KEEP_PARAMS: the
         * task's own policy and parameters, set again */
        uint32_t attr[12] = { 48, 0, 0x18 };

        return kbox_lx(r, LX__NR_sched_setattr, pid, (long)attr, 0, 0, 0, 0);
    }
    case KBOX_PERM_IOPRIO: {
        long v =
            kbox_lx(r, LX__NR_ioprio_get, 1 /* WHO_PROCESS */, pid, 0, 0, 0, 0);

        return v < 0 ? v : kbox_lx(r, LX__NR_ioprio_set, 1, pid, v, 0, 0, 0);
    }
    }
    return 0;
}

long kbox_pid_perm(struct kbox_req *r, pid_t pid, enum kbox_pid_rule rule)
{
    long rc;

    if (!r->task || pid <= 0)
        return 0;
    rc = probe(r, pid, rule);
    if (rc == -ESRCH) {
        /* a guest process whose task has not taken its pid yet (it has
         * made no call into lx) */
        kbox_proc_number(pid);
        rc = probe(r, pid, rule);
    }
    /* -ESRCH: not known to lx (a zombie not kept) */
    return rc == -EPERM || rc == -ESRCH ? rc : 0;
}
