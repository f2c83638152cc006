/* SPDX-License-Identifier: MIT */
/*
 * Seccomp user-notification tier: launch (filter install + listener
 * hand-off) and the notification loop, which turns each notification into
 * a struct kbox_req for the shared dispatch engine.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kbox/abi.h"
#include "kbox/bpf.h"
#include "kbox/dispatch.h"
#include "kbox/exec.h"
#include "kbox/policy.h"
#include "kbox/seccomp.h"
#include "settle.h"
#include "wake.h"

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

#define KBOX_FLAG_WAIT_KILLABLE_RECV (1UL << 5)

struct sc_tier {
    int listener;
};

/* ---- tier ops ---- */

static int op_read(struct kbox_req *r, uint64_t addr, void *buf, size_t len)
{
    return kbox_mem_read(r->pid, addr, buf, len);
}

static int op_write(struct kbox_req *r, uint64_t addr, const void *buf,
                    size_t len)
{
    return kbox_mem_write(r->pid, addr, buf, len);
}

static int op_poke(struct kbox_req *r, uint64_t addr, const void *buf,
                   size_t len)
{
    return kbox_mem_poke(r->pid, addr, buf, len);
}

static int op_read_str(struct kbox_req *r, uint64_t addr, char *buf, size_t len)
{
    return kbox_mem_read_str(r->pid, addr, buf, len);
}

static int op_read_many(struct kbox_req *r, const uint64_t *addrs,
                        const size_t *lens, size_t n, void *buf)
{
    return kbox_mem_read_many(r->pid, addrs, lens, n, buf);
}

