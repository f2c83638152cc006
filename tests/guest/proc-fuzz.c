/* SPDX-License-Identifier: MIT */
/*
 * proc-fuzz: a seeded random sequence of process-tree operations that prints
 * a canonical trace (pids as ordinals in creation order), so that a run under
 * kbox can be diffed against a native run of the same seeds.
 *
 * A controller (ordinal 0, a child subreaper) drives up to 8 live worker
 * processes through one FIFO each (DIR/c<ord>); a worker does one command,
 * prints its result and acknowledges on DIR/ack, so the order of events is
 * the controller's. Commands: create a child (fork, vfork+exec of itself,
 * posix_spawn of itself, clone3 (or clone, where clone3 is ENOSYS) with
 * CLONE_PIDFD, vfork+_exit), exit with a code, exec of itself (the pid must
 * stay), signal dispositions (SIGTERM default/handled/ignored, SIGUSR1
 * handled/ignored/blocked/unblocked, SIGCHLD
 * default/ignored/SA_SIGINFO/SA_NOCLDSTOP/SA_NOCLDWAIT), waits (waitpid, waitid
 * with P_PID/P_PGID/P_ALL/P_PIDFD and WNOWAIT, wait4), setpgid/setsid, child
 * subreaper, PR_SET_PDEATHSIG, a thread, a query of its ids, signal counts,
 * last SIGCHLD siginfo and /proc/self/task count. The controller sends
 * SIGTERM/SIGKILL/SIGSTOP/SIGCONT/SIGUSR1 by kill, tgkill, pidfd_send_signal or
 * kill(-pgrp) - only to processes it made (checked through a pidfd first) - and
 * prints /proc/<pid>/stat snapshots.
 *
 * Usage: proc-fuzz DIR SEED COUNT NOPS [FLAGS]
 *   FLAGS 1: print a zombie's /proc state as Z (default: a zombie, one
 *   being reaped (X) and an absent entry all print "-": until the
 *   thirty-first session kbox's /proc lacked zombies, and how far an exit
 *   has got after the settling pause depends on the load).
 * Internal: proc-fuzz --worker DIR ORD MEMFD CHLD-MODE (after exec).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz-util.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

extern char **environ;

#define MAXORD   200
#define MAXALIVE 8

struct shared {
    int n;
    pid_t pid[MAXORD];
};

struct cmd {
    int op, a, b, c;
};
struct ack {
    int ord, val, val2;
};

static struct shared *tab;
static int memfd = -1;
static const char *dir;
static char self[4096];
static int myord;
static int cmdfd = -1, ackfd = -1;
static int flags;

/* worker state */
static volatile sig_atomic_t n_usr1, n_term, n_chld, chld_code, chld_status,
    chld_ord;
static int pidfds[MAXORD];
static int nthreads;

static void out(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof(buf) - 2)
        n = sizeof(buf) - 2;
    buf[n++] = '\n';
    ssize_t w = write(1, buf, n);
    (void)w;
}

static int ordof(pid_t pid)
{
    if (pid <= 0)
        return pid == 0 ? -2 : -3;
    for (int i = tab->n - 1; i >= 0; i--)
        if (tab->pid[i] == pid)
            return i;
    return -1;
}

static const char *ordname(pid_t pid, char *b)
{
    int o = ordof(pid);
    if (o == -2)
        return "0";
    if (o == -1)
        return "x";
    if (o == -3)
        return "neg";
    sprintf(b, "P%d", o);
    return b;
}

static const char *ename(int e)
{
    switch (e) {
    case 0:
        return "ok";
    case ECHILD:
        return "ECHILD";
    case ESRCH:
        return "ESRCH";
    case EPERM:
        return "EPERM";
    case EINVAL:
        return "EINVAL";
    case EINTR:
        return "EINTR";
    case EACCES:
        return "EACCES";
    case EBADF:
        return "EBADF";
    case ENOENT:
        return "ENOENT";
    case EAGAIN:
        return "EAGAIN";
    default: {
        static char b[32];
        sprintf(b, "E%d", e);
        return b;
    }
    }
}

