/* SPDX-License-Identifier: MIT */
/*
 * Calls that name another process: signals (kill, tkill, tgkill,
 * rt_sigqueueinfo, rt_tgsigqueueinfo, pidfd_open) and scheduling,
 * priority, rlimit and process-group calls on a pid. Guest pids are host
 * pids, and these calls were ALLOWed in the filter, so a guest could
 * signal, renice or re-limit any host process of kbox's user: `kill -9
 * -1` in the guest ended the user's whole session, while /proc showed
 * the guest only its own processes. Now a target must be a guest
 * process, as /proc says, or kbox (the guest's parent, see is_kbox());
 * any other pid does not exist (ESRCH). The filter still ALLOWs these
 * calls on the caller itself (pid 0).
 *
 * Signals also get the kernel's permission check in guest terms (lx
 * checks kill(pid, 0) with the guest identities: a guest user cannot
 * signal a guest root process), which the host, seeing one user, could
 * not make. An unreaped guest zombie is still a process to all of
 * these, as natively, with the permissions its kept credentials give.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/abi.h"
#include "kbox/dispatch.h"

#define A(i)   ((long)r->args[i])
#define PID(i) ((pid_t)kbox_arg_int(r->args[i]))

/* The process of thread @tid, if it is a guest's; 0 if not. */
static pid_t guest_tgid_of(pid_t tid)
{
    pid_t tgid, ppid;

    if (tid <= 0)
        return 0;
    if (kbox_proc_is_guest(tid))
        return tid;
    if (kbox_proc_status(tid, &tgid, &ppid) || tgid == tid ||
        !kbox_proc_is_guest(tgid))
        return 0;
    return tgid;
}

/*
 * May the caller send @sig to process @pid, in the guest's identities?
 * lx has a task per guest process at its host pid; a child not known to
 * lx yet has its parent's identity, which the caller may then check as
 * well. SIGCONT needs no rights within one session (check_kill_
 * permission): a user's shell continued a job it had stopped that
 * became root's (su, sudo) - EPERM here, as lx's check is kill(pid, 0)
 * and its tasks do not keep the guest's sessions; the host's do.
 */
static long may_signal(struct kbox_req *r, pid_t pid, int sig)
{
    long rc = kbox_lx(r, LX__NR_kill, pid, 0, 0, 0, 0, 0);
    pid_t sid;

    if (rc == -ESRCH) {
        /*
         * A guest process whose task has not taken its pid yet (that is
         * done at its first call into lx; a child that only stopped
         * itself has made none): entering its task gives it the pid.
         * lx found nobody there, and any guest user could signal a root
         * process so.
         */
        struct kbox_proc *p = kbox_proc_lookup(pid);

        if (p && p->task) {
            long a[6] = { 0 };

            lx_task_syscall(p->task, LX__NR_getpid, a);
            rc = kbox_lx(r, LX__NR_kill, pid, 0, 0, 0, 0, 0);
        }
        if (p)
            kbox_proc_put(p);
    }
    if (rc != -EPERM)
        return 0;
    /* 0 is a session whose leader is outside kbox's pid namespace (a
     * container's): CI's machines run so */
    if (sig == SIGCONT && (sid = getsid(pid)) >= 0 && sid == getsid(r->pid))
        return 0;
    return -EPERM;
}

/*
 * kbox itself: the parent of the guest's first process and of the
 * orphans it adopts, so getppid() names it. Natively that parent is a
 * live process its child may query and signal ("is my parent alive?" is
 * kill(getppid(), 0); Python's test_posix asks sched_getscheduler of
 * it). Here it stands outside the guest, as a parent outside a pid
 * namespace does: queries are answered for it, changes refused (EPERM),
 * and signals accepted and dropped, as init drops those it has no
 * handler for - delivered, kbox would forward SIGUSR1 back to the guest
 * and end unsynced on SIGKILL.
 */
static bool is_kbox(pid_t pid)
{
    static pid_t self;

    if (!self)
        self = getpid();
    return pid == self;
}

/* A call of h_on_pid's that only reads the process's state. */
static bool reads_only(const struct kbox_req *r)
{
    switch (r->nr) {
    case SYS_sched_getaffinity:
    case SYS_sched_getscheduler:
    case SYS_sched_getparam:
    case SYS_sched_getattr:
    case SYS_sched_rr_get_interval:
    case SYS_getpgid:
    case SYS_getsid:
        return true;
    case SYS_prlimit64:
        return !r->args[2]; /* no new limit */
    default:
        return false;
    }
}

#define SIGCHLD_BIT (1ull << (SIGCHLD - 1))

/*
 * Send @sig to @pid from here when it will stop, continue or end a child
 * of the caller, and answer only once the caller has the SIGCHLD that
 * follows pending (bounded): the caller takes it on leaving kill(). Had
 * the host sent the signal after our answer, the SIGCHLD could land
 * while the caller's next supervised call waits to be received, and a
 * handler without SA_RESTART (dash's) would see that call fail with
 * EINTR (docs/supervisor.md, "Signals and EINTR"): `kill -STOP $p; kill
 * -CONT $p` did. Only when the caller handles SIGCHLD. The target sees
 * kbox as the sender (si_pid) - it has no handler for @sig, or only
 * for SIGCONT. 1: sent; 0: the host should send it; -errno.
 */
