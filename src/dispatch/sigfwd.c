/* SPDX-License-Identifier: MIT */
/*
 * Signals lx sends for the guest, sent on to the guest's processes.
 *
 * A lease break (F_SETLEASE), a dnotify event (F_NOTIFY) and O_ASYNC on
 * a FIFO or pipe in the image or lx's tmpfs make lx send SIGIO (or the
 * F_SETSIG signal) to the owner it keeps for the file: an lx task, which
 * runs no handlers and blocks every signal, so the signal sat in its
 * pending set and the guest never saw it (a lease holder was not told,
 * and the breaker's open waited lease-break-time, 45 s). lx now makes a
 * pipe readable when it queues a signal to one of its tasks
 * (arch/lx/kernel/sigfwd.c); a thread of kbox started at the first
 * fcntl or ioctl (FIOASYNC) that may ask for such signals takes them
 * (lx_signals) and queues each to its process, or its thread for F_OWNER_TID.
 * The host lets no one but the kernel queue a positive si_code to another
 * process, so they arrive with si_code SI_SIGIO (the code Linux once
 * used for queued SIGIO; its layout is the same _sigpoll one), si_band
 * and si_fd (the guest's number of the file) as Linux fills them with
 * F_SETSIG; a plain SIGIO (no F_SETSIG: SI_KERNEL natively) carries no
 * band or fd, as natively. mq_notify's SI_MESGQ signals come the same
 * way (ipc.c also takes them right after a send).
 *
 * Owners lx knows are lx's pids: processes have their host pid there,
 * threads other than the main one an lx number of their own, which
 * F_SETOWN_EX/F_GETOWN_EX translate. Process groups are the host's (the
 * guest's setpgid and setsid go there): F_SETOWN of a group first puts
 * every guest process's task in lx's group of its host pgid
 * (sync_groups), so lx finds the group (it was ESRCH) and queues its
 * signals to each member, which gets it as for F_SETOWN of itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/dispatch.h"
#include "kbox/fdtable.h"

#define A(i) ((long)r->args[i])

#ifndef SI_SIGIO
#define SI_SIGIO (-5)
#endif
#define SI_MESGQ_  (-3)
#define SI_KERNEL_ 0x80

static int sf_rfd = -1;
static pthread_once_t sf_once = PTHREAD_ONCE_INIT;

/* The guest thread lx's thread @lxtid of @p stands for, or 0. */
static pid_t guest_tid(struct kbox_proc *p, pid_t lxtid)
{
    if (lxtid == p->tgid)
        return p->tgid;
    return kbox_thread_guest_tid(p, lxtid);
}

static void deliver(const long *o)
{
    struct kbox_proc *p;
    int signo = (int)o[2];
    pid_t tgid, tid = 0, who;
    siginfo_t si;

    if (o[3] == SI_MESGQ_) {
        kbox_mq_deliver_one((pid_t)o[0], signo, o[4], (pid_t)o[6], (uid_t)o[7]);
        return;
    }
    /*
     * A process whose task lx has not renumbered yet (a group's member
     * that has made no call since its fork) is found by lx's number; not
     * a task kbox keeps for itself, nor a process gone.
     */
    who = (pid_t)o[0];
    if (!kbox_proc_known(who))
        who = kbox_proc_of_lx_pid(who);
    if (!who || !(p = kbox_proc_lookup(who)))
        return;
    tgid = p->tgid;
    if (o[1])
        tid = guest_tid(p, (pid_t)o[1]);
    memset(&si, 0, sizeof(si));
    si.si_signo = signo;
    si.si_code = SI_SIGIO;
    if (o[3] != SI_KERNEL_) {
        int gfd = o[5] >= 0 ? kbox_fdt_guest_fd(p->fdt, (int)o[5]) : -1;

        si.si_band = o[4];
        si.si_fd = gfd >= 0 ? gfd : (int)o[5];
    }
    kbox_proc_put(p);
    if (tid)
        syscall(SYS_rt_tgsigqueueinfo, tgid, tid, signo, &si);
    else
        syscall(SYS_rt_sigqueueinfo, tgid, signo, &si);
}

void kbox_sigfwd_collect(void)
{
    long out[16 * LX_SIG_LONGS];
    long n;

    for (int round = 0; round < 64 && (n = lx_signals(out, 16)) > 0; round++)
        for (long i = 0; i < n && i < 16; i++)
            deliver(out + i * LX_SIG_LONGS);
}

static void *sf_main(void *arg)
{
    char buf[64];

    (void)arg;
    for (;;) {
        struct pollfd pf = { sf_rfd, POLLIN, 0 };

        if (poll(&pf, 1, -1) <= 0)
            continue;
        while (read(sf_rfd, buf, sizeof(buf)) > 0)
            ;
        kbox_sigfwd_collect();
    }
    return NULL;
}