static void fmtstatus(int st, char *b)
{
    if (WIFEXITED(st))
        sprintf(b, "exit%d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        sprintf(b, "sig%d", WTERMSIG(st));
    else if (WIFSTOPPED(st))
        sprintf(b, "stop%d", WSTOPSIG(st));
    else if (WIFCONTINUED(st))
        sprintf(b, "cont");
    else
        sprintf(b, "?%x", st);
}

static volatile sig_atomic_t usr1_from = -9, usr1_code = 99, term_from = -9;
static void h_usr1(int s, siginfo_t *si, void *u)
{
    (void)s;
    (void)u;
    n_usr1++;
    usr1_from = ordof(si->si_pid);
    usr1_code = si->si_code;
}
static void h_term(int s, siginfo_t *si, void *u)
{
    (void)s;
    (void)u;
    n_term++;
    term_from = ordof(si->si_pid);
}
static void h_chld(int s, siginfo_t *si, void *u)
{
    (void)s;
    (void)u;
    n_chld++;
    chld_code = si->si_code;
    chld_status = si->si_status;
    chld_ord = ordof(si->si_pid);
}

static void setsig(int sig, void (*h)(int), int fl)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = h;
    sa.sa_flags = SA_RESTART | fl;
    sigaction(sig, &sa, NULL);
}

/* a handler that records the sender (si_pid as an ordinal) */
static void setsig_info(int sig, void (*h)(int, siginfo_t *, void *))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = h;
    sa.sa_flags = SA_RESTART | SA_SIGINFO;
    sigaction(sig, &sa, NULL);
}

static void send_ack(int ord, int val, int val2)
{
    struct ack a = { ord, val, val2 };
    ssize_t w = write(ackfd, &a, sizeof(a));
    (void)w;
}

static void open_fifos(void)
{
    char p[4200];
    snprintf(p, sizeof(p), "%s/c%d", dir, myord);
    if (cmdfd >= 0)
        close(cmdfd);
    cmdfd = open(p, O_RDONLY | O_CLOEXEC);
    snprintf(p, sizeof(p), "%s/ack", dir);
    if (ackfd >= 0)
        close(ackfd);
    ackfd = open(p, O_WRONLY | O_CLOEXEC);
    if (cmdfd < 0 || ackfd < 0) {
        out("W%d: fifo open failed %s", myord, ename(errno));
        _exit(99);
    }
}

/* a fresh worker image: keep ignored/blocked SIGUSR1, re-handle it otherwise */
static void worker_setup(void)
{
    struct sigaction old;
    sigaction(SIGUSR1, NULL, &old);
    if (old.sa_handler != SIG_IGN)
        setsig_info(SIGUSR1, h_usr1);
    setsig(SIGHUP, SIG_IGN, 0);
    for (int i = 0; i < MAXORD; i++)
        pidfds[i] = -1;
    n_usr1 = n_term = n_chld = 0;
    usr1_from = term_from = -9;
    usr1_code = 99;
    chld_code = chld_status = 0;
    chld_ord = -9;
    nthreads = 0;
}

static void worker_loop(void) __attribute__((noreturn));

static void *thr(void *a)
{
    (void)a;
    for (;;)
        pause();
    return NULL;
}