static bool settle_due(struct kbox_req *r, pid_t pid, int sig)
{
    char cs[4096], ts[4096];
    const char *pp;

    if (sig <= 0 || sig > 64 ||
        !kbox_abi_read_status(r->proc->tgid, cs, sizeof(cs)) ||
        !(kbox_abi_status_mask(cs, "SigCgt:") & SIGCHLD_BIT) ||
        !kbox_abi_read_status(pid, ts, sizeof(ts)))
        return false;
    pp = strstr(ts, "\nPPid:");
    return pp && (pid_t)strtol(pp + 7, NULL, 10) == r->proc->tgid &&
           kbox_abi_signal_changes_state(ts, sig);
}

/* settle_due() is the test above; this sends and waits for the SIGCHLD. */
static int send_settled(struct kbox_req *r, pid_t pid, int sig)
{
    char cs[4096];

    if (!settle_due(r, pid, sig))
        return 0;
    if (kill(pid, sig))
        return -errno;
    for (int i = 0; i < 200; i++) {
        struct timespec ts100 = { 0, 100000 };

        if (kbox_abi_read_status(r->proc->tgid, cs, sizeof(cs)) &&
            (kbox_abi_status_mask(cs, "ShdPnd:") & SIGCHLD_BIT))
            break;
        nanosleep(&ts100, NULL);
    }
    return 1;
}

/* Send @sig from here, settled as send_settled() does when it matters. */
static int send_from_kbox(struct kbox_req *r, pid_t pid, int sig)
{
    int rc = send_settled(r, pid, sig);

    if (rc)
        return rc < 0 ? rc : 0;
    return kill(pid, sig) ? -errno : 0;
}

/* Process group @pgid has a guest process in it. */
static bool guest_group(pid_t pgid)
{
    pid_t *v;
    int n = kbox_proc_in_group(pgid, &v);

    free(v);
    return n > 0;
}

/*
 * Signal each of @pids (guest processes) from here, the caller last if
 * it is one of them and @self: 0 when any was signalled, else EPERM if
 * the guest's permissions refused one, else ESRCH.
 */
static long kill_each(struct kbox_req *r, const pid_t *pids, int n, int sig,
                      bool self)
{
    int sent = 0, denied = 0;
    bool caller = false;

    for (int i = 0; i < n; i++) {
        if (pids[i] == r->proc->tgid) {
            caller = self;
            continue;
        }
        if (may_signal(r, pids[i], sig)) {
            denied++;
            continue;
        }
        if (send_from_kbox(r, pids[i], sig) == 0)
            sent++;
    }
    if (caller && kill(r->proc->tgid, sig) == 0)
        sent++;
    if (sent)
        return 0;
    return denied ? -EPERM : -ESRCH;
}

/*
 * How many live host processes are in process group @pgid (host /proc).
 * Zombies do not count: kbox forgets a guest process at its exit, and a
 * signal to a zombie does nothing.
 */
static int group_size(pid_t pgid)
{
    char buf[512], *cp, state;
    struct dirent *e;
    DIR *d = opendir("/proc");
    int n = 0, pg;

    if (!d)
        return -1;
    while ((e = readdir(d))) {
        pid_t pid = (pid_t)atoi(e->d_name);

        /* "pid (comm) S ppid pgrp": comm may hold anything, even ")" */
        if (pid <= 0 || kbox_abi_proc_text(pid, "stat", buf, sizeof(buf)) < 0 ||
            !(cp = strrchr(buf, ')')) ||
            sscanf(cp + 1, " %c %*d %d", &state, &pg) != 2)
            continue;
        if (pg == pgid && state != 'Z' && state != 'X')
            n++;
    }
    closedir(d);
    return n;
}

/*
 * May the host send kill(-@pgid) itself? Sent from here, every member
 * saw kbox as the sender (si_pid): a handler that checks who
 * signalled it (its parent, its process group's leader) took it for a
 * stranger's. The host may send when the group holds only the @n guest
 * processes of @pids (not kbox or any other host process), the guest's
 * permissions allow each, and none is a child whose SIGCHLD must be
 * settled first (send_settled).
 */
static bool host_may_send(struct kbox_req *r, pid_t pgid, const pid_t *pids,
                          int n, int sig)
{
    if (n <= 0 || pgid == getpgrp())
        return false;
    for (int i = 0; i < n; i++)
        if (may_signal(r, pids[i], sig) ||
            (pids[i] != r->proc->tgid && settle_due(r, pids[i], sig)))
            return false;
    return group_size(pgid) == n;
}

/*
 * kill(0) and kill(-pgid): each guest process of the group in turn, the
 * caller last. The group may hold host processes too - kbox itself, as
 * the guest starts in kbox's group - which a guest must not stop or
 * kill (the image would not be synced). A group of guest processes only
 * gets the host's kill (host_may_send): 1. kill(-1): every guest process
 * but the caller.
 */
