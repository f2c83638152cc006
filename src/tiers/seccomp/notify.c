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
#include "pool.h"
#include "settle.h"
#include "wake.h"

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

#define KBOX_FLAG_WAIT_KILLABLE_RECV (1UL << 5)

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
        kbox_sc_settle(r->pid); /* it answers: see held exits (pool.c) */
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

const struct kbox_tier_ops kbox_sc_ops = {
    .read = op_read,
    .write = op_write,
    .poke = op_poke,
    .read_str = op_read_str,
    .valid = op_valid,
    .addfd = op_addfd,
    .pending_signal = op_pending_signal,
    .read_many = op_read_many,
    .will_block = kbox_sc_will_block,
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