static int count_tasks(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return -errno;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

static void build_argv(char **av, char *b1, char *b2, int ord)
{
    sprintf(b1, "%d", ord);
    sprintf(b2, "%d", memfd);
    av[0] = self;
    av[1] = "--worker";
    av[2] = (char *)dir;
    av[3] = b1;
    av[4] = b2;
    av[5] = NULL;
}

enum {
    OP_CREATE = 1,
    OP_EXIT,
    OP_EXEC,
    OP_TERMDISP,
    OP_USR1DISP,
    OP_CHLDDISP,
    OP_WAIT,
    OP_PGRP,
    OP_SUBREAPER,
    OP_PDEATH,
    OP_THREAD,
    OP_QUERY,
};

/* create a child worker of ordinal c.a by method c.b; the child acks */
static void do_create(struct cmd *c)
{
    int ord = c->a;
    char b1[16], b2[16], *av[6];
    build_argv(av, b1, b2, ord);
    pid_t pid = -1;
    switch (c->b) {
    case 0:
        out("W%d fork P%d", myord, ord);
        pid = fork();
        if (pid == 0) {
            myord = ord;
            tab->pid[ord] = getpid();
            worker_setup();
            open_fifos();
            send_ack(ord, 0, 0);
            worker_loop();
        }
        break;
    case 1:
        out("W%d vfork+exec P%d", myord, ord);
        pid = vfork();
        if (pid == 0) {
            execv(self, av);
            _exit(127);
        }
        break;
    case 2: {
        out("W%d posix_spawn P%d", myord, ord);
        int r = posix_spawn(&pid, self, NULL, NULL, av, environ);
        if (r) {
            out("  spawn failed %s", ename(r));
            pid = -1;
        }
        break;
    }
    case 3: {
        out("W%d clone3-pidfd P%d", myord, ord);
        int pfd = -1;
        struct {
            uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
                stack_size, tls;
        } ca;
        memset(&ca, 0, sizeof(ca));
        ca.flags = CLONE_PIDFD;
        ca.pidfd = (uintptr_t)&pfd;
        ca.exit_signal = SIGCHLD;
        pid = syscall(SYS_clone3, &ca, sizeof(ca));
        /* kbox refuses clone3 (ENOSYS, documented): fall back as libc does */
        if (pid < 0 && errno == ENOSYS)
            pid = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, &pfd, NULL, 0);
        if (pid == 0) {
            myord = ord;
            tab->pid[ord] = getpid();
            worker_setup();
            open_fifos();
            send_ack(ord, 0, 0);
            worker_loop();
        }
        if (pid > 0) {
            pidfds[ord] = pfd;
            fcntl(pfd, F_SETFD, FD_CLOEXEC);
        }
        break;
    }
    case 5: {
        /*
         * fork and stop the child at once, before its first call, then
         * look at it (wait, /proc, ids) and let it go; it acks itself
         */
        out("W%d fork+stop P%d", myord, ord);
        pid = fork();
        if (pid == 0) {
            myord = ord;
            tab->pid[ord] = getpid();
            worker_setup();
            open_fifos();
            send_ack(ord, 0, 0);
            worker_loop();
        }
        if (pid < 0)
            break;
        tab->pid[ord] = pid;
        char b3[16], b4[16], sb[32], p[64], buf[512], st = '?';
        int ws = 0;
        kill(pid, SIGSTOP);
        pid_t r = waitpid(pid, &ws, WUNTRACED);
        fmtstatus(ws, sb);
        snprintf(p, sizeof(p), "/proc/%d/stat", pid);
        char *q = proc_stat_tail(p, O_RDONLY | O_CLOEXEC, buf, sizeof(buf));
        int ppid = 0;
        if (q)
            sscanf(q, "%c %d", &st, &ppid);
        out("  waitpid %s %s stat=%c ppid=%s pgid=%s", r == pid ? "ok" : "bad",
            sb, st, ordname(ppid, b3), ordname(getpgid(pid), b4));
        kill(pid, SIGCONT);
        r = waitpid(pid, &ws, WCONTINUED);
        fmtstatus(ws, sb);
        out("  waitpid %s %s", r == pid ? "ok" : "bad", sb);
        /* the controller waits for this one too (it is not one itself) */
        if (myord)
            send_ack(myord, 0, 0);
        break;
    }
    case 4:
        out("W%d vfork+_exit(%d) P%d", myord, c->c, ord);
        pid = vfork();
        if (pid == 0) {
            /* named before the parent's SIGCHLD handler can look */
            tab->pid[ord] = getpid();
            _exit(c->c);
        }
        tab->pid[ord] = pid;
        send_ack(ord, 0, 0);
        break;
    }
    if (pid < 0) {
        out("  create failed %s", ename(errno));
        send_ack(ord, -1, 0);
    } else {
        tab->pid[ord] = pid;
    }
}