static long kill_group(struct kbox_req *r, pid_t pgid, int sig)
{
    pid_t *pids;
    int n = kbox_proc_in_group(pgid, &pids);
    long rc;

    if (n >= 0 && host_may_send(r, pgid, pids, n, sig))
        rc = 1;
    else
        rc = n < 0 ? n : kill_each(r, pids, n, sig, true);
    free(pids);
    return rc;
}

static long kill_all(struct kbox_req *r, int sig)
{
    pid_t *pids;
    int n = kbox_proc_list(&pids);
    long rc = n < 0 ? n : kill_each(r, pids, n, sig, false);

    free(pids);
    return rc;
}

/*
 * Is @pid a guest process that has exited and not been reaped yet (a
 * zombie whose parent is a guest)? kill() on one succeeds natively, with
 * no effect: `kill -0 $pid` says it exists until the parent waits. So
 * does one still exiting: kbox forgets a process at its exit_group, and
 * until it is a zombie (its exit held for its parent, waiting for a CPU,
 * tearing down a large address space: milliseconds) kill(pid, 0) was
 * ESRCH; trinity then took its child for gone and never reaped it. Such
 * a process has PF_EXITING in stat's flags, or is still in exit_group
 * (/proc/<pid>/syscall).
 */
#define PF_EXITING_ 0x4u
static bool guest_zombie(pid_t pid)
{
    char buf[512], *close_paren;
    int ppid = 0;
    unsigned int flags = 0;
    char state = 0;

    if (kbox_abi_proc_text(pid, "stat", buf, sizeof(buf)) < 0)
        return false;
    /* "pid (comm) S ppid ...": comm may hold anything, even ")" */
    close_paren = strrchr(buf, ')');
    /* state ppid pgrp session tty_nr tpgid flags */
    if (!close_paren || sscanf(close_paren + 1, " %c %d %*d %*d %*d %*d %u",
                               &state, &ppid, &flags) != 3)
        return false;
    if (ppid <= 0 || !kbox_proc_is_guest((pid_t)ppid))
        return false;
    if (state == 'Z' || state == 'X' || (flags & PF_EXITING_))
        return true;
    if (kbox_abi_proc_text(pid, "syscall", buf, sizeof(buf)) <= 0)
        return false;
    return atol(buf) == SYS_exit_group || atol(buf) == SYS_exit;
}

/*
 * may_signal() for a guest zombie, whose task kbox dropped at its exit:
 * Linux keeps a zombie's credentials and check_kill_permission uses
 * them, so a guest user's kill(root_zombie, SIGTERM) is EPERM (it was
 * 0), its kill(own_zombie, 0) 0. Checked against the ids the task had
 * (kbox_proc_ended_ids); unknown ones (more than ENDED_MAX exits since)
 * let the call through, as before.
 */
static long may_signal_zombie(struct kbox_req *r, pid_t pid, int sig)
{
    unsigned int tu, ts, u[3];
    pid_t sid;

    if (sig < 0 || sig > 64)
        return -EINVAL;
    if (kbox_proc_ended_ids(pid, &tu, &ts) ||
        kbox_lx(r, LX__NR_getresuid, (long)&u[0], (long)&u[1], (long)&u[2], 0,
                0, 0) < 0)
        return 0;
    /* kill_ok_by_cred: the caller's real or effective uid is the
     * target's real or saved one, or it has CAP_KILL */
    if (u[0] == tu || u[0] == ts || u[1] == tu || u[1] == ts ||
        kbox_lx_capable(r, 5 /* CAP_KILL */))
        return 0;
    /* a zombie keeps its session until reaped, as may_signal() */
    if (sig == SIGCONT && (sid = getsid(pid)) >= 0 && sid == getsid(r->pid))
        return 0;
    return -EPERM;
}

static bool lx_can_nice(struct kbox_req *r);

/*
 * May the caller change the priority or scheduling of guest zombie
 * @pid? Linux keeps a zombie's credentials: set_one_prio and
 * check_same_owner want the caller's euid to be the target's uid or
 * euid, set_task_ioprio (@io) the caller's uid or euid to be the
 * target's uid; CAP_SYS_NICE overrides. lx checks that on the zombie's
 * kept task; for one lx did not keep kbox knows its uid and saved uid
 * only (kbox_proc_ended_ids), so the saved uid stands in for the euid,
 * which is one of them but after a setresuid() to three ids; unknown ids
 * let the call through.
 */
static long may_change_zombie(struct kbox_req *r, pid_t pid, bool io)
{
    unsigned int tu, ts, u[3];
    long rc = kbox_pid_perm(r, pid, io ? KBOX_PERM_IOPRIO : KBOX_PERM_OWNER);

    /* lx's kept zombie has all its ids */
    if (rc != -ESRCH)
        return rc;
    if (kbox_proc_ended_ids(pid, &tu, &ts) ||
        kbox_lx(r, LX__NR_getresuid, (long)&u[0], (long)&u[1], (long)&u[2], 0,
                0, 0) < 0 ||
        lx_can_nice(r))
        return 0;
    if (io ? (u[0] == tu || u[1] == tu) : (u[1] == tu || u[1] == ts))
        return 0;
    return -EPERM;
}