static bool op_valid(struct kbox_req *r)
{
    struct sc_tier *t = r->tier;
    __u64 id = r->id;

    return ioctl(t->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

#ifndef SECCOMP_ADDFD_FLAG_SEND
#define SECCOMP_ADDFD_FLAG_SEND (1UL << 1)
#endif

/* Cleared when the host kernel refuses SECCOMP_ADDFD_FLAG_SEND (< 5.14). */
static int addfd_send_ok = 1;

/*
 * ADDFD wakes the guest with a plain wake-up (NOTIF_SEND honours
 * SYNC_WAKE_UP, ADDFD does not), and the scheduler then places the guest
 * on an idle vCPU, because the worker still runs on the guest's own one:
 * a cross-vCPU wake-up, ~20 us on these VMs, for every open. Holding the
 * guest thread to the worker's CPU for the duration of the ioctl keeps
 * the wake-up local (unpinned open+close ~26 -> ~10 us). Only done when
 * that CPU is one the thread may use anyway, and the thread's own mask is
 * back before its call returns (op_addfd then answers with a separate
 * NOTIF_SEND). A sched_setaffinity() another guest thread makes on this
 * thread inside that window (the thread itself is blocked in its call)
 * may be undone.
 */
struct guest_pin {
    cpu_set_t mask;
    bool pinned;
};

static void pin_guest(struct kbox_req *r, struct guest_pin *p)
{
    int cpu = sched_getcpu();
    cpu_set_t one;

    p->pinned = false;
    if (cpu < 0 || cpu >= CPU_SETSIZE ||
        sched_getaffinity(r->pid, sizeof(p->mask), &p->mask) != 0 ||
        !CPU_ISSET(cpu, &p->mask) || CPU_COUNT(&p->mask) < 2)
        return;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    p->pinned = sched_setaffinity(r->pid, sizeof(one), &one) == 0;
}

static void unpin_guest(struct kbox_req *r, struct guest_pin *p)
{
    if (p->pinned)
        sched_setaffinity(r->pid, sizeof(p->mask), &p->mask);
}

static int op_addfd(struct kbox_req *r, int src, int target, bool cloexec,
                    bool reply)
{
    struct sc_tier *t = r->tier;
    struct seccomp_notif_addfd a;
    struct guest_pin pin;
    int rc;

    memset(&a, 0, sizeof(a));
    a.id = r->id;
    a.srcfd = (__u32)src;
    a.newfd_flags = cloexec ? O_CLOEXEC : 0;
    if (target >= 0) {
        a.flags = SECCOMP_ADDFD_FLAG_SETFD;
        a.newfd = (__u32)target;
    }
    pin_guest(r, &pin);
    /* Install and answer in one step (the guest wakes once), unless the
     * guest is held to a CPU: it must not run before its mask is back,
     * so then the answer is a separate NOTIF_SEND after unpin_guest(). */
    if (reply && !pin.pinned &&
        __atomic_load_n(&addfd_send_ok, __ATOMIC_RELAXED)) {
        kbox_sc_settle(r->pid); /* it answers: see held exits */
        a.flags |= SECCOMP_ADDFD_FLAG_SEND;
        rc = ioctl(t->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
        if (rc >= 0) {
            r->replied = true;
            return rc;
        }
        if (errno != EINVAL)
            return -errno;
        __atomic_store_n(&addfd_send_ok, 0, __ATOMIC_RELAXED);
        a.flags &= ~(__u32)SECCOMP_ADDFD_FLAG_SEND;
    }
    rc = ioctl(t->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
    if (rc < 0)
        rc = -errno;
    unpin_guest(r, &pin);
    return rc;
}

/*
 * A process-directed signal that thread @r->pid takes: do all the
 * process's other threads block it? Then the kernel flagged this one and
 * its call can be restarted (a worker-thread pool that blocks signals
 * while the main thread waits in lx: SA_RESTART had no effect there).
 */
static bool only_taker(struct kbox_req *r, const char *status)
{
    char path[64], other[4096];
    struct dirent *e;
    bool only = true;
    DIR *d;

    snprintf(path, sizeof(path), "/proc/%d/task", (int)r->proc->tgid);
    d = opendir(path);
    if (!d)
        return false;
    while (only && (e = readdir(d))) {
        pid_t tid = (pid_t)atoi(e->d_name);

        if (tid <= 0 || tid == r->pid)
            continue;
        if (kbox_abi_read_status(tid, other, sizeof(other)))
            only = kbox_abi_others_block(status, other);
    }
    closedir(d);
    return only;
}

/*
 * No signal shows for thread @r->pid, but is its process stopping? The
 * thread that took the stop signal flagged every other thread and
 * stopped; this one, waiting for kbox, would never join the group stop
 * (the stop never completed: a Ctrl-Z or SIGSTOP of a program with a
 * thread in flock or a FIFO read left it half stopped and the shell
 * waiting). The leader is looked at first, then at most 16 others.
 */
static bool group_stopping(struct kbox_req *r, const char *status)
{
    char path[64], other[4096];
    struct dirent *e;
    bool stopping = false;
    int n = 0;
    DIR *d;

    if (kbox_abi_status_threads(status) < 2)
        return false;
    if (r->pid != r->proc->tgid &&
        kbox_abi_read_status(r->proc->tgid, other, sizeof(other)))
        return kbox_abi_status_state(other) == 'T';
    snprintf(path, sizeof(path), "/proc/%d/task", (int)r->proc->tgid);
    d = opendir(path);
    if (!d)
        return false;
    while (!stopping && n < 16 && (e = readdir(d))) {
        pid_t tid = (pid_t)atoi(e->d_name);

        if (tid <= 0 || tid == r->pid)
            continue;
        n++;
        stopping = kbox_abi_read_status(tid, other, sizeof(other)) &&
                   kbox_abi_status_state(other) == 'T';
    }
    closedir(d);
    return stopping;
}

/* For a request in flight for a while (src/dispatch/inflight.c). */
static int op_pending_signal(struct kbox_req *r)
{
    char buf[4096];

    if (!op_valid(r))
        return KBOX_INTR_GONE;
    if (!kbox_abi_read_status(r->pid, buf, sizeof(buf)))
        return KBOX_INTR_NONE;
    switch (kbox_abi_status_signal(buf)) {
    case 1:
        return KBOX_INTR_RESTART;
    case 2:
        return only_taker(r, buf) ? KBOX_INTR_RESTART : KBOX_INTR_EINTR;
    default:
        return group_stopping(r, buf) ? KBOX_INTR_RESTART : KBOX_INTR_NONE;
    }
}

static void op_will_block(struct kbox_req *r);

static const struct kbox_tier_ops sc_ops = {
    .read = op_read,
    .write = op_write,
    .poke = op_poke,
    .read_str = op_read_str,
    .valid = op_valid,
    .addfd = op_addfd,
    .pending_signal = op_pending_signal,
    .read_many = op_read_many,
    .will_block = op_will_block,
};

/* ---- launch ---- */

struct handoff {
    int state; /* 0 start, 1 listener ready, 2 failed, 3 taken */
    int fd;
    int err;
};

static void futex_wait(int *addr, int val)
{
    syscall(SYS_futex, addr, FUTEX_WAIT, val, NULL, NULL, 0);
}

static void futex_wake(int *addr)
{
    syscall(SYS_futex, addr, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static struct sock_filter prog[KBOX_BPF_MAX_INSNS];

/*
 * Under kbox run by root a guest process is the host's root whatever its
 * guest identity, and every check the host makes on a call kbox lets
 * through is a check of root: a guest user (--change-id) locked memory
 * past RLIMIT_MEMLOCK, changed a network card's settings (SIOCETHTOOL),
 * wrote to set-user-ID files in a bind without clearing the bit; each
 * such call had to be found and checked by hand. A guest that starts as
 * a user now drops, from its host bounding set before its first exec, the
 * capabilities a user lacks and that kbox does not need in it: the host
 * then answers those calls as for a user. Kept: the ones kbox's own paths
 * in the guest process may use (files by ownership or DAC, ids, kill) and
 * CAP_LEASE (kbox checks a lease on a bind's file as the guest, then lets
 * the guest take it: the file's host owner is the guest's uid, not 0).
 * A guest that becomes root later (su, sudo) gets root in lx, not these
 * host rights back, as under a rootless kbox.
 */
static void drop_user_lacks(void)
{
    static const int caps[] = {
        CAP_FSETID,
        CAP_LINUX_IMMUTABLE,
        CAP_NET_BIND_SERVICE,
        CAP_NET_BROADCAST,
        CAP_NET_ADMIN,
        CAP_NET_RAW,
        CAP_IPC_LOCK,
        CAP_SYS_MODULE,
        CAP_SYS_RAWIO,
        CAP_SYS_PTRACE,
        CAP_SYS_PACCT,
        CAP_SYS_ADMIN,
        CAP_SYS_BOOT,
        CAP_SYS_NICE,
        CAP_SYS_RESOURCE,
        CAP_SYS_TIME,
        CAP_SYS_TTY_CONFIG,
        CAP_MKNOD,
        CAP_AUDIT_WRITE,
        CAP_AUDIT_CONTROL,
        CAP_MAC_OVERRIDE,
        CAP_MAC_ADMIN,
        CAP_SYSLOG,
        CAP_WAKE_ALARM,
        CAP_BLOCK_SUSPEND,
        CAP_AUDIT_READ,
        38 /* CAP_PERFMON */,
        39 /* CAP_BPF */,
        40 /* CAP_CHECKPOINT_RESTORE */
    };

    for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
        prctl(PR_CAPBSET_DROP, caps[i], 0, 0, 0); /* EINVAL: unknown here */
}

/*
 * kbox's stop signals (main.c): blocked in kbox until the guest runs, and
 * held in the child until the check below. A group signal (Ctrl-C) that
 * came after kbox's last look but before the fork reached kbox only:
 * kbox took it as the group's, which the guest has too, and did not
 * relay it, so the guest ran on.
 */
static const int launch_stop_sigs[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP };

/*
 * Called with the child waiting and holding the stop signals. A signal
 * sent to the group during or after the fork is pending in both (fork
 * delays one that comes during it, kernel/fork.c), so one kbox has and
 * the child lacks came before the fork: it goes to the child. kbox's
 * own is taken either way, or it would be relayed again (or, for SIGTERM
 * and SIGHUP, forwarded a second time) once kbox's handlers are set.
 */
static void relay_prefork_stops(pid_t pid)
{
    sigset_t mine;
    unsigned long long child = 0;
    bool looked = false;

    if (sigpending(&mine))
        return;
    for (size_t i = 0;
         i < sizeof(launch_stop_sigs) / sizeof(launch_stop_sigs[0]); i++) {
        int s = launch_stop_sigs[i];
        sigset_t one;
        struct timespec now = { 0, 0 };

        if (sigismember(&mine, s) != 1)
            continue;
        if (!looked) { /* after kbox's look: a later one is the child's too */
            char st[4096];

            if (!kbox_abi_read_status(pid, st, sizeof(st)))
                return;
            child = kbox_abi_status_mask(st, "ShdPnd:") |
                    kbox_abi_status_mask(st, "SigPnd:");
            looked = true;
        }
        sigemptyset(&one);
        sigaddset(&one, s);
        if (sigtimedwait(&one, NULL, &now) == s && !(child & (1ull << (s - 1))))
            kill(pid, s);
    }
}

pid_t kbox_seccomp_launch(const char *path, char *const argv[],
                          char *const envp[], const char *host_cwd,
                          int *listener, int *pidfd_out)
{
    struct kbox_bpf_spec spec;
    struct handoff *h;
    int n, pidfd, lfd;
    pid_t pid;

    kbox_policy_spec(&spec);
    n = kbox_bpf_build(&spec, prog, KBOX_BPF_MAX_INSNS);
    /* Orphaned guest processes come to kbox, which serves and reaps them
     * until the last one is gone (kbox_seccomp_serve). */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    if (n < 0)
        return -EINVAL;
    h = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
             0);
    if (h == MAP_FAILED)
        return -errno;
    memset(h, 0, sizeof(*h));

    pid = fork();
    if (pid < 0) {
        int e = errno;
        munmap(h, 4096);
        return -e;
    }
    if (pid == 0) {
        struct sock_fprog fp = { (unsigned short)n, prog };
        long fd;

        sigset_t hold = kbox_sup.guest_sigmask;

        /* the mask and SIGCHLD kbox was started with (main.c), once the
         * parent has looked for stop signals the fork missed */
        for (size_t i = 0;
             i < sizeof(launch_stop_sigs) / sizeof(launch_stop_sigs[0]); i++)
            sigaddset(&hold, launch_stop_sigs[i]);
        sigprocmask(SIG_SETMASK, &hold, NULL);
        /* ... and every signal it ignored, which exec keeps ignored:
         * kbox's own handlers (SIGALRM, glibc's 33 after a setxid) are
         * reset by the exec, and the guest lost the parent's SIG_IGN */
        for (int s = 1; s <= 64; s++) {
            struct kbox_ksigaction ign = { SIG_IGN, 0, NULL, 0 };

            if (kbox_sup.guest_sig_ign & (1ull << (s - 1)))
                syscall(SYS_rt_sigaction, s, &ign, NULL, 8);
        }
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (chdir(host_cwd))
            _exit(126);
        /* while the content cache's directory is still open here */
        kbox_exec_landlock();
        /*
         * Nothing of kbox's (image, kernel threads' fds) leaks in; the
         * fds kbox itself was started with (a make jobserver's pipe,
         * `3>log`) stay, as under chroot.
         */
        {
            unsigned int lo = 3;

            for (int i = 0; i < kbox_sup.ninherited_fds; i++) {
                unsigned int k = (unsigned int)kbox_sup.inherited_fds[i];

                if (k > lo)
                    syscall(SYS_close_range, lo, k - 1, 0);
                lo = k + 1;
            }
            syscall(SYS_close_range, lo, ~0U, 0);
        }
        if (kbox_sup.guest_user_start)
            drop_user_lacks();
        /* the soft limits kbox was started with (kbox took the hard) */
        if (kbox_sup.guest_mem_lim_set[0])
            setrlimit(RLIMIT_AS, &kbox_sup.guest_mem_lim[0]);
        if (kbox_sup.guest_mem_lim_set[1])
            setrlimit(RLIMIT_DATA, &kbox_sup.guest_mem_lim[1]);
        if (kbox_sup.guest_stack_set)
            setrlimit(RLIMIT_STACK, &kbox_sup.guest_stack);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
            fd = -1;
        else {
            /*
             * WAIT_KILLABLE_RECV: once the supervisor has the request,
             * only a fatal signal interrupts the wait, so fork/open/stat
             * never fail with EINTR in a guest that handles SIGCHLD.
             */
            fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                         SECCOMP_FILTER_FLAG_NEW_LISTENER |
                             KBOX_FLAG_WAIT_KILLABLE_RECV,
                         &fp);
            if (fd < 0 && errno == EINVAL)
                fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                             SECCOMP_FILTER_FLAG_NEW_LISTENER, &fp);
        }
        if (fd < 0) {
            h->err = errno;
            __atomic_store_n(&h->state, 2, __ATOMIC_SEQ_CST);
            futex_wake(&h->state);
            _exit(126);
        }
        /* From here every syscall but futex & co. is supervised. */
        h->fd = (int)fd;
        __atomic_store_n(&h->state, 1, __ATOMIC_SEQ_CST);
        futex_wake(&h->state);
        while (__atomic_load_n(&h->state, __ATOMIC_SEQ_CST) != 3)
            futex_wait(&h->state, 1);
        sigprocmask(SIG_SETMASK, &kbox_sup.guest_sigmask, NULL);
        execve(path, argv, envp);
        if (errno == ENOEXEC) {
            /* A script without #!: the shell runs it, as execvp (and
             * chroot, env, a shell) would. */
            int argc = 0;

            while (argv[argc])
                argc++;
            {
                char *sh[argc + 2];

                sh[0] = (char *)"/bin/sh";
                sh[1] = (char *)path;
                for (int i = 1; i <= argc; i++)
                    sh[i + 1] = argv[i];
                execve("/bin/sh", sh, envp);
                errno = ENOEXEC;
            }
        }
        {
            /* Supervised write to the host's stderr. */
            int e = errno;
            char msg[512];
            int n = snprintf(msg, sizeof(msg), "kbox: %s: %s\n", argv[0],
                             e == ENOENT ? "not found" : strerror(e));

            if (n > 0 && write(2, msg, (size_t)n) < 0)
                e = e; /* nothing more to say */
            _exit(e == ENOENT ? 127 : 126);
        }
    }

    pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    /* A child that died before its report (kill -9) would leave kbox
     * waiting here for good. */
    while (__atomic_load_n(&h->state, __ATOMIC_SEQ_CST) == 0) {
        struct timespec tick = { 0, 100 * 1000 * 1000 };

        syscall(SYS_futex, &h->state, FUTEX_WAIT, 0, &tick, NULL, 0);
        if (__atomic_load_n(&h->state, __ATOMIC_SEQ_CST) == 0 &&
            waitpid(pid, NULL, WNOHANG) == pid) {
            munmap(h, 4096);
            if (pidfd >= 0)
                close(pidfd);
            return -ECHILD;
        }
    }
    if (h->state == 2) {
        int e = h->err;
        waitpid(pid, NULL, 0);
        munmap(h, 4096);
        if (pidfd >= 0)
            close(pidfd);
        return e == EINVAL ? -EOPNOTSUPP : -e;
    }
    lfd = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, h->fd, 0);
    if (lfd < 0) {
        int e = errno;
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        munmap(h, 4096);
        return -e;
    }
    relay_prefork_stops(pid);
    __atomic_store_n(&h->state, 3, __ATOMIC_SEQ_CST);
    futex_wake(&h->state);
    munmap(h, 4096);
    /* Wake the supervisor synchronously (fast hand-back on a busy CPU). */
    ioctl(lfd, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
          (__u64)SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
    *listener = lfd;
    *pidfd_out = pidfd;
    return pid;
}

/* ---- the loop ----
 *
 * Leader/follower pool. Exactly one worker (the leader) waits in
 * SECCOMP_IOCTL_NOTIF_RECV, handles what it received and replies, then
 * waits again: a request costs no thread hop (with SYNC_WAKE_UP the
 * guest's CPU wakes the worker). Only one waits because the listener's
 * wait queue is not exclusive: every notification wakes every waiter,
 * and each needless wake-up costs context switches (with a second waiter
 * a round trip took ~4.5 us instead of ~2; docs/supervisor.md).
 *
 * A request that blocks (an flock wait, a FIFO open in lx, a host call on
 * a bind) must not stall the others, so a sentinel thread ticks every
 * TICK_US while requests are in flight: when a whole tick passed with
 * requests being handled and nobody waiting in RECV, it makes another
 * worker the leader (a parked follower, or a new thread up to
 * MAX_WORKERS, below). When the old leader finishes and finds a leader in RECV,
 * it parks as a follower. The sentinel sleeps untimed once the pool has
 * been idle for IDLE_TICKS, and the next request wakes it.
 *
 * A request nobody has received yet is withdrawn by any signal to its
 * thread, and a handler without SA_RESTART then sees EINTR, also from
 * close() or fork(), which never return it natively (dash lost a pipe's
 * close to a SIGCHLD that way, and the pipeline hung). So on a slow
 * request (exec, fork, exit: 20-200 us each) the leader first makes
 * another worker the leader, as the sentinel would, and keeps the request
 * (its reply stays on the guest's CPU; handing the request itself to a
 * helper thread cost ~50 us per fork+exec in cross-CPU wake-ups). The
 * main cause, the SIGCHLD of an exit we answer, is handled by held exits.
 */

/*
 * Every guest call blocked in lx or on a bind holds a worker, so this
 * bounds how many may block at once: with 64, the 65th blocked call's
 * wake-up (the FIFO writer's open, the lock holder's unlock) was never
 * received and the guest hung (Go parks a thread per blocking call).
 * Workers are made one per tick only while all are busy; an idle one
 * costs a parked thread with a 1 MiB stack reservation.
 */
#define MAX_WORKERS  4096
#define TICK_US      1000
#define IDLE_TICKS   50
/*
 * While the only requests in flight are blocked ones that have not changed
 * (a leader waits in RECV, nothing new arrived, no held exit), the tick
 * doubles up to this: a guest blocked for minutes in an flock wait or a
 * FIFO open cost ~3.5% of a CPU at 1 ms ticks. A signal for such a call
 * is then seen within two slow ticks.
 */
#define SLOW_TICK_US 16000

static struct {
    pthread_mutex_t lock;
    pthread_cond_t idle_cond;     /* busy dropped to 0 (drain) */
    pthread_cond_t follower_cond; /* a follower may become the leader */
    pthread_cond_t sentinel_cond; /* the sentinel may start ticking */
    int workers, in_recv, busy, followers;
    int promote;            /* followers allowed to lead beside the leader */
    unsigned long recv_gen; /* bumped each time a worker enters RECV */
    unsigned long gen;      /* bumped by each kbox_seccomp_serve() */
    bool sentinel_asleep;
    bool sentinel_slow; /* ticking slower than TICK_US (see SLOW_TICK_US) */
    struct seccomp_notif_sizes sizes;
    struct sc_tier tier;
} pool = { .lock = PTHREAD_MUTEX_INITIALIZER,
           .idle_cond = PTHREAD_COND_INITIALIZER,
           .follower_cond = PTHREAD_COND_INITIALIZER,
           .sentinel_cond = PTHREAD_COND_INITIALIZER };

/*
 * Held exits. Our reply to exit_group ends the process, and its parent gets
 * SIGCHLD then; a request of the parent's not received yet is withdrawn by
 * it (EINTR, see the pool comment), and with the child runnable on the
 * parent's CPU its exit tends to run exactly when the parent blocks in its
 * next call. So while the parent is running or inside a supervised call,
 * the reply waits: the parent's next request, once received (its wait is
 * then killable only), lets the child go and waits for it to be gone, so
 * the SIGCHLD is pending when that call returns. A parent blocked in a
 * host call (wait4, read on a pipe: EINTR there is native) lets it go at
 * once; the sentinel re-checks every tick. A parent inside a request a
 * worker has taken (blocked in lx: a FIFO read) lets it go after
 * HOLD_MAX_US, so that the signal ends that call as natively. A parent
 * running keeps it held until its next request is received, or
 * HOLD_LONG_MAX_US in which it ran half the time: let go at 5 ms like
 * the others, the child's exit (late on a loaded machine: other builds
 * beside CI) still landed in the parent's next call now and then
 * (53-guest-sigchld-eintr failed in CI). A parent waiting for its
 * request to be received, or only for a CPU, keeps it until then: at
 * load ~15 either took over HOLD_LONG_MAX_US, and the exit let go then
 * withdrew the request (EINTR); HOLD_CAP_US bounds that. The 5 ms rule
 * takes a parent in seccomp only: one found running may still have a
 * request in flight (its ADDFD reply sent, the slot not yet cleared).
 *
 * An exit let go without waiting (by the sweep, or a wait that timed
 * out) is "settling" until the child is gone: the parent's next reply,
 * and its next request once received, wait for that first (bounded). A
 * child with much memory to free takes milliseconds to go after our
 * reply, and its SIGCHLD came after the reply to the parent's slow call
 * that had let it go, into the parent's next, unreceived request
 * (tests/guest/sigchld-slow-call: EINTR from stat, open, close).
 * (A parent reading the child's output pipe sleeps in a host call: the
 * child goes at once; holding it would stall every $(...) for a tick.)
 * "The parent" is the threads its SIGCHLD may go to (sigchld.c): its
 * main thread, or the others when that one blocks SIGCHLD.
 */
#define HOLD_MAX_US      5000
#define HOLD_LONG_MAX_US 100000
#define HOLD_CAP_US      1000000

struct held_exit {
    struct held_exit *next;
    __u64 id;
    pid_t child, parent; /* tgids */
    int pidfd;           /* the child's, or -1 */
    long long cpu0;      /* parent's CPU ns at the 1st sweep (0 not yet) */
    bool others;         /* its SIGCHLD goes to threads other than the main one
                            (sigchld.c): their requests let it go */
    struct timespec since;
};

static struct held_exit *held_exits; /* under pool.lock */

/*
 * Has the parent of @h, found running, run for long since the hold? One
 * that computes without a supervised call gets its SIGCHLD after
 * HOLD_LONG_MAX_US; one that only waits for a CPU (load ~15: seen for
 * over 100 ms) is about to make its next call, where the SIGCHLD would
 * withdraw it, so it keeps the hold (HOLD_CAP_US at most).
 */
static bool parent_ran(struct held_exit *h)
{
    long long cpu = kbox_sc_parent_cpu_ns(h->parent);

    if (cpu < 0 || h->cpu0 < 0)
        return true;
    return cpu - h->cpu0 >= HOLD_LONG_MAX_US * 1000LL / 2;
}

static void send_continue(__u64 id)
{
    struct seccomp_notif_resp *resp = calloc(1, pool.sizes.seccomp_notif_resp);

    if (!resp)
        return;
    resp->id = id;
    resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    ioctl(pool.tier.listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
    free(resp);
}

/* Let held exit @h go and, for its parent's request, wait (bounded) until
 * its process is gone: the SIGCHLD is then pending when that returns. */
static void release_exit(struct held_exit *h, bool wait)
{
    send_continue(h->id);
    if (h->pidfd >= 0) {
        if (wait)
            kbox_sc_child_gone(h->pidfd, KBOX_SC_RELEASE_WAIT_MS);
        close(h->pidfd);
    }
    free(h);
}

/* Unlink the held exits that a received request of thread @tid lets go
 * (all with @tid 0, or the expired and no longer exposed ones with
 * @sweep); pool.lock held. */
static struct held_exit *take_held(pid_t tid, bool sweep)
{
    struct held_exit *out = NULL, **pp = &held_exits;
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    while (*pp) {
        struct held_exit *h = *pp;
        long us = (now.tv_sec - h->since.tv_sec) * 1000000L +
                  (now.tv_nsec - h->since.tv_nsec) / 1000;
        bool go = !tid || (tid == h->parent
                               ? !h->others
                               : h->others && kbox_sc_releases(tid, h->parent));

        if (sweep) {
            bool in_flight = false;
            enum kbox_sc_at at =
                us > HOLD_CAP_US
                    ? KBOX_SC_SAFE
                    : kbox_sc_parent_at(h->parent, &in_flight, &h->others);

            go = at == KBOX_SC_SAFE ||
                 (at == KBOX_SC_RUNNING && us > HOLD_LONG_MAX_US &&
                  parent_ran(h)) ||
                 (at == KBOX_SC_IN_CALL && us > HOLD_MAX_US && in_flight);
            if (!go && !h->cpu0)
                h->cpu0 = kbox_sc_parent_cpu_ns(h->parent);
        }

        if (go) {
            *pp = h->next;
            h->next = out;
            out = h;
            /* before its reply is sent: no reply to the parent misses it */
            kbox_sc_settling_add(h->parent, h->pidfd, h->others);
        } else {
            pp = &h->next;
        }
    }
    return out;
}

static void release_list(struct held_exit *h, bool wait)
{
    while (h) {
        struct held_exit *next = h->next;

        release_exit(h, wait);
        h = next;
    }
}

/*
 * exit_group answered CONTINUE: hold it (true) or let the caller reply.
 * @known: kbox_proc_parent's answer for the caller, asked before the
 * dispatch (which forgets the exiting process).
 */
static bool hold_exit(const struct seccomp_notif *req, int known, pid_t child,
                      pid_t parent)
{
    struct held_exit *h;
    bool others;

    if (known || parent <= 1 || !kbox_proc_known(parent) ||
        kbox_sc_parent_at(parent, NULL, &others) == KBOX_SC_SAFE)
        return false;
    h = calloc(1, sizeof(*h));
    if (!h)
        return false;
    h->others = others;
    h->id = req->id;
    h->child = child;
    h->parent = parent;
    h->pidfd = (int)syscall(SYS_pidfd_open, child, 0);
    clock_gettime(CLOCK_MONOTONIC, &h->since);
    pthread_mutex_lock(&pool.lock);
    h->next = held_exits;
    held_exits = h;
    if (pool.sentinel_asleep || pool.sentinel_slow) {
        /* its sweep releases the exit: tick at full rate again */
        pool.sentinel_asleep = false;
        pthread_cond_signal(&pool.sentinel_cond);
    }
    pthread_mutex_unlock(&pool.lock);
    return true;
}

static void req_init(struct kbox_req *kr, const struct seccomp_notif *req)
{
    memset(kr, 0, sizeof(*kr));
    kr->nr = req->data.nr;
    memcpy(kr->args, req->data.args, sizeof(kr->args));
    kr->pid = (pid_t)req->pid;
    kr->ip = req->data.instruction_pointer;
    kr->id = req->id;
    kr->ops = &sc_ops;
    kr->tier = &pool.tier;
}

static void handle(struct seccomp_notif *req, struct seccomp_notif_resp *resp)
{
    struct kbox_req kr;
    struct kbox_resp kres;
    pid_t child = 0, parent = 0;
    int known = -1;
    uint64_t a[6];
    unsigned long freed;

    memcpy(a, req->data.args, sizeof(a));
    req_init(&kr, req);
    if (req->data.nr == SYS_exit_group)
        known = kbox_proc_parent(kr.pid, &child, &parent);
    /* What a killed, reaped process held is free for this call (the loop
     * still looks for the groups its exit orphaned: kicked). */
    if (kbox_exits_matter(req->data.nr, a) && kbox_exits_settle())
        kbox_serve_kick();
    freed = kbox_exits_freed();
    kres = kbox_dispatch(&kr);
    /* ... also if the loop let one go while the take ran */
    if (kres.kind == KBOX_RESP_RET &&
        kbox_exits_retry(req->data.nr, a, kres.val) &&
        (kbox_exits_settle() || kbox_exits_freed() != freed)) {
        kbox_serve_kick();
        req_init(&kr, req); /* a failed take changed nothing: again */
        kres = kbox_dispatch(&kr);
    }
    if (req->data.nr == SYS_clone || req->data.nr == SYS_clone3 ||
        req->data.nr == SYS_fork || req->data.nr == SYS_vfork)
        kbox_serve_sweep_soon(); /* its preparation waits for the child */
    if (kres.kind == KBOX_RESP_SENT)
        return;
    if (req->data.nr == SYS_exit_group && kres.kind == KBOX_RESP_CONTINUE &&
        hold_exit(req, known, child, parent))
        return;

    kbox_sc_settle((pid_t)req->pid);
    memset(resp, 0, pool.sizes.seccomp_notif_resp);
    resp->id = req->id;
    if (kres.kind == KBOX_RESP_CONTINUE)
        resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    else if (kres.val < 0)
        resp->error = (__s32)kres.val;
    else
        resp->val = kres.val;
    if (ioctl(pool.tier.listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 &&
        errno != ENOENT && kbox_sup.verbose)
        fprintf(stderr, "kbox: notification reply failed: %s\n",
                strerror(errno));
}

static void *worker(void *arg);

static bool spawn_thread(void *(*fn)(void *))
{
    pthread_t t;
    pthread_attr_t a;
    bool ok;

    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&a, 1 << 20);
    errno = pthread_create(&t, &a, fn, NULL);
    ok = errno == 0;
    pthread_attr_destroy(&a);
    return ok;
}

/*
 * pool.lock held. A worker that cannot be made leaves the requests that
 * need one waiting until a busy worker is free: when every worker is
 * blocked for the guest (threads reading FIFOs of the image), the guest
 * waits for good. Under a memory limit (ulimit -v or -d: each worker's
 * stack is 1 MiB of it) that happened with ~110 blocked calls and not a
 * word said, so it is said once.
 */
static void spawn_worker(void)
{
    static bool said;
    int e = EAGAIN;

    if (pool.workers < MAX_WORKERS) {
        if (spawn_thread(worker)) {
            pool.workers++;
            return;
        }
        e = errno ? errno : EAGAIN;
    }
    if (!said) {
        said = true;
        fprintf(stderr,
                "kbox: cannot start another worker thread (%d, all busy): "
                "%s; guest calls wait for one to be free%s\n",
                pool.workers, strerror(e),
                kbox_sup.guest_mem_lim_set[0] || kbox_sup.guest_mem_lim_set[1]
                    ? " (a larger ulimit -v/-d gives room)"
                    : "");
    }
}

static bool slow_request(int nr)
{
    switch (nr) {
    case SYS_execve:
    case SYS_execveat:
    case SYS_clone:
    case SYS_clone3:
    case SYS_fork:
    case SYS_vfork:
    case SYS_exit_group:
        return true;
    default:
        return false;
    }
}

/* Let another worker receive: wake a follower, or start one; pool.lock
 * held. */
static void promote_leader(void)
{
    if (pool.followers > 0) {
        pool.promote++;
        pthread_cond_signal(&pool.follower_cond);
    } else {
        spawn_worker();
    }
}

/*
 * A handler about to wait for another guest (a contended F_SETLKW or
 * flock): make another worker the leader now. Left to the sentinel, the
 * lock holder's next call (its write, its unlock) waited up to a tick
 * (1 ms, 16 ms when slow) unreceived, every hand-over of a contended lock.
 */
static void op_will_block(struct kbox_req *r)
{
    (void)r;
    pthread_mutex_lock(&pool.lock);
    if (pool.in_recv == 0 && pool.promote == 0) {
        promote_leader();
    }
    pthread_mutex_unlock(&pool.lock);
}

/* The guest side is gone (every filtered task exited). */
static bool listener_hung_up(int listener)
{
    struct pollfd pf = { listener, POLLIN, 0 };

    return poll(&pf, 1, 0) < 0 || (pf.revents & (POLLHUP | POLLNVAL));
}

static void *worker(void *arg)
{
    struct seccomp_notif *req = calloc(1, pool.sizes.seccomp_notif);
    struct seccomp_notif_resp *resp = calloc(1, pool.sizes.seccomp_notif_resp);
    unsigned long gen;
    int listener;

    (void)arg;
    pthread_mutex_lock(&pool.lock);
    gen = pool.gen;
    listener = pool.tier.listener;
    if (!req || !resp)
        goto out;
    for (;;) {
        int rc, e;

        /* Park while another worker leads, unless the sentinel asked
         * for one more leader. */
        while (pool.gen == gen && pool.in_recv > 0 && pool.promote == 0) {
            pool.followers++;
            pthread_cond_wait(&pool.follower_cond, &pool.lock);
            pool.followers--;
        }
        if (pool.gen != gen)
            break; /* an earlier serve's worker */
        if (pool.promote > 0)
            pool.promote--;
        pool.in_recv++;
        pool.recv_gen++;
        pthread_mutex_unlock(&pool.lock);

        memset(req, 0, pool.sizes.seccomp_notif);
        rc = ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req);
        e = errno;

        pthread_mutex_lock(&pool.lock);
        if (pool.gen != gen) {
            /*
             * An earlier serve's worker (unit tests serve several
             * guests). If that serve's listener was closed before this
             * RECV began, the number may be the next serve's listener
             * and the request a new guest's: answer it, or that guest
             * waits for ever.
             */
            if (rc >= 0) {
                pthread_mutex_unlock(&pool.lock);
                handle(req, resp);
                pthread_mutex_lock(&pool.lock);
            }
            break;
        }
        pool.in_recv--;
        if (rc < 0) {
            /* ENOENT: the request went away, or (with POLLHUP) every
             * guest task is gone and RECV would return at once forever. */
            if (e == EINTR || (e == ENOENT && !listener_hung_up(listener)))
                continue;
            break;
        }
        pool.busy++;
        if (pool.sentinel_asleep) {
            pool.sentinel_asleep = false;
            pthread_cond_signal(&pool.sentinel_cond);
        }
        if (held_exits) {
            /* Its sender now waits killably: its children may go. */
            struct held_exit *go = take_held((pid_t)req->pid, false);

            if (go) {
                pthread_mutex_unlock(&pool.lock);
                release_list(go, true);
                pthread_mutex_lock(&pool.lock);
            }
        }
        if (kbox_sc_settling_any()) {
            pthread_mutex_unlock(&pool.lock);
            kbox_sc_settle((pid_t)req->pid);
            pthread_mutex_lock(&pool.lock);
        }
        if (slow_request(req->data.nr)) {
            /* Someone else receives while this one is slow. */
            promote_leader();
        }
        pthread_mutex_unlock(&pool.lock);

        handle(req, resp);

        pthread_mutex_lock(&pool.lock);
        if (pool.gen != gen)
            break;
        if (--pool.busy == 0)
            pthread_cond_broadcast(&pool.idle_cond);
    }
    /* Done: let the followers see why too. */
    pthread_cond_broadcast(&pool.follower_cond);
out:
    if (pool.gen == gen)
        pool.workers--;
    pthread_mutex_unlock(&pool.lock);
    free(req);
    free(resp);
    return NULL;
}

/* The sentinel: see the comment above the pool. */
static void *sentinel(void *arg)
{
    unsigned long seen = 0;
    int idle = 0;
    long tick_us = TICK_US;

    (void)arg;
    pthread_mutex_lock(&pool.lock);
    for (;;) {
        struct timespec ts;

        if (pool.sentinel_asleep) {
            pthread_cond_wait(&pool.sentinel_cond, &pool.lock);
            seen = pool.recv_gen;
            idle = 0;
            tick_us = TICK_US;
            continue;
        }
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += tick_us * 1000L;
        if (ts.tv_nsec >= 1000000000L)
            ts.tv_sec++, ts.tv_nsec -= 1000000000L;
        pthread_cond_timedwait(&pool.sentinel_cond, &pool.lock, &ts);
        if (held_exits) {
            struct held_exit *go = take_held(0, true);

            if (go) {
                pthread_mutex_unlock(&pool.lock);
                release_list(go, false);
                pthread_mutex_lock(&pool.lock);
            }
        }
        if (kbox_sc_settling_any()) {
            pthread_mutex_unlock(&pool.lock);
            kbox_sc_settling_prune(HOLD_CAP_US);
            pthread_mutex_lock(&pool.lock);
        }

        if (pool.busy > 0) {
            /* Calls blocked in lx that a signal would end natively. */
            pthread_mutex_unlock(&pool.lock);
            kbox_inflight_scan();
            pthread_mutex_lock(&pool.lock);
        }
        if (pool.busy > 0 && pool.in_recv == 0 && pool.promote == 0 &&
            pool.recv_gen == seen) {
            /* Requests in flight for a whole tick and nobody receiving:
             * one of them blocks. Let another worker lead. */
            promote_leader();
        }
        idle = pool.busy > 0 || held_exits || kbox_sc_settling_any() ||
                       pool.recv_gen != seen
                   ? 0
                   : idle + 1;
        if (pool.busy > 0 && pool.in_recv > 0 && !held_exits &&
            pool.recv_gen == seen)
            tick_us = tick_us * 2 > SLOW_TICK_US ? SLOW_TICK_US : tick_us * 2;
        else
            tick_us = TICK_US;
        pool.sentinel_slow = tick_us > TICK_US;
        seen = pool.recv_gen;
        if (idle >= IDLE_TICKS)
            pool.sentinel_asleep = true;
    }
    return NULL;
}

static pthread_once_t sentinel_once = PTHREAD_ONCE_INIT;

static void start_sentinel(void)
{
    pthread_condattr_t ca;

    /* The ticks must not jump with the wall clock. */
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&pool.sentinel_cond, &ca);
    pthread_condattr_destroy(&ca);
    if (!spawn_thread(sentinel) && kbox_sup.verbose)
        fprintf(stderr, "kbox: no sentinel thread: a blocking request "
                        "will stall the others\n");
}

/* Wait (bounded) until no request is in flight; true when drained. */
static bool drain(int ms)
{
    struct timespec ts;
    bool ok;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L)
        ts.tv_sec++, ts.tv_nsec -= 1000000000L;
    pthread_mutex_lock(&pool.lock);
    while (pool.busy)
        if (pthread_cond_timedwait(&pool.idle_cond, &pool.lock, &ts))
            break;
    ok = !pool.busy;
    pthread_mutex_unlock(&pool.lock);
    return ok;
}

static volatile sig_atomic_t forward_sig;

/*
 * A signal kbox passed to the main process (main.c) that must also reach
 * the processes left once it is gone. Only SIGTERM and SIGHUP: SIGUSR1,
 * SIGALRM and a relayed SIGINT or SIGQUIT are the main process's alone,
 * and kept here they went to every job left when it exited, long after
 * (a SIGUSR1 the main process handled killed its background jobs).
 */
void kbox_seccomp_forward(int sig)
{
    if (sig == SIGTERM || sig == SIGHUP) {
        forward_sig = sig;
        kbox_serve_kick(); /* the handler may run in any thread */
    }
}

/*
 * The main process is gone; the guest is every process it started. Serve
 * and reap them until the last one has exited, as proot does: a job the
 * guest left running in the background (`cmd &`, a daemon) lost every
 * supervised call (ENOSYS) once kbox stopped serving, and what it wrote
 * was lost. SIGTERM/SIGHUP to kbox go to all of them now.
 */
static void end_the_rest(int sig)
{
    (void)sig;
    forward_sig = SIGTERM;
    kbox_serve_kick();
}

/* The shorter of two poll() timeouts (-1: none). */
static int shorter(int a, int b)
{
    return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

/*
 * Look for process groups left orphaned (src/dispatch/orphan.c) after
 * guest processes exited (@exits), at most every 100 ms: the look reads
 * /proc/<pid>/stat of every guest process, and a shell script's exits
 * come in a stream. A group that changed from held to orphaned between
 * two looks is seen all the same. Returns the ms until a look is due
 * (for poll), -1 for none.
 */
static int orphans_due(bool main_alive, bool exits)
{
    static bool due;
    static struct timespec last;
    struct timespec now;
    long ms;

    due |= exits;
    if (!due)
        return -1;
    clock_gettime(CLOCK_MONOTONIC, &now);
    ms = kbox_ms_between(&last, &now);
    if (ms >= 0 && ms < 100)
        return (int)(100 - ms);
    due = false;
    last = now;
    kbox_orphan_check(main_alive);
    return -1;
}

/* Guest processes ended (their pidfds fired): release their tasks, and
 * signal the process groups they left orphaned. */
static void exits_seen(bool main_alive)
{
    /* Killed ones; those that called exit_group are in the linger
     * watch, their entries gone already. */
    if (kbox_exits_take())
        kbox_serve_sweep_arm();
    kbox_proc_lingering_ended();
    orphans_due(main_alive, true);
}

/* The watches fired (@fired), or a worker swept exits before a call that
 * may take what they held (kbox_exits_settle): the same looks, and a
 * sweep later for the zombies that sweep may have left. */
static void exits_maybe(bool main_alive, bool fired)
{
    bool early = kbox_exits_settled_take();

    if (early)
        kbox_serve_sweep_arm();
    if (fired || early)
        exits_seen(main_alive);
}

static void serve_the_rest(void)
{
    struct timespec start, check, now;
    bool told = false;
    int stopped = 0, ends = 0;

    /*
     * Ctrl-C now reaches kbox (the guest's shell gave the terminal back to
     * kbox's process group), not the jobs left: let it end them, or an
     * interactive session's forgotten background job would hold the
     * terminal with no way out.
     */
    signal(SIGINT, end_the_rest);
    clock_gettime(CLOCK_MONOTONIC, &start);
    check = start;
    for (;;) {
        siginfo_t si;
        int sig = forward_sig, timeout;
        long ms;

        memset(&si, 0, sizeof(si));
        if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG) < 0) {
            if (errno == EINTR)
                continue;
            return; /* ECHILD: the last one is gone */
        }
        if (si.si_pid)
            continue;
        clock_gettime(CLOCK_MONOTONIC, &now);
        ms = kbox_ms_between(&start, &now);
        if (!told && ms >= 500 && isatty(2)) {
            /* half a second on: say what the wait is for */
            fprintf(stderr, "kbox: waiting for the guest's background "
                            "processes (Ctrl-C ends them, a second one "
                            "kills them)\n");
            told = true;
        }
        if (sig) {
            pid_t *pids;
            int n = kbox_proc_list(&pids);

            forward_sig = 0;
            /*
             * A second Ctrl-C, SIGTERM or SIGHUP: what is left ignores or
             * outlasts the first (trap '' TERM). Natively nothing would
             * wait for it, and kbox waited for ever: the only way out was
             * a SIGKILL of kbox, which loses the guest's last writes.
             * Killed now, the guest ends and kbox syncs and halts.
             */
            if ((sig == SIGTERM || sig == SIGHUP) && ends++ > 0)
                sig = SIGKILL;
            for (int i = 0; i < n; i++)
                kill(pids[i], sig);
            free(pids);
        }
        if (kbox_ms_between(&check, &now) >= 1000) {
            /* Once a second: a stop of a process that is not kbox's
             * child sends kbox nothing. */
            check = now;
            kbox_proc_sweep();
            stopped = kbox_orphan_all_stopped() ? stopped + 1 : 0;
        }
        /*
         * Every process left is stopped, for a second or more: no guest
         * process can continue them, and natively nothing would wait for
         * them (chroot's caller went on when the command exited). kbox
         * would wait for ever: they get what an orphaned stopped group
         * gets, SIGHUP and SIGCONT, and run on served (or end).
         */
        if (stopped >= 2) {
            pid_t *pids;
            int n = kbox_proc_list(&pids);

            if (kbox_sup.verbose)
                fprintf(stderr, "kbox: the guest's processes left are all "
                                "stopped: SIGHUP, SIGCONT\n");
            for (int i = 0; i < n; i++)
                kill(pids[i], SIGHUP);
            for (int i = 0; i < n; i++)
                kill(pids[i], SIGCONT);
            if (n >= 0)
                free(pids);
            stopped = 0;
        }
        timeout = (int)(1000 - kbox_ms_between(&check, &now));
        if (!told && isatty(2))
            timeout = shorter(timeout, ms < 500 ? (int)(500 - ms) : 0);
        timeout = shorter(timeout, orphans_due(false, false));
        {
            struct pollfd pf[3] = { { kbox_proc_exit_watch(), POLLIN, 0 },
                                    { kbox_proc_linger_watch(), POLLIN, 0 },
                                    { kbox_serve_kick_fd(), POLLIN, 0 } };
            bool chld; /* the reap at the top follows */

            if (kbox_serve_wait(pf, 3, timeout < 0 ? 0 : timeout, &chld) <= 0)
                continue;
            if (pf[2].revents)
                kbox_serve_drain_kicks();
            exits_maybe(false, pf[0].revents || pf[1].revents);
        }
    }
}