static void do_wait(struct cmd *c)
{
    char b1[16], b2[16], sb[32];
    int tgt = c->b; /* ordinal or -1 */
    pid_t tp = tgt >= 0 ? tab->pid[tgt] : 0;
    int opt = c->c;
    int reaped = -1;
    errno = 0;
    switch (c->a) {
    case 0:
    case 1:
    case 2:
    case 3: {
        /* waitpid: 0 any, 1 pid, 2 own group, 3 -pgid of target */
        pid_t arg = c->a == 0   ? -1
                    : c->a == 1 ? tp
                    : c->a == 2 ? 0
                                : -getpgid(tp);
        if (c->a == 3 && arg >= 0) {
            out("W%d waitpid(-pg) skip", myord);
            break;
        }
        int st = 0;
        int wo = WNOHANG;
        if (opt & 1)
            wo |= WUNTRACED;
        if (opt & 2)
            wo |= WCONTINUED;
        if (opt & 4)
            wo |= __WALL;
        pid_t r = waitpid(arg, &st, wo);
        int e = errno;
        if (r > 0) {
            fmtstatus(st, sb);
            if (WIFEXITED(st) || WIFSIGNALED(st))
                reaped = ordof(r);
        } else
            strcpy(sb, "-");
        out("W%d waitpid(%s,%s,%x) = %s %s %s", myord,
            c->a == 0   ? "-1"
            : c->a == 2 ? "0"
                        : ordname(tp, b1),
            c->a == 3 ? "pg" : "", opt,
            r > 0    ? ordname(r, b2)
            : r == 0 ? "0"
                     : "-1",
            sb, r < 0 ? ename(e) : "");
        break;
    }
    case 4:
    case 5:
    case 6:
    case 7: {
        /* waitid: 4 P_ALL, 5 P_PID, 6 P_PGID, 7 P_PIDFD */
        idtype_t it = c->a == 4   ? P_ALL
                      : c->a == 5 ? P_PID
                      : c->a == 6 ? P_PGID
                                  : (idtype_t)P_PIDFD;
        id_t id = 0;
        int ofd = -1;
        if (c->a == 5)
            id = tp;
        else if (c->a == 6)
            id = getpgid(tp) < 0 ? 0 : getpgid(tp);
        else if (c->a == 7) {
            if (tgt >= 0 && pidfds[tgt] >= 0)
                id = pidfds[tgt];
            else {
                ofd = syscall(SYS_pidfd_open, tp, 0);
                if (ofd < 0) {
                    out("W%d pidfd_open(P%d) %s", myord, tgt, ename(errno));
                    break;
                }
                id = ofd;
            }
        }
        int wo = WNOHANG;
        if (opt & 1)
            wo |= WEXITED;
        if (opt & 2)
            wo |= WSTOPPED;
        if (opt & 4)
            wo |= WCONTINUED;
        if (opt & 8)
            wo |= WNOWAIT;
        siginfo_t si;
        memset(&si, 0, sizeof(si));
        int r = waitid(it, id, &si, wo);
        int e = errno;
        if (ofd >= 0)
            close(ofd);
        if (r == 0 && si.si_pid && !(wo & WNOWAIT) &&
            (si.si_code == CLD_EXITED || si.si_code == CLD_KILLED ||
             si.si_code == CLD_DUMPED))
            reaped = ordof(si.si_pid);
        out("W%d waitid(%s,%s,%x) = %d %s pid=%s code=%d status=%d", myord,
            c->a == 4   ? "all"
            : c->a == 5 ? "pid"
            : c->a == 6 ? "pgid"
                        : "pidfd",
            c->a == 4   ? ""
            : c->a == 6 ? ordname(id, b1)
                        : ordname(tp, b1),
            opt, r, r < 0 ? ename(e) : "",
            r == 0 ? ordname(si.si_pid, b2) : "-", r == 0 ? si.si_code : 0,
            r == 0 ? si.si_status : 0);
        break;
    }
    case 8: {
        struct rusage ru;
        int st = 0;
        memset(&ru, 0xff, sizeof(ru));
        pid_t r = wait4(-1, &st, WNOHANG | ((opt & 1) ? WUNTRACED : 0), &ru);
        int e = errno;
        if (r > 0) {
            fmtstatus(st, sb);
            if (WIFEXITED(st) || WIFSIGNALED(st))
                reaped = ordof(r);
        } else
            strcpy(sb, "-");
        out("W%d wait4(-1,%x) = %s %s %s ru=%s", myord, opt,
            r > 0    ? ordname(r, b2)
            : r == 0 ? "0"
                     : "-1",
            sb, r < 0 ? ename(e) : "",
            r > 0 ? (ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000
                         ? "yes"
                         : "bad")
                  : "-");
        break;
    }
    }
    send_ack(myord, reaped, 0);
}

static void do_query(void)
{
    char b1[16], b2[16], b3[16];
    sigset_t pend;
    sigpending(&pend);
    out("W%d query ppid=%s pgid=%s sid=%s usr1=%d(from=%d code=%d) "
        "term=%d(from=%d) chld=%d(code=%d st=%d from=%d) usr1pend=%d tasks=%d",
        myord, ordname(getppid(), b1), ordname(getpgid(0), b2),
        ordname(getsid(0), b3), (int)n_usr1, (int)usr1_from, (int)usr1_code,
        (int)n_term, (int)term_from, (int)n_chld, (int)chld_code,
        (int)chld_status, (int)chld_ord, sigismember(&pend, SIGUSR1),
        count_tasks());
    send_ack(myord, 0, 0);
}