static struct kbox_resp h_kill(struct kbox_req *r)
{
    pid_t pid = PID(0);
    long rc;

    if (pid == r->proc->tgid)
        return kbox_continue();
    if (pid <= 0 && ((int)A(1) < 0 || (int)A(1) > 64))
        return kbox_ret(-EINVAL); /* sent from here: check as Linux does */
    if (pid == -1)
        return kbox_ret(kill_all(r, (int)A(1)));
    if (pid <= 0) {
        pid_t pgid = pid ? -pid : getpgid(r->pid);

        if (pgid < 0)
            return kbox_ret(-errno);
        rc = kill_group(r, pgid, (int)A(1));
        return rc == 1 ? kbox_continue() : kbox_ret(rc);
    }
    if (is_kbox(pid))
        return kbox_ret((int)A(1) < 0 || (int)A(1) > 64 ? -EINVAL : 0);
    if (!kbox_proc_is_guest(pid))
        return kbox_ret(guest_zombie(pid) ? may_signal_zombie(r, pid, (int)A(1))
                                          : -ESRCH);
    rc = may_signal(r, pid, (int)A(1));
    if (!rc)
        rc = send_settled(r, pid, (int)A(1));
    if (rc < 0)
        return kbox_ret(rc);
    return rc ? kbox_ret(0) : kbox_continue();
}

/*
 * tkill(tid, sig), tgkill(tgid, tid, sig), rt_tgsigqueueinfo likewise.
 * Pids that cannot name a process go to the host for its EINVAL/ESRCH.
 */
static struct kbox_resp h_thread_kill(struct kbox_req *r)
{
    bool tg = r->nr != SYS_tkill;
    pid_t tid = tg ? PID(1) : PID(0), tgid = tg ? PID(0) : 0;
    long rc;

    if (tid <= 0 || (tg && tgid <= 0) || tid == r->pid ||
        (tg && tgid == r->proc->tgid))
        return kbox_continue();
    if (tg)
        tgid = kbox_proc_is_guest(tgid) ? tgid : 0;
    else
        tgid = guest_tgid_of(tid);
    /* a zombie is its leader thread until reaped: signalled as kill()
     * does, the host then checks the rest (siginfo, tid in tgid) */
    if (!tgid && (!tg || PID(0) == tid) && guest_zombie(tid)) {
        rc = may_signal_zombie(r, tid, (int)A(tg ? 2 : 1));
        return rc ? kbox_ret(rc) : kbox_continue();
    }
    if (!tgid)
        return kbox_ret(-ESRCH);
    rc = may_signal(r, tgid, (int)A(tg ? 2 : 1));
    return rc ? kbox_ret(rc) : kbox_continue();
}

/*
 * pidfd_send_signal(fd, sig, info, flags). A pidfd is a host fd (from
 * pidfd_open, which only names guests, or CLONE_PIDFD): the host sends.
 * A /proc/<pid> directory (kill(1) of procps, killall, Python's
 * pidfd_send_signal on os.open("/proc/N")) is an lx fd, which the host
 * sees as a placeholder (EBADF): sent from here, to guests only, with
 * lx's permission check; as from kill(), si_pid is then kbox's.
 */
/*
 * A host pidfd (pidfd_open, CLONE_PIDFD): the host sends, but it sees
 * one user, so the guest's permission check is made here first, on the
 * process the fd's fdinfo names: a guest user could end a guest root
 * process, or signal a root zombie, through one.
 */
static struct kbox_resp host_pidfd_signal(struct kbox_req *r, int sig)
{
    char name[32], buf[1024], *p;
    pid_t pid;
    long rc;

    snprintf(name, sizeof(name), "fdinfo/%d", (int)kbox_arg_int(r->args[0]));
    if (kbox_abi_proc_text(r->pid, name, buf, sizeof(buf)) < 0 ||
        !(p = strstr(buf, "\nPid:")))
        return kbox_continue(); /* not a pidfd: the host's EBADF */
    pid = (pid_t)strtol(p + 5, NULL, 10);
    if (pid <= 0 || pid == r->proc->tgid || sig < 0 || sig > 64)
        return kbox_continue(); /* gone, itself, or the host's EINVAL */
    if (kbox_proc_is_guest(pid))
        rc = may_signal(r, pid, sig);
    else
        rc = guest_zombie(pid) ? may_signal_zombie(r, pid, sig) : 0;
    return rc ? kbox_ret(rc) : kbox_continue();
}

static struct kbox_resp h_pidfd_send_signal(struct kbox_req *r)
{
    int lxfd = kbox_lxfd(r, (int)kbox_arg_int(r->args[0])), sig = (int)A(1);
    char path[64], *end;
    long sfs[32]; /* lx's struct statfs: f_type first, as on the host */
    siginfo_t info;
    pid_t pid;
    long rc;