int kbox_seccomp_serve(int listener, int pidfd, pid_t main_pid)
{
    int status = 0;

    if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &pool.sizes) < 0) {
        pool.sizes.seccomp_notif = sizeof(struct seccomp_notif);
        pool.sizes.seccomp_notif_resp = sizeof(struct seccomp_notif_resp);
    }
    if (pool.sizes.seccomp_notif < sizeof(struct seccomp_notif))
        pool.sizes.seccomp_notif = sizeof(struct seccomp_notif);
    if (pool.sizes.seccomp_notif_resp < sizeof(struct seccomp_notif_resp))
        pool.sizes.seccomp_notif_resp = sizeof(struct seccomp_notif_resp);

    kbox_serve_wakes_init();
    pthread_once(&sentinel_once, start_sentinel);
    pthread_mutex_lock(&pool.lock);
    pool.tier.listener = listener;
    /* A fresh pool for this listener; an earlier serve's workers (unit
     * tests serve several guests) see the new generation and leave. */
    pool.gen++;
    pool.workers = pool.in_recv = pool.busy = pool.promote = 0;
    pthread_cond_broadcast(&pool.follower_cond);
    spawn_worker();
    if (!pool.workers) {
        /* No thread to receive requests (kbox's threads count against
         * ulimit -v and -u): the guest's first call waited for ever. */
        pthread_mutex_unlock(&pool.lock);
        kill(main_pid, SIGKILL);
        return -EAGAIN;
    }
    pthread_mutex_unlock(&pool.lock);

    {
        struct timespec sweep_at = { 0, 0 };
        bool sweep_set = false, stop_look = true;

        for (;;) {
            struct pollfd pf[4] = { { pidfd, POLLIN, 0 },
                                    { kbox_proc_exit_watch(), POLLIN, 0 },
                                    { kbox_proc_linger_watch(), POLLIN, 0 },
                                    { kbox_serve_kick_fd(), POLLIN, 0 } };
            int timeout =
                    kbox_serve_sweep_timer(&sweep_at, &sweep_set, main_pid),
                pr, e;
            bool chld;
            siginfo_t si;

            if (stop_look)
                stop_look = kbox_serve_follow_stop(main_pid);
            timeout = shorter(timeout, orphans_due(true, false));
            if (stop_look)
                timeout = shorter(timeout, 100); /* looked at by polling */
            pr = kbox_serve_wait(pf, 4, timeout, &chld);
            e = errno;
            if (pr < 0 && e != EINTR)
                break;
            if (pr > 0 && pf[3].revents)
                kbox_serve_drain_kicks();
            if (pr > 0)
                exits_maybe(true, pf[1].revents || pf[2].revents);
            if (chld) {
                /* Adopted orphans are reaped at each SIGCHLD (merged
                 * ones too: the reap takes every zombie), after
                 * exits_seen (pids reused); only on an idle tick, a
                 * killed process tree a round piled them up (stress 37). */
                stop_look = true;
                kbox_serve_reap_others(main_pid);
            }
            if (pr <= 0 || !pf[0].revents)
                continue;
            memset(&si, 0, sizeof(si));
            if (waitid(P_PID, (id_t)main_pid, &si, WEXITED) == 0) {
                kbox_proc_main_exits(main_pid); /* killed: no exit_group */
                if (si.si_code == CLD_EXITED)
                    status = si.si_status & 0xff;
                else
                    status = 128 + si.si_status;
                /* What it leaves orphaned (its own group among them) */
                kbox_orphan_check(false);
                break;
            }
        }
    }
    serve_the_rest();
    {
        struct held_exit *go;

        pthread_mutex_lock(&pool.lock);
        go = take_held(0, false);
        pthread_mutex_unlock(&pool.lock);
        release_list(go, true);
        kbox_sc_settling_prune(-1);
    }
    /* Requests still blocked in the kernel get -ESHUTDOWN at halt. */
    if (!drain(2000) && kbox_sup.verbose)
        fprintf(stderr, "kbox: requests still in flight at exit\n");
    return status;
}