static void worker_loop(void)
{
    for (;;) {
        struct cmd c;
        ssize_t r = read(cmdfd, &c, sizeof(c));
        if (r < 0 && errno == EINTR)
            continue;
        if (r != sizeof(c)) {
            out("W%d: command read %zd %s", myord, r, ename(errno));
            _exit(98);
        }
        char b1[16];
        switch (c.op) {
        case OP_CREATE:
            do_create(&c);
            break;
        case OP_EXIT:
            out("W%d exit(%d)", myord, c.a);
            send_ack(myord, 0, 0);
            _exit(c.a);
        case OP_EXEC: {
            char b2[16], b3[16], *av[6];
            build_argv(av, b2, b3, myord);
            out("W%d exec", myord);
            execv(self, av);
            out("W%d exec failed %s", myord, ename(errno));
            send_ack(myord, -1, 0);
            break;
        }
        case OP_TERMDISP:
            if (c.a == 1)
                setsig_info(SIGTERM, h_term);
            else
                setsig(SIGTERM, c.a == 0 ? SIG_DFL : SIG_IGN, 0);
            out("W%d SIGTERM %s", myord,
                c.a == 0   ? "dfl"
                : c.a == 1 ? "handle"
                           : "ign");
            send_ack(myord, 0, 0);
            break;
        case OP_USR1DISP: {
            sigset_t s;
            sigemptyset(&s);
            sigaddset(&s, SIGUSR1);
            if (c.a == 0)
                setsig_info(SIGUSR1, h_usr1);
            else if (c.a == 1)
                setsig(SIGUSR1, SIG_IGN, 0);
            else
                sigprocmask(c.a == 2 ? SIG_BLOCK : SIG_UNBLOCK, &s, NULL);
            out("W%d SIGUSR1 %s usr1=%d", myord,
                c.a == 0   ? "handle"
                : c.a == 1 ? "ign"
                : c.a == 2 ? "block"
                           : "unblock",
                (int)n_usr1);
            send_ack(myord, 0, 0);
            break;
        }
        case OP_CHLDDISP: {
            struct sigaction sa;
            memset(&sa, 0, sizeof(sa));
            sa.sa_flags = SA_RESTART;
            if (c.a == 0)
                sa.sa_handler = SIG_DFL;
            else if (c.a == 1)
                sa.sa_handler = SIG_IGN;
            else {
                sa.sa_sigaction = h_chld;
                sa.sa_flags |= SA_SIGINFO;
                if (c.a == 3)
                    sa.sa_flags |= SA_NOCLDSTOP;
                if (c.a == 4)
                    sa.sa_flags |= SA_NOCLDWAIT;
            }
            sigaction(SIGCHLD, &sa, NULL);
            static const char *nm[] = { "dfl", "ign", "siginfo", "nocldstop",
                                        "nocldwait" };
            out("W%d SIGCHLD %s", myord, nm[c.a]);
            send_ack(myord, 0, 0);
            break;
        }
        case OP_WAIT:
            do_wait(&c);
            break;
        case OP_PGRP: {
            int r;
            const char *what;
            errno = 0;
            if (c.a == 0) {
                what = "setpgid(0,0)";
                r = setpgid(0, 0);
            } else if (c.a == 1) {
                what = "setsid";
                r = setsid() < 0 ? -1 : 0;
            } else if (c.a == 2) {
                what = "setpgid(0,ppgrp)";
                r = setpgid(0, getpgid(getppid()));
            } else {
                what = "setpgid(child,own)";
                r = c.b >= 0 ? setpgid(tab->pid[c.b], getpgid(0)) : -1;
                if (c.b < 0)
                    errno = ESRCH;
            }
            int e = errno;
            char b2[16];
            out("W%d %s%s%s = %d %s pgid=%s sid=%s", myord, what,
                c.a == 3 ? " P" : "",
                c.a == 3 ? (sprintf(b1, "%d", c.b), b1) : "", r,
                r < 0 ? ename(e) : "", ordname(getpgid(0), b2),
                ordname(getsid(0), b1));
            send_ack(myord, 0, 0);
            break;
        }
        case OP_SUBREAPER: {
            int r = prctl(PR_SET_CHILD_SUBREAPER, 1);
            int v = -1;
            prctl(PR_GET_CHILD_SUBREAPER, &v);
            out("W%d subreaper = %d get=%d", myord, r, v);
            send_ack(myord, 0, 0);
            break;
        }
        case OP_PDEATH: {
            int r = prctl(PR_SET_PDEATHSIG, SIGUSR1);
            int v = -1;
            prctl(PR_GET_PDEATHSIG, &v);
            out("W%d pdeathsig = %d get=%d", myord, r, v);
            send_ack(myord, 0, 0);
            break;
        }
        case OP_THREAD: {
            pthread_t t;
            int r = pthread_create(&t, NULL, thr, NULL);
            if (!r)
                nthreads++;
            usleep(2000);
            out("W%d thread %s tasks=%d", myord, ename(r), count_tasks());
            send_ack(myord, 0, 0);
            break;
        }
        case OP_QUERY:
            do_query();
            break;
        }
    }
}