    if (lxfd < 0)
        return host_pidfd_signal(r, sig);
    if (kbox_lx(r, LX__NR_fstatfs, lxfd, (long)sfs, 0, 0, 0, 0) ||
        sfs[0] != PROC_SUPER_MAGIC ||
        lx_task_fd_path(r->task, lxfd, path, sizeof(path)) < 0 ||
        strncmp(path, "/proc/", 6) || path[6] < '1' || path[6] > '9')
        return kbox_ret(-EBADF);
    pid = (pid_t)strtol(path + 6, &end, 10);
    if (*end)
        return kbox_ret(-EBADF);
    if (A(3))
        return kbox_ret(-EINVAL); /* PIDFD_SIGNAL_* need a pidfd here */
    if (sig < 0 || sig > 64)
        return kbox_ret(-EINVAL);
    if (r->args[2]) {
        if (r->ops->read(r, r->args[2], &info, sizeof(info)))
            return kbox_ret(-EFAULT);
        if (info.si_signo != sig)
            return kbox_ret(-EINVAL);
        /* only the target itself may claim to be the kernel or kill() */
        if ((info.si_code >= 0 || info.si_code == SI_TKILL) &&
            pid != r->proc->tgid)
            return kbox_ret(-EPERM);
    }
    /* a zombie's /proc/<pid> stays until it is reaped (zombie.c): as
     * kill(), the signal is checked and goes nowhere */
    if (!kbox_proc_is_guest(pid))
        return kbox_ret(guest_zombie(pid) ? may_signal_zombie(r, pid, sig)
                                          : -ESRCH);
    rc = may_signal(r, pid, sig);
    if (rc || !sig)
        return kbox_ret(rc);
    if (r->args[2])
        return kbox_ret(syscall(SYS_rt_sigqueueinfo, pid, sig, &info) ? -errno
                                                                      : 0);
    return kbox_ret(send_from_kbox(r, pid, sig));
}

/*
 * Raising a scheduling priority - a lower nice value, a real-time
 * policy, a higher real-time priority, leaving SCHED_IDLE - needs
 * CAP_SYS_NICE unless RLIMIT_NICE or RLIMIT_RTPRIO allow it, and
 * changing another process's needs the same owner (Linux's
 * user_check_sched_setscheduler and set_one_prio). The host checks
 * kbox's identity: kbox run by root let a guest user renice to -20 or
 * take SCHED_FIFO on the host. So unless the caller's lx credentials
 * hold CAP_SYS_NICE, the rules are checked here against the target's
 * host state and limits, and another process's owner by lx (pidperm.c:
 * check_same_owner, in guest ids). kbox not root: the host
 * refuses what kbox may not do, a guest root's raise included.
 */
static bool lx_can_nice(struct kbox_req *r)
{
    return kbox_lx_capable(r, 23); /* CAP_SYS_NICE */
}

static unsigned long long soft_limit(pid_t pid, int res)
{
    struct rlimit rl;

    return prlimit(pid, res, NULL, &rl) ? 0 : (unsigned long long)rl.rlim_cur;
}

/* May thread @tid get nice value @nice (can_nice)? */
static bool nice_allowed(pid_t tid, int nice)
{
    int cur;

    errno = 0;
    cur = getpriority(PRIO_PROCESS, (id_t)tid);
    if (errno || nice >= cur)
        return true; /* gone (the host answers), or not a raise */
    return (unsigned long long)(20 - nice) <= soft_limit(tid, RLIMIT_NICE);
}

/* user_check_sched_setscheduler's rules for thread @tid. */
static long sched_allowed(pid_t tid, int policy, unsigned int prio, int nice,
                          bool has_nice)
{
    struct sched_param sp;
    int cur = sched_getscheduler(tid);

    if (cur < 0 || sched_getparam(tid, &sp))
        return 0; /* the host answers */
    cur &= ~SCHED_RESET_ON_FORK;
    if ((policy == SCHED_OTHER || policy == SCHED_BATCH ||
         policy == SCHED_IDLE) &&
        has_nice && !nice_allowed(tid, nice))
        return -EPERM;
    if (policy == SCHED_FIFO || policy == SCHED_RR) {
        unsigned long long rl = soft_limit(tid, RLIMIT_RTPRIO);

        if (policy != cur && !rl)
            return -EPERM;
        if (prio > (unsigned int)sp.sched_priority && prio > rl)
            return -EPERM;
    }
    if (policy == 6) /* SCHED_DEADLINE */
        return -EPERM;
    if (cur == SCHED_IDLE && policy != SCHED_IDLE) {
        int n;

        errno = 0;
        n = getpriority(PRIO_PROCESS, (id_t)tid);
        if (!errno &&
            (unsigned long long)(20 - n) > soft_limit(tid, RLIMIT_NICE))
            return -EPERM;
    }
    return 0;
}