static void sf_start(void)
{
    int p[2];
    pthread_t t;
    pthread_attr_t a;
    sigset_t all, old;

    if (pipe2(p, O_NONBLOCK | O_CLOEXEC))
        return;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&a, 256 << 10);
    sf_rfd = p[0];
    if (pthread_create(&t, &a, sf_main, NULL)) {
        close(p[0]);
        close(p[1]);
        sf_rfd = -1;
    } else {
        lx_signals_fd(p[1]);
    }
    pthread_attr_destroy(&a);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    /* what lx queued before the pipe was there */
    kbox_sigfwd_collect();
}

void kbox_sigfwd_arm(void)
{
    pthread_once(&sf_once, sf_start);
}

/*
 * A child that has made no call yet has its lx task under another number
 * until its first call (F_SETOWN naming it was ESRCH): claim it now.
 */
static void claim_owner(struct kbox_req *r, pid_t pid)
{
    if (r->proc && pid != r->proc->tgid && !kbox_proc_known(pid))
        kbox_proc_is_guest(pid);
}

/*
 * Before F_SETOWN of a process group: each guest process's lx task put in
 * lx's group of its host pgid (the group's members now, and any process
 * that left a group since the last time). A group with no guest process
 * in it stays unknown to lx, ESRCH (natively a group of host processes
 * would do, but kbox could signal none of them).
 */
static void sync_groups(void)
{
    pid_t *v = NULL;
    int n = kbox_proc_list(&v); /* children that made no call yet too */

    for (int i = 0; i < n; i++) {
        struct kbox_proc *p;
        pid_t g = getpgid(v[i]);

        if (g <= 0 || !(p = kbox_proc_lookup(v[i])))
            continue;
        if (p->task)
            lx_task_set_pgrp(p->task, g);
        kbox_proc_put(p);
    }
    free(v);
}

/* F_SETOWN_EX's owner in lx's numbers: a thread's lx pid. */
static long owner_to_lx(struct kbox_req *r, struct f_owner_ex *o)
{
    struct lx_task *t;

    if (o->type != F_OWNER_TID || o->pid <= 0 || !r->proc ||
        o->pid == r->proc->tgid)
        return 0;
    /* another thread of the caller's: its task (other processes'
     * threads lx cannot name) */
    if (kbox_proc_known(o->pid))
        return 0;
    {
        pid_t tg = 0, pp = 0;

        if (kbox_proc_status(o->pid, &tg, &pp) || tg != r->proc->tgid)
            return -ESRCH;
    }
    t = kbox_thread_task(r->proc, o->pid);
    if (!t)
        return -ESRCH;
    o->pid = lx_task_tid(t);
    return o->pid > 0 ? 0 : -ESRCH;
}

/*
 * fcntl @cmd on lx fd @fd that may ask lx for signals: run by lx, and
 * the forwarding started. F_SETOWN_EX and F_GETOWN_EX copy their struct
 * (they were EINVAL).
 */
long kbox_sigfwd_fcntl(struct kbox_req *r, int fd, int cmd)
{
    struct f_owner_ex o;
    long rc;

    switch (cmd) {
    case F_SETOWN_EX:
        if (r->ops->read(r, r->args[2], &o, sizeof(o)))
            return -EFAULT;
        if (o.type != F_OWNER_PGRP && o.pid > 0)
            claim_owner(r, o.pid);
        if (o.type == F_OWNER_PGRP && o.pid > 0)
            sync_groups();
        rc = owner_to_lx(r, &o);
        if (rc)
            return rc;
        kbox_sigfwd_arm();
        return kbox_lx(r, LX__NR_fcntl, fd, cmd, (long)&o, 0, 0, 0);
    case F_GETOWN_EX:
        rc = kbox_lx(r, LX__NR_fcntl, fd, cmd, (long)&o, 0, 0, 0);
        if (rc < 0)
            return rc;
        if (o.type == F_OWNER_TID && r->proc && o.pid > 0 &&
            o.pid != r->proc->tgid) {
            pid_t tid = kbox_thread_guest_tid(r->proc, o.pid);

            if (tid > 0)
                o.pid = tid;
        }
        if (r->ops->write(r, r->args[2], &o, sizeof(o)))
            return -EFAULT;
        return rc;
    default: /* F_SETOWN, F_SETSIG, F_SETLEASE, F_NOTIFY */
        if (cmd == F_SETOWN && (int)A(2) > 0)
            claim_owner(r, (pid_t)A(2));
        if (cmd == F_SETOWN && (int)A(2) < 0 && (int)A(2) != INT_MIN)
            sync_groups();
        kbox_sigfwd_arm();
        return kbox_lx(r, LX__NR_fcntl, fd, cmd, A(2), 0, 0, 0);
    }
}

/* ioctl FIOASYNC on lx fd @fd (it was ENOTTY). */
long kbox_sigfwd_ioctl(struct kbox_req *r, int fd, unsigned long req)
{
    int v;

    if (r->ops->read(r, r->args[2], &v, sizeof(v)))
        return -EFAULT;
    if (v)
        kbox_sigfwd_arm();
    return kbox_lx(r, LX__NR_ioctl, fd, req, (long)&v, 0, 0, 0);
}