/* ---- controller ---- */

struct model {
    int alive, stopped, reaped, term, usr1, exists;
};
static struct model m[MAXORD];
static int cfd[MAXORD];  /* controller's write end of c<ord> */
static int cpfd[MAXORD]; /* controller's pidfd of each ordinal */
static int cack;

static void settle(void)
{
    usleep(30000);
}

static int get_ack(struct ack *a)
{
    struct pollfd p = { cack, POLLIN, 0 };
    int r;
    do
        r = poll(&p, 1, 3000);
    while (r < 0 && errno == EINTR);
    if (r <= 0)
        return -1;
    return read(cack, a, sizeof(*a)) == sizeof(*a) ? 0 : -1;
}

static int send_cmd(int ord, int op, int a, int b, int c, struct ack *ak)
{
    struct cmd cm = { op, a, b, c };
    if (write(cfd[ord], &cm, sizeof(cm)) != sizeof(cm))
        return -1;
    if (get_ack(ak) < 0) {
        out("C: no ack from P%d (op %d)", ord, op);
        m[ord].alive = 0;
        return -1;
    }
    return 0;
}

static int nalive(void)
{
    int n = 0;
    for (int i = 1; i < tab->n; i++)
        n += m[i].alive;
    return n;
}

static int pick_worker(int with_ctl)
{
    int c[MAXORD], n = 0;
    if (with_ctl)
        c[n++] = 0;
    for (int i = 1; i < tab->n; i++)
        if (m[i].alive && !m[i].stopped)
            c[n++] = i;
    if (!n)
        return -1;
    return c[rnd(n)];
}

static int pick_any(void)
{
    int c[MAXORD], n = 0;
    for (int i = 1; i < tab->n; i++)
        if (!m[i].reaped)
            c[n++] = i;
    if (!n)
        return -1;
    return c[rnd(n)];
}

static int still_there(int o)
{
    return cpfd[o] >= 0 &&
           syscall(SYS_pidfd_send_signal, cpfd[o], 0, NULL, 0) == 0;
}

static void apply_sig(int o, int sig)
{
    if (!m[o].alive)
        return;
    if (sig == SIGKILL || (sig == SIGTERM && m[o].term == 0))
        m[o].alive = 0;
    else if (sig == SIGSTOP)
        m[o].stopped = 1;
    else if (sig == SIGCONT)
        m[o].stopped = 0;
}

static void snapshot(void)
{
    char line[2048];
    int len = sprintf(line, "C snapshot:");
    for (int i = 1; i < tab->n; i++) {
        if (m[i].reaped)
            continue;
        char p[64], buf[512], st = '-';
        char b1[16], b2[16];
        const char *pp = "-", *pg = "-";
        snprintf(p, sizeof(p), "/proc/%d/stat", tab->pid[i]);
        char *q = proc_stat_tail(p, O_RDONLY | O_CLOEXEC, buf, sizeof(buf));
        int ppid = 0, pgrp = 0;
        if (q && sscanf(q, "%c %d %d", &st, &ppid, &pgrp) == 3) {
            pp = ordname(ppid, b1);
            pg = ordname(pgrp, b2);
        }
        if (st == 'R')
            st = 'S'; /* a worker between read and ack */
        if ((st == 'Z' || st == 'X') && !(flags & 1)) {
            st = '-';
            pp = pg = "-";
        }
        len += snprintf(line + len, sizeof(line) - len, " P%d:%c/%s/%s", i, st,
                        pp, pg);
    }
    out("%s", line);
}