/* sched_setscheduler, sched_setparam, sched_setattr on thread @tid. */
static long sched_change_allowed(struct kbox_req *r, pid_t tid, bool self)
{
    int policy, nice = 0;
    unsigned int prio;
    bool has_nice = false;

    if (lx_can_nice(r))
        return 0;
    if (!self &&
        kbox_pid_perm(r, guest_tgid_of(tid), KBOX_PERM_OWNER) == -EPERM)
        return -EPERM;
    if (r->nr == SYS_sched_setattr) {
        /* size, policy, flags, nice, priority: the start of every version */
        struct {
            uint32_t size, policy;
            uint64_t flags;
            int32_t nice;
            uint32_t priority;
        } a;

        if (r->ops->read(r, r->args[1], &a, sizeof(a)))
            return 0; /* the host says EFAULT */
        policy = (a.flags & 0x08)
                     ? sched_getscheduler(tid) & ~SCHED_RESET_ON_FORK
                     : (int)a.policy; /* SCHED_FLAG_KEEP_POLICY */
        prio = a.priority;
        nice = a.nice < -20 ? -20 : a.nice > 19 ? 19 : a.nice;
        has_nice = !(a.flags & 0x10); /* SCHED_FLAG_KEEP_PARAMS */
    } else {
        struct sched_param sp;

        if (r->ops->read(r, r->args[r->nr == SYS_sched_setparam ? 1 : 2], &sp,
                         sizeof(sp)))
            return 0;
        policy = r->nr == SYS_sched_setparam
                     ? sched_getscheduler(tid) & ~SCHED_RESET_ON_FORK
                     : (int)(A(1) & ~SCHED_RESET_ON_FORK);
        prio = (unsigned int)sp.sched_priority;
    }
    return sched_allowed(tid, policy, prio, nice, has_nice);
}

/* setpriority(which, who, nice) on process @pid (one of the guest's). */
static long renice_allowed(struct kbox_req *r, pid_t pid, bool self)
{
    int nice = (int)A(2);

    if (!self &&
        kbox_pid_perm(r, guest_tgid_of(pid), KBOX_PERM_OWNER) == -EPERM)
        return -EPERM;
    nice = nice < -20 ? -20 : nice > 19 ? 19 : nice;
    return nice_allowed(pid, nice) ? 0 : -EACCES;
}

/*
 * One process by pid: rt_sigqueueinfo, pidfd_open, prlimit64, the
 * sched_* calls, getpgid, getsid, setpgid, get_robust_list (another
 * process's address). The filter ALLOWs pid 0.
 */
static bool sched_change(long nr)
{
    return nr == SYS_sched_setscheduler || nr == SYS_sched_setparam ||
           nr == SYS_sched_setattr;
}

/*
 * The rules of h_on_pid's other calls that the host, seeing one user,
 * cannot check (pidperm.c): lx's verdict on process or zombie @pid.
 */
static long other_allowed(struct kbox_req *r, pid_t pid)
{
    switch (r->nr) {
    case SYS_prlimit64:
        return kbox_pid_perm(r, pid, KBOX_PERM_RLIMIT);
    case SYS_get_robust_list:
        return kbox_pid_perm(r, pid, KBOX_PERM_PTRACE_READ);
    case SYS_sched_setaffinity:
        return lx_can_nice(r) ? 0 : kbox_pid_perm(r, pid, KBOX_PERM_OWNER);
    default:
        return 0;
    }
}

static struct kbox_resp h_on_pid(struct kbox_req *r)
{
    pid_t pid = PID(0), tgid;
    long rc;

    if (pid < 0)
        return kbox_continue();
    if (!pid || pid == r->pid || pid == r->proc->tgid) {
        rc = sched_change(r->nr)
                 ? sched_change_allowed(r, pid ? pid : r->pid, true)
                 : 0;
        return rc ? kbox_ret(rc) : kbox_continue();
    }
    if (is_kbox(pid)) {
        if (r->nr == SYS_rt_sigqueueinfo) /* a signal: dropped */
            return kbox_ret(A(1) < 1 || A(1) > 64 ? -EINVAL : 0);
        return reads_only(r) ? kbox_continue() : kbox_ret(-EPERM);
    }
    /* a guest's unreaped child is the host's: pidfd_open of it works
     * (asyncio's child watcher failed on ESRCH) */
    if (!(tgid = guest_tgid_of(pid))) {
        if (!guest_zombie(pid))
            return kbox_ret(-ESRCH);
        if (r->nr == SYS_rt_sigqueueinfo)
            rc = may_signal_zombie(r, pid, (int)A(1));
        else if (sched_change(r->nr) || r->nr == SYS_sched_setaffinity)
            rc = may_change_zombie(r, pid, false);
        else
            rc = (rc = other_allowed(r, pid)) == -ESRCH ? 0 : rc;
        return rc ? kbox_ret(rc) : kbox_continue();
    }
    if (r->nr == SYS_rt_sigqueueinfo && (rc = may_signal(r, pid, (int)A(1))))
        return kbox_ret(rc);
    /* a thread of the caller's own process: its own ids, nothing to ask */
    if (sched_change(r->nr) &&
        (rc = sched_change_allowed(r, pid, tgid == r->proc->tgid)))
        return kbox_ret(rc);
    if (tgid != r->proc->tgid && (rc = other_allowed(r, tgid)) == -EPERM)
        return kbox_ret(rc);
    return kbox_continue();
}