static void controller(int seed, int nops)
{
    char p[4200];
    struct ack ak;
    rng = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)seed * 0x100000001b3ULL);
    for (int i = 0; i < 5; i++)
        rnd(2);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    memset(m, 0, sizeof(m));
    tab->n = 1;
    tab->pid[0] = getpid();
    myord = 0;
    for (int i = 0; i < MAXORD; i++)
        cfd[i] = cpfd[i] = -1;
    snprintf(p, sizeof(p), "%s/ack", dir);
    unlink(p);
    mkfifo(p, 0600);
    cack = open(p, O_RDWR | O_CLOEXEC);
    ackfd = open(p, O_WRONLY | O_CLOEXEC);
    for (int i = 0; i < MAXORD; i++)
        pidfds[i] = -1;
    for (int op = 0; op < nops; op++) {
        int k = rnd(100);
        char b1[16];
        out("-- %d", op);
        if (k < 18 || nalive() == 0) {
            if (nalive() >= MAXALIVE || tab->n >= MAXORD - 1) {
                snapshot();
                continue;
            }
            int w = pick_worker(1);
            int ord = tab->n++;
            int how = rnd(6);
            int code = rnd(4);
            snprintf(p, sizeof(p), "%s/c%d", dir, ord);
            unlink(p);
            mkfifo(p, 0600);
            cfd[ord] = open(p, O_RDWR | O_CLOEXEC);
            m[ord].exists = 1;
            m[ord].alive = how != 4;
            m[ord].term = 0;
            struct cmd cm = { OP_CREATE, ord, how, code };
            if (w == 0) {
                /* the controller makes it itself */
                do_create(&cm);
                if (get_ack(&ak) < 0 || ak.val < 0) {
                    out("C: no ack from new P%d", ord);
                    m[ord].alive = 0;
                }
            } else if (send_cmd(w, OP_CREATE, ord, how, code, &ak) < 0 ||
                       ak.val < 0) {
                m[ord].alive = 0;
            } else if (how == 5 && get_ack(&ak) < 0) {
                out("C: no second ack for P%d", ord);
            }
            cpfd[ord] = syscall(SYS_pidfd_open, tab->pid[ord], 0);
            if (how == 4)
                settle();
        } else if (k < 24) {
            int w = pick_worker(0);
            if (w < 0)
                continue;
            send_cmd(w, OP_EXIT, rnd(5) * 3, 0, 0, &ak);
            m[w].alive = 0;
            settle();
        } else if (k < 40) {
            int t = pick_any();
            if (t < 0 || !m[t].alive || !still_there(t))
                continue;
            static const int sigs[] = { SIGTERM, SIGKILL, SIGSTOP, SIGCONT,
                                        SIGUSR1 };
            int sig = sigs[rnd(5)];
            int how = rnd(4);
            pid_t pid = tab->pid[t];
            int r = -1;
            errno = 0;
            if (how == 3) {
                pid_t pg = getpgid(pid);
                if (pg <= 0 || pg == getpgrp() || ordof(pg) <= 0) {
                    how = 0;
                } else {
                    out("C kill(-%s, %d)", ordname(pg, b1), sig);
                    for (int i = 1; i < tab->n; i++)
                        if (m[i].alive && still_there(i) &&
                            getpgid(tab->pid[i]) == pg)
                            apply_sig(i, sig);
                    r = kill(-pg, sig);
                }
            }
            if (how == 0) {
                out("C kill(P%d, %d)", t, sig);
                r = kill(pid, sig);
            } else if (how == 1) {
                out("C tgkill(P%d, %d)", t, sig);
                r = syscall(SYS_tgkill, pid, pid, sig);
            } else if (how == 2) {
                out("C pidfd_send_signal(P%d, %d)", t, sig);
                r = syscall(SYS_pidfd_send_signal, cpfd[t], sig, NULL, 0);
            }
            if (how != 3)
                apply_sig(t, sig);
            out("  = %d %s", r, r < 0 ? ename(errno) : "");
            settle();
        } else if (k < 46) {
            int w = pick_worker(0);
            if (w < 0)
                continue;
            int d = rnd(3);
            send_cmd(w, OP_TERMDISP, d, 0, 0, &ak);
            m[w].term = d;
        } else if (k < 50) {
            int w = pick_worker(0);
            if (w < 0)
                continue;
            send_cmd(w, OP_USR1DISP, rnd(4), 0, 0, &ak);
        } else if (k < 57) {
            int w = pick_worker(0);
            if (w < 0)
                continue;
            send_cmd(w, OP_CHLDDISP, rnd(5), 0, 0, &ak);
        } else if (k < 75) {
            int w = pick_worker(0);
            if (w < 0)
                continue;
            int kind = rnd(9);
            int t = pick_any();
            if (t < 0)
                t = 0;
            if (send_cmd(w, OP_WAIT, kind, t, rnd(16), &ak) == 0 && ak.val > 0)
                m[ak.val].reaped = 1;
        } else if (k < 81) {
            int w = pick_worker(0);
            if (w < 0)
                continue;
            int a = rnd(4);
            int t = pick_any();
            send_cmd(w, OP_PGRP, a, t, 0, &ak);
        } else if (k < 83) {
            int w = pick_worker(0);
            if (w >= 0)
                send_cmd(w, OP_SUBREAPER, 0, 0, 0, &ak);
        } else if (k < 85) {
            int w = pick_worker(0);
            if (w >= 0)
                send_cmd(w, OP_PDEATH, 0, 0, 0, &ak);
        } else if (k < 87) {
            int w = pick_worker(0);
            if (w >= 0)
                send_cmd(w, OP_THREAD, 0, 0, 0, &ak);
        } else if (k < 90) {
            int w = pick_worker(0);
            if (w < 0)
                continue;
            if (send_cmd(w, OP_EXEC, 0, 0, 0, &ak) == 0) {
                if (m[w].term == 1)
                    m[w].term = 0;
            }
        } else if (k < 96) {
            int w = pick_worker(0);
            if (w >= 0)
                send_cmd(w, OP_QUERY, 0, 0, 0, &ak);
        } else {
            snapshot();
        }
    }
    snapshot();
    /* tear down: kill everything made, through the pidfds, and reap */
    for (int i = 1; i < tab->n; i++)
        if (cpfd[i] >= 0)
            syscall(SYS_pidfd_send_signal, cpfd[i], SIGKILL, NULL, 0);
    int st, n = 0;
    while (waitpid(-1, &st, __WALL) > 0)
        n++;
    for (int i = 0; i < tab->n; i++) {
        snprintf(p, sizeof(p), "%s/c%d", dir, i);
        unlink(p);
    }
    snprintf(p, sizeof(p), "%s/ack", dir);
    unlink(p);
}