/*
 * RLIMIT_FSIZE of the caller (prlimit64 on itself, setrlimit): set on
 * the host by kbox and given to lx's tasks of the process, which check
 * it (ext4, tmpfs: EFBIG past it; the engine sends the SIGXFSZ). Only
 * the host had it: writes to image files went past `ulimit -f`.
 */
static void fsize_to_lx(struct kbox_req *r, const struct rlimit *rl)
{
    long a[6] = { 0, RLIMIT_FSIZE, (long)rl, 0, 0, 0 };

    kbox_lx(r, LX__NR_prlimit64, 0, RLIMIT_FSIZE, (long)rl, 0, 0, 0);
    if (r->proc->task && r->proc->task != r->task)
        lx_task_syscall(r->proc->task, LX__NR_prlimit64, a);
}

static struct kbox_resp set_fsize(struct kbox_req *r, uint64_t unew,
                                  uint64_t uold)
{
    struct rlimit nl, old;

    if (r->ops->read(r, unew, &nl, sizeof(nl)))
        return kbox_ret(-EFAULT);
    if (prlimit(r->proc->tgid, RLIMIT_FSIZE, &nl, &old))
        return kbox_ret(-errno);
    fsize_to_lx(r, &nl);
    if (uold && r->ops->write(r, uold, &old, sizeof(old)))
        return kbox_ret(-EFAULT);
    return kbox_ret(0);
}

/*
 * RLIMIT_FSIZE of another guest process (thread @tid's): its lx task
 * checks it as well, so it is set there first, by the caller's task
 * (lx's rules: a raise of the hard limit needs CAP_SYS_RESOURCE in
 * guest terms), then on the host by kbox, whose refusal puts lx's back.
 * The host alone had it: the target's image writes went past it. Its
 * other threads' lx tasks keep the old limit, as with setrlimit.
 */
static struct kbox_resp set_other_fsize(struct kbox_req *r, pid_t tid)
{
    struct rlimit nl, old, lxold;
    pid_t tgid = guest_tgid_of(tid);
    long rc;

    if (r->ops->read(r, r->args[2], &nl, sizeof(nl)))
        return kbox_ret(-EFAULT);
    rc = kbox_lx(r, LX__NR_prlimit64, tgid, RLIMIT_FSIZE, (long)&nl,
                 (long)&lxold, 0, 0);
    if (rc == -ESRCH)
        return kbox_continue(); /* not in lx: the host's, as before */
    if (rc)
        return kbox_ret(rc);
    if (prlimit(tid, RLIMIT_FSIZE, &nl, &old)) {
        rc = -errno;
        kbox_lx(r, LX__NR_prlimit64, tgid, RLIMIT_FSIZE, (long)&lxold, 0, 0, 0);
        return kbox_ret(rc);
    }
    if (r->args[3] && r->ops->write(r, r->args[3], &old, sizeof(old)))
        return kbox_ret(-EFAULT);
    return kbox_ret(0);
}

/* prlimit64(pid, resource, new, old) */
static struct kbox_resp h_prlimit(struct kbox_req *r)
{
    pid_t pid = PID(0);
    struct kbox_resp res;

    if (pid && pid != r->pid && pid != r->proc->tgid) {
        res = h_on_pid(r);
        if (res.kind == KBOX_RESP_CONTINUE && (int)A(1) == RLIMIT_FSIZE &&
            r->args[2] && guest_tgid_of(pid))
            return set_other_fsize(r, pid);
        return res;
    }
    if ((int)A(1) != RLIMIT_FSIZE || !r->args[2])
        return kbox_continue();
    return set_fsize(r, r->args[2], r->args[3]);
}

/* setrlimit(resource, rlim) */
static struct kbox_resp h_setrlimit(struct kbox_req *r)
{
    if ((int)A(0) != RLIMIT_FSIZE || !r->args[1])
        return kbox_continue();
    return set_fsize(r, r->args[1], 0);
}

/* getpriority/setpriority(which, who[, prio]); the filter ALLOWs who 0. */
static struct kbox_resp h_priority(struct kbox_req *r)
{
    pid_t who = PID(1);
    bool set = r->nr == SYS_setpriority;
    long rc = 0;