int main(int argc, char **argv)
{
    ssize_t sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (sl <= 0) {
        fprintf(stderr, "readlink /proc/self/exe failed\n");
        return 2;
    }
    self[sl] = 0;
    if (argc == 5 && !strcmp(argv[1], "--worker")) {
        dir = argv[2];
        myord = atoi(argv[3]);
        memfd = atoi(argv[4]);
        tab = mmap(NULL, sizeof(*tab), PROT_READ | PROT_WRITE, MAP_SHARED,
                   memfd, 0);
        if (tab == MAP_FAILED)
            _exit(97);
        pid_t me = getpid();
        int same = tab->pid[myord] == me;
        tab->pid[myord] = me;
        worker_setup();
        open_fifos();
        send_ack(myord, 0, same);
        worker_loop();
    }
    if (argc < 5) {
        fprintf(stderr, "usage: proc-fuzz DIR SEED COUNT NOPS [FLAGS]\n");
        return 2;
    }
    dir = argv[1];
    int seed = atoi(argv[2]), count = atoi(argv[3]), nops = atoi(argv[4]);
    flags = argc > 5 ? atoi(argv[5]) : 0;
    memfd = memfd_create("proc-fuzz", 0);
    if (memfd < 0 || ftruncate(memfd, sizeof(*tab)) < 0)
        return 2;
    tab =
        mmap(NULL, sizeof(*tab), PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    if (tab == MAP_FAILED)
        return 2;
    signal(SIGHUP, SIG_IGN);
    for (int s = seed; s < seed + count; s++) {
        out("== seed %d", s);
        pid_t c = fork();
        if (c == 0) {
            controller(s, nops);
            _exit(0);
        }
        int st;
        while (waitpid(c, &st, 0) < 0 && errno == EINTR)
            ;
        out("== end %d %s", s,
            WIFEXITED(st) && !WEXITSTATUS(st) ? "ok" : "bad");
    }
    return 0;
}