    switch ((int)A(0)) {
    case PRIO_PROCESS:
        if (!who || who == r->pid || who == r->proc->tgid) {
            if (set && !lx_can_nice(r))
                rc = renice_allowed(r, who ? who : r->pid, true);
            return rc ? kbox_ret(rc) : kbox_continue();
        }
        if (guest_tgid_of(who)) {
            if (set && !lx_can_nice(r))
                rc = renice_allowed(r, who, false);
            return rc ? kbox_ret(rc) : kbox_continue();
        }
        if (is_kbox(who))
            return r->nr == SYS_getpriority ? kbox_continue()
                                            : kbox_ret(-EPERM);
        if (!guest_zombie(who))
            return kbox_ret(-ESRCH);
        /* a zombie keeps its nice value until reaped */
        if (set && !(rc = may_change_zombie(r, who, false)) && !lx_can_nice(r))
            rc = nice_allowed(who, (int)A(2)) ? 0 : -EACCES;
        return rc ? kbox_ret(rc) : kbox_continue();
    case PRIO_PGRP: {
        pid_t *pids;
        int n = kbox_proc_in_group(who ? who : getpgid(r->pid), &pids);

        if (n <= 0) {
            free(pids);
            return kbox_ret(n < 0 ? n : -ESRCH);
        }
        if (set && !lx_can_nice(r))
            for (int i = 0; i < n && !rc; i++)
                rc = renice_allowed(r, pids[i], pids[i] == r->proc->tgid);
        if (!rc && set && (who ? who : getpgid(r->pid)) == getpgrp()) {
            /* kbox's own group, where the guest starts: the host would
             * renice kbox and the host processes in it too, so each
             * guest process of it is reniced from here */
            bool done = false;

            for (int i = 0; i < n; i++)
                if (setpriority(PRIO_PROCESS, (id_t)pids[i], (int)A(2)) == 0)
                    done = true;
                else
                    rc = -errno;
            free(pids);
            return kbox_ret(done ? 0 : rc);
        }
        free(pids);
        return rc ? kbox_ret(rc) : kbox_continue();
    }
    case PRIO_USER:
        /* a uid names every host process of that user */
        if (r->nr == SYS_getpriority)
            return kbox_continue();
        return kbox_ret(-EPERM);
    default:
        return kbox_continue(); /* EINVAL */
    }
}

/* ioprio_get/ioprio_set(which, who[, ioprio]): which counts from 1 */
static struct kbox_resp h_ioprio(struct kbox_req *r)
{
    pid_t who = PID(1);
    long rc;

    switch ((int)A(0)) {
    case 1: /* IOPRIO_WHO_PROCESS: a thread */
        if (!who || who == r->pid || who == r->proc->tgid)
            return kbox_continue();
        if (guest_tgid_of(who)) {
            /* set_task_ioprio's rule, in guest ids */
            if (r->nr == SYS_ioprio_set &&
                kbox_pid_perm(r, guest_tgid_of(who), KBOX_PERM_IOPRIO) ==
                    -EPERM)
                return kbox_ret(-EPERM);
            return kbox_continue();
        }
        if (is_kbox(who))
            return r->nr == SYS_ioprio_get ? kbox_continue() : kbox_ret(-EPERM);
        if (!guest_zombie(who))
            return kbox_ret(-ESRCH);
        if (r->nr == SYS_ioprio_set && (rc = may_change_zombie(r, who, true)))
            return kbox_ret(rc);
        return kbox_continue();
    case 2: /* IOPRIO_WHO_PGRP: who 0 is the caller's group */
        if (!who)
            who = getpgid(r->pid);
        if (!guest_group(who))
            return kbox_ret(-ESRCH);
        /* kbox's own group, where the guest starts, holds host processes
         * (kbox itself): a change there is refused, a query the host's */
        return r->nr == SYS_ioprio_set && who == getpgrp() ? kbox_ret(-EPERM)
                                                           : kbox_continue();
    case 3: /* IOPRIO_WHO_USER: every host process of that uid */
        if (r->nr == SYS_ioprio_get)
            return kbox_continue();
        return kbox_ret(-EPERM);
    default:
        return kbox_continue(); /* EINVAL */
    }
}

kbox_handler kbox_target_handler(long nr)
{
    switch (nr) {
    case SYS_kill:
        return h_kill;
    case SYS_tkill:
    case SYS_tgkill:
    case SYS_rt_tgsigqueueinfo:
        return h_thread_kill;
    case SYS_prlimit64:
        return h_prlimit;
    case SYS_setrlimit:
        return h_setrlimit;
    case SYS_rt_sigqueueinfo:
    case SYS_pidfd_open:
    case SYS_sched_setaffinity:
    case SYS_sched_getaffinity:
    case SYS_sched_setscheduler:
    case SYS_sched_getscheduler:
    case SYS_sched_setparam:
    case SYS_sched_getparam:
    case SYS_sched_setattr:
    case SYS_sched_getattr:
    case SYS_sched_rr_get_interval:
    case SYS_getpgid:
    case SYS_getsid:
    case SYS_setpgid:
    case SYS_get_robust_list:
        return h_on_pid;
    case SYS_getpriority:
    case SYS_setpriority:
        return h_priority;
    case SYS_pidfd_send_signal:
        return h_pidfd_send_signal;
    case SYS_ioprio_get:
    case SYS_ioprio_set:
        return h_ioprio;
    default:
        return NULL;
    }
}
