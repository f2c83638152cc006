/* SPDX-License-Identifier: MIT */
/*
 * sig-fuzz: a seeded, deterministic differential fuzzer for the signal
 * semantics a program sees around calls that block: a FIFO open, read
 * and write (full and partial), a pipe read, flock, F_SETLKW and
 * F_OFD_SETLKW waits, wait4, nanosleep, clock_nanosleep, pause,
 * sigsuspend, ppoll and epoll_pwait with a mask, a unix socket's read
 * and MSG_WAITALL recv, a unix connect to a full backlog, msgrcv, semop
 * and mq_receive - each in a
 * child, ended at a controlled point by a signal from the parent (kill,
 * tgkill, sigqueue), a stop and continue, or the child's own timer
 * (setitimer, timer_create), with a SA_SIGINFO handler with or without
 * SA_RESTART, SA_RESETHAND and SA_NODEFER. Then siginfo as a handler,
 * sigtimedwait, sigwaitinfo and a signalfd see it: queued values and the
 * order of standard and real-time signals, sigpending, SIGCHLD of exits,
 * kills and stops, SIGPIPE from a FIFO, pipe or socket write, SIGXFSZ
 * from a write past RLIMIT_FSIZE, timers. The trace names pids and uids
 * by role (self, parent, child, me), never by number, so that it is the
 * same from run to run on Linux and can be compared with a native run.
 *
 * Usage: sig-fuzz DIR SEED NOPS [-k] [-u]   (DIR: an empty, writable dir)
 * -k: print only the number and code of SIGPIPE and SIGXFSZ that a write
 * to a FIFO or file fails with (until the twenty-eighth session kbox sent
 * them: SI_TKILL from kbox's pid, natively SI_USER from the writer).
 * -u: print no sender's uid (under a root kbox with --change-id it is the
 * host's real uid, 0; see docs/supervisor-status.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz-util.h"

static bool mask_kbox_sent, mask_uid;
static const char *dir;

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) < 0)
        ;
}

static pid_t parent_pid, gc_pid;

static const char *who(pid_t p)
{
    static char buf[4][24];
    static int k;

    k = (k + 1) % 4;
    if (p == 0)
        return "0";
    if (p == getpid())
        return "self";
    if (p == parent_pid)
        return "parent";
    if (gc_pid && p == gc_pid)
        return "child";
    snprintf(buf[k], sizeof(buf[k]), "other");
    return buf[k];
}

static const char *uidname(uid_t u)
{
    static char buf[24];

    if (mask_uid)
        return "-";
    if (u == getuid())
        return "me";
    snprintf(buf, sizeof(buf), "%u", (unsigned)u);
    return buf;
}

static const char *ename(int e)
{
    const char *n = strerrorname_np(e);

    return n ? n : "E?";
}

/* --- the child's handler and what it saw --- */

static int notify_w = -1;
static volatile sig_atomic_t nhandled, masked_in, usr2_seen, in_main;
static siginfo_t last_info;

static void handler(int sig, siginfo_t *si, void *uc)
{
    sigset_t cur;

    (void)uc;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    masked_in = sigismember(&cur, sig);
    in_main = gettid() == getpid();
    last_info = *si;
    nhandled++;
    if (notify_w >= 0) {
        char c = 'h';
        ssize_t rc = write(notify_w, &c, 1);
        (void)rc;
    }
}

static void on_usr2(int sig)
{
    (void)sig;
    usr2_seen++;
}

static void print_info(const char *tag, const siginfo_t *si, bool full)
{
    if (!full) {
        printf("  %s: signo=%d\n", tag, si->si_signo);
        return;
    }
    printf("  %s: signo=%d code=%d", tag, si->si_signo, si->si_code);
    switch (si->si_code) {
    case SI_TIMER:
        printf(" tid=%d overrun=%d val=%d", si->si_timerid, si->si_overrun,
               si->si_value.sival_int);
        break;
    case SI_KERNEL:
        break;
    default:
        printf(" pid=%s uid=%s", who(si->si_pid), uidname(si->si_uid));
        if (si->si_signo == SIGCHLD)
            printf(" status=%d", si->si_status);
        if (si->si_code == SI_QUEUE)
            printf(" val=%d", si->si_value.sival_int);
    }
    printf(" errno=%d\n", si->si_errno);
}

/* --- blocking calls --- */

enum call {
    C_FIFO_OPEN,
    C_FIFO_READ,
    C_FIFO_WRITE,
    C_FIFO_PARTIAL,
    C_PIPE_READ,
    C_FLOCK,
    C_SETLKW,
    C_OFDLKW,
    C_WAIT4,
    C_NANOSLEEP,
    C_CLOCK_NANOSLEEP,
    C_PAUSE,
    C_SIGSUSPEND,
    C_PPOLL,
    C_EPOLL_PWAIT,
    C_UNIX_READ,
    C_UNIX_WAITALL,
    C_CONNECT,
    C_MSGRCV,
    C_SEMOP,
    C_MQ_RECEIVE,
    C_NCALLS
};

static const char *call_names[] = {
    "fifo-open",    "fifo-read", "fifo-write",      "fifo-partial",
    "pipe-read",    "flock",     "setlkw",          "ofd-setlkw",
    "wait4",        "nanosleep", "clock_nanosleep", "pause",
    "sigsuspend",   "ppoll",     "epoll_pwait",     "unix-read",
    "unix-waitall", "connect",   "msgrcv",          "semop",
    "mq_receive",
};

enum intr { I_KILL, I_TGKILL, I_SIGQUEUE, I_STOPCONT, I_ITIMER, I_TIMER, I_N };
static const char *intr_names[] = { "kill",     "tgkill", "sigqueue",
                                    "stopcont", "itimer", "timer_create" };

struct scen {
    enum call call;
    enum intr intr;
    int sig, flags, threads;
    char fifo[512], lock[512], sock[512];
    int pipe_w, lock_fd, listen_fd, conn_fd, extra_fd, gc_w;
    int msq, sem;
    char mqname[64];
};

#define PARTIAL_LEN 100000

static int fill_pipe(int fd)
{
    char buf[4096];
    int fl = fcntl(fd, F_GETFL), n = 0;
    ssize_t w;

    memset(buf, 'f', sizeof(buf));
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    while ((w = write(fd, buf, sizeof(buf))) > 0)
        n += (int)w;
    fcntl(fd, F_SETFL, fl);
    return n;
}

static void sun_path(struct sockaddr_un *a, const char *path)
{
    size_t n = strlen(path);

    if (n >= sizeof(a->sun_path))
        n = sizeof(a->sun_path) - 1;
    memcpy(a->sun_path, path, n);
    a->sun_path[n] = 0;
}

static int unix_connect(const char *path)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    sun_path(&a, path);
    if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
        printf("  setup connect: %s\n", ename(errno));
        close(s);
        return -1;
    }
    return s;
}

static void print_rc(const char *what, long rc, int e)
{
    if (rc < 0)
        printf("  %s: -1 %s\n", what, ename(e));
    else
        printf("  %s: %ld\n", what, rc);
}

static void *idle_thread(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

/* The child: set up, say ready, block, report. */
static void child_block(struct scen *s, int ready_w)
{
    struct sigaction sa;
    sigset_t set, old;
    int fd = -1, efd, e;
    long rc = 0;
    char buf[256];
    timer_t tm;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | s->flags;
    sigemptyset(&sa.sa_mask);
    sigaction(s->sig, &sa, NULL);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr2;
    sigaction(SIGUSR2, &sa, NULL);
    sigemptyset(&set);
    sigaddset(&set, s->sig);

    switch (s->call) {
    case C_FIFO_READ:
    case C_FIFO_WRITE:
    case C_FIFO_PARTIAL:
    case C_PPOLL:
    case C_EPOLL_PWAIT:
        fd = open(s->fifo, O_RDWR);
        if (s->call == C_FIFO_WRITE)
            printf("  filled %d\n", fill_pipe(fd));
        break;
    case C_FLOCK:
    case C_SETLKW:
    case C_OFDLKW:
        fd = open(s->lock, O_RDWR);
        break;
    case C_UNIX_READ:
    case C_UNIX_WAITALL:
        fd = unix_connect(s->sock);
        break;
    case C_WAIT4:
        gc_pid = fork();
        if (gc_pid == 0) {
            char c;
            close(s->pipe_w);
            close(ready_w);
            _exit(read(s->extra_fd, &c, 1) == 1 ? 7 : 8);
        }
        break;
    default:
        break;
    }
    if (s->threads) {
        /* A second thread: one that blocks every signal (as worker
         * threads often do), or one that takes them too. */
        sigset_t all, keep;
        pthread_t th;

        sigfillset(&all);
        if (s->threads == 1)
            pthread_sigmask(SIG_BLOCK, &all, &keep);
        pthread_create(&th, NULL, idle_thread, NULL);
        if (s->threads == 1)
            pthread_sigmask(SIG_SETMASK, &keep, NULL);
    }
    if (s->call == C_SIGSUSPEND || s->call == C_PPOLL ||
        s->call == C_EPOLL_PWAIT)
        sigprocmask(SIG_BLOCK, &set, NULL);
    fflush(stdout);
    if (write(ready_w, "r", 1) != 1)
        _exit(9);
    if (s->intr == I_ITIMER) {
        struct itimerval it = { { 0, 0 }, { 0, 150000 } };
        setitimer(ITIMER_REAL, &it, NULL);
    } else if (s->intr == I_TIMER) {
        struct sigevent ev = { 0 };
        struct itimerspec its = { { 0, 0 }, { 0, 150000000 } };

        ev.sigev_notify = SIGEV_SIGNAL;
        ev.sigev_signo = s->sig;
        ev.sigev_value.sival_int = 4242;
        timer_create(CLOCK_MONOTONIC, &ev, &tm);
        timer_settime(tm, 0, &its, NULL);
    }
    errno = 0;
    switch (s->call) {
    case C_FIFO_OPEN:
        rc = fd = open(s->fifo, O_RDONLY);
        break;
    case C_FIFO_READ:
    case C_PIPE_READ:
        rc = read(s->call == C_PIPE_READ ? s->extra_fd : fd, buf, sizeof(buf));
        break;
    case C_FIFO_WRITE:
        rc = write(fd, "0123456789", 10);
        break;
    case C_FIFO_PARTIAL: {
        static char big[PARTIAL_LEN];
        memset(big, 'p', sizeof(big));
        rc = write(fd, big, sizeof(big));
        break;
    }
    case C_FLOCK:
        rc = flock(fd, LOCK_EX);
        break;
    case C_SETLKW:
    case C_OFDLKW: {
        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
        rc = fcntl(fd, s->call == C_SETLKW ? F_SETLKW : F_OFD_SETLKW, &fl);
        break;
    }
    case C_WAIT4: {
        int st = 0;
        rc = wait4(gc_pid, &st, 0, NULL);
        e = errno;
        if (rc > 0)
            printf("  reaped %s status %d\n", who((pid_t)rc),
                   WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        errno = e;
        if (rc > 0)
            rc = 0;
        break;
    }
    case C_NANOSLEEP:
    case C_CLOCK_NANOSLEEP: {
        struct timespec ts = { 0, 400000000 }, rem = { 0, 0 };
        if (s->call == C_NANOSLEEP) {
            rc = nanosleep(&ts, &rem);
        } else {
            rc = clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &rem);
            if (rc > 0) {
                errno = (int)rc;
                rc = -1;
            }
        }
        e = errno;
        printf("  rem %s\n",
               rc == 0 ? "-"
               : (rem.tv_sec || rem.tv_nsec) && rem.tv_nsec < 400000000
                   ? "in range"
                   : "WRONG");
        errno = e;
        break;
    }
    case C_PAUSE:
        rc = pause();
        break;
    case C_SIGSUSPEND: {
        sigset_t none;
        sigemptyset(&none);
        rc = sigsuspend(&none);
        break;
    }
    case C_PPOLL: {
        struct pollfd pf = { fd, POLLIN, 0 };
        struct timespec ts = { 5, 0 };
        sigset_t none;
        sigemptyset(&none);
        rc = ppoll(&pf, 1, &ts, &none);
        e = errno;
        if (rc > 0)
            printf("  revents %#x\n", pf.revents);
        errno = e;
        break;
    }
    case C_EPOLL_PWAIT: {
        struct epoll_event ev = { .events = EPOLLIN }, out;
        sigset_t none;
        efd = epoll_create1(EPOLL_CLOEXEC);
        epoll_ctl(efd, EPOLL_CTL_ADD, fd, &ev);
        sigemptyset(&none);
        rc = epoll_pwait(efd, &out, 1, 5000, &none);
        e = errno;
        if (rc > 0)
            printf("  events %#x\n", out.events);
        errno = e;
        break;
    }
    case C_UNIX_READ:
        rc = read(fd, buf, sizeof(buf));
        break;
    case C_UNIX_WAITALL:
        rc = recv(fd, buf, 10, MSG_WAITALL);
        break;
    case C_MSGRCV: {
        struct {
            long type;
            char text[16];
        } m;
        rc = msgrcv(s->msq, &m, sizeof(m.text), 0, 0);
        break;
    }
    case C_SEMOP: {
        struct sembuf op = { 0, -1, 0 };
        rc = semop(s->sem, &op, 1);
        break;
    }
    case C_MQ_RECEIVE: {
        mqd_t q = mq_open(s->mqname, O_RDONLY);
        rc = mq_receive(q, buf, sizeof(buf), NULL);
        break;
    }
    case C_CONNECT: {
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sun_path(&a, s->sock);
        rc = connect(fd, (struct sockaddr *)&a, sizeof(a));
        break;
    }
    default:
        break;
    }
    e = errno;
    if (write(ready_w, "d", 1) != 1) /* no completion needed */
        _exit(9);
    print_rc(call_names[s->call], rc, e);
    printf("  handled %d usr2 %d", (int)nhandled, (int)usr2_seen);
    if (nhandled) {
        printf(" masked-in-handler %d in-main %d\n", (int)masked_in,
               (int)in_main);
        print_info("info", &last_info, true);
    } else {
        printf("\n");
    }
    sigaction(s->sig, NULL, &sa);
    sigprocmask(SIG_BLOCK, NULL, &old);
    printf("  after: %s, %s\n",
           sa.sa_handler == SIG_DFL ? "default" : "handler",
           sigismember(&old, s->sig) ? "blocked" : "unblocked");
    fflush(stdout);
    _exit(0);
}

static int wait_byte(int fd, int ms)
{
    struct pollfd pf = { fd, POLLIN, 0 };
    char c;

    if (poll(&pf, 1, ms) <= 0)
        return 0;
    return read(fd, &c, 1) == 1;
}

/* Wait for @pid to end, up to @ms; its status, or -1 (killed then). */
static int reap(pid_t pid, int ms)
{
    int st;

    for (int t = 0; t < ms; t += 5) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            return st;
        sleep_ms(5);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return -1;
}

static void print_status(int st)
{
    if (st == -1)
        printf("  child hung\n");
    else if (WIFEXITED(st))
        printf("  exit %d\n", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("  killed by %s\n", sigabbrev_np(WTERMSIG(st)));
}

/* What ends the wait when the interrupted call is restarted. */
static void complete(struct scen *s)
{
    char buf[4096];
    int fd;

    switch (s->call) {
    case C_FIFO_OPEN:
        for (int t = 0; t < 200; t++) {
            fd = open(s->fifo, O_WRONLY | O_NONBLOCK);
            if (fd >= 0) {
                close(fd);
                break;
            }
            sleep_ms(5);
        }
        break;
    case C_FIFO_READ:
    case C_PPOLL:
    case C_EPOLL_PWAIT:
        fd = open(s->fifo, O_WRONLY | O_NONBLOCK);
        if (fd >= 0) {
            if (write(fd, "abc", 3) != 3)
                break; /* the child's trace tells */
            close(fd);
        }
        break;
    case C_FIFO_WRITE:
    case C_FIFO_PARTIAL:
        fd = open(s->fifo, O_RDONLY | O_NONBLOCK);
        if (fd >= 0) {
            for (int t = 0; t < 100; t++)
                if (read(fd, buf, sizeof(buf)) <= 0)
                    sleep_ms(5);
            close(fd);
        }
        break;
    case C_PIPE_READ:
        if (write(s->pipe_w, "xy", 2) != 2)
            break;
        break;
    case C_FLOCK:
        flock(s->lock_fd, LOCK_UN);
        break;
    case C_SETLKW:
    case C_OFDLKW: {
        struct flock fl = { .l_type = F_UNLCK, .l_whence = SEEK_SET };
        fcntl(s->lock_fd, s->call == C_SETLKW ? F_SETLK : F_OFD_SETLK, &fl);
        break;
    }
    case C_WAIT4:
        if (write(s->gc_w, "g", 1) != 1)
            break;
        break;
    case C_PAUSE:
    case C_SIGSUSPEND:
        break;
    case C_UNIX_READ:
    case C_UNIX_WAITALL:
        if (s->conn_fd >= 0 &&
            write(s->conn_fd, "uvwxyz", s->call == C_UNIX_READ ? 3 : 6) < 0)
            break;
        break;
    case C_CONNECT:
        fd = accept(s->listen_fd, NULL, NULL);
        if (fd >= 0)
            close(fd);
        break;
    case C_MSGRCV: {
        struct {
            long type;
            char text[4];
        } m = { 1, "msg" };
        msgsnd(s->msq, &m, 4, IPC_NOWAIT);
        break;
    }
    case C_SEMOP: {
        struct sembuf op = { 0, 1, 0 };
        semop(s->sem, &op, 1);
        break;
    }
    case C_MQ_RECEIVE: {
        mqd_t q = mq_open(s->mqname, O_WRONLY);
        mq_send(q, "mq", 2, 0);
        mq_close(q);
        break;
    }
    default:
        break;
    }
}

static int listen_at(const char *path, int backlog)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    sun_path(&a, path);
    unlink(path);
    if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, backlog)) {
        printf("  listen: %s\n", ename(errno));
        close(s);
        return -1;
    }
    return s;
}

static void send_sig(pid_t pid, int sig, enum intr in)
{
    union sigval v = { .sival_int = 77 };

    long rc;

    if (in == I_KILL)
        rc = kill(pid, sig);
    else if (in == I_TGKILL)
        rc = syscall(SYS_tgkill, pid, pid, sig);
    else
        rc = sigqueue(pid, sig, v);
    if (rc) /* would show as a lost signal */
        printf("  send: %s\n", ename(errno));
}

static void op_block(void)
{
    static const int sigs[] = { SIGUSR1, SIGALRM, SIGTERM, SIGHUP };
    struct scen s;
    int rp[2], np[2], pp[2] = { -1, -1 }, gp[2] = { -1, -1 }, st;
    pid_t pid;
    bool restart;

    memset(&s, 0, sizeof(s));
    s.call = (enum call)rnd_low(C_NCALLS);
    s.intr = (enum intr)rnd_low(I_N);
    s.sig = rnd_low(3) ? sigs[rnd_low(4)] : SIGRTMIN + (int)rnd_low(4);
    if (s.intr == I_ITIMER)
        s.sig = SIGALRM;
    if (rnd_low(2))
        s.flags |= SA_RESTART;
    if (rnd_low(4) == 0)
        s.flags |= SA_RESETHAND;
    if (rnd_low(4) == 0)
        s.flags |= SA_NODEFER;
    s.threads = (int)rnd_low(3);
    s.pipe_w = s.lock_fd = s.listen_fd = s.conn_fd = s.extra_fd = -1;
    s.gc_w = -1;
    snprintf(s.fifo, sizeof(s.fifo), "%s/fifo", dir);
    snprintf(s.lock, sizeof(s.lock), "%s/lock", dir);
    snprintf(s.sock, sizeof(s.sock), "%s/sock", dir);
    printf("block %s%s by %s sig %s%s%s%s\n", call_names[s.call],
           s.threads == 1   ? " threads-blocking"
           : s.threads == 2 ? " threads"
                            : "",
           intr_names[s.intr], s.sig >= SIGRTMIN ? "RT" : sigabbrev_np(s.sig),
           s.flags & SA_RESTART ? " RESTART" : "",
           s.flags & SA_RESETHAND ? " RESETHAND" : "",
           s.flags & SA_NODEFER ? " NODEFER" : "");
    if (s.sig >= SIGRTMIN)
        printf("  rt+%d\n", s.sig - SIGRTMIN);

    unlink(s.fifo);
    mkfifo(s.fifo, 0600);
    if (s.call == C_FLOCK || s.call == C_SETLKW || s.call == C_OFDLKW) {
        s.lock_fd = open(s.lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (s.call == C_FLOCK) {
            flock(s.lock_fd, LOCK_EX);
        } else {
            struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
            fcntl(s.lock_fd, s.call == C_SETLKW ? F_SETLK : F_OFD_SETLK, &fl);
        }
    }
    if (s.call == C_PIPE_READ) {
        if (pipe(pp))
            return;
        s.pipe_w = pp[1];
        s.extra_fd = pp[0];
    }
    if (s.call == C_WAIT4) {
        if (pipe(gp))
            return;
        s.gc_w = gp[1];
        s.extra_fd = gp[0];
    }
    if (s.call == C_UNIX_READ || s.call == C_UNIX_WAITALL)
        s.listen_fd = listen_at(s.sock, 4);
    if (s.call == C_CONNECT) {
        s.listen_fd = listen_at(s.sock, 0);
        /* One connection fills a backlog of 0; the next one waits. */
        s.extra_fd = unix_connect(s.sock);
    }
    s.msq = s.sem = -1;
    if (s.call == C_MSGRCV)
        s.msq = msgget(IPC_PRIVATE, 0600);
    if (s.call == C_SEMOP)
        s.sem = semget(IPC_PRIVATE, 1, 0600);
    if (s.call == C_MQ_RECEIVE) {
        struct mq_attr at = { .mq_maxmsg = 4, .mq_msgsize = 64 };
        mqd_t q;

        snprintf(s.mqname, sizeof(s.mqname), "/sig-fuzz.%d", (int)getpid());
        q = mq_open(s.mqname, O_RDWR | O_CREAT, 0600, &at);
        if (q == (mqd_t)-1)
            printf("  mq_open: %s\n", ename(errno));
        else
            mq_close(q);
    }
    if (pipe2(rp, O_CLOEXEC) || pipe2(np, O_CLOEXEC))
        return;
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        close(rp[0]);
        close(np[0]);
        notify_w = np[1];
        if (s.call == C_WAIT4)
            close(gp[1]);
        child_block(&s, rp[1]);
    }
    close(rp[1]);
    close(np[1]);
    if (!wait_byte(rp[0], 5000))
        printf("  child not ready\n");
    if (s.listen_fd >= 0 && s.call != C_CONNECT)
        s.conn_fd = accept(s.listen_fd, NULL, NULL);
    if (s.call == C_UNIX_WAITALL && s.conn_fd >= 0 &&
        write(s.conn_fd, "abcd", 4) != 4)
        printf("  write failed\n");
    /* Let it reach the call and sleep in it. */
    for (int t = 0; t < 400 && proc_state(pid) != 'S'; t++)
        sleep_ms(5);
    sleep_ms(40);
    restart = s.flags & SA_RESTART;
    switch (s.intr) {
    case I_KILL:
    case I_TGKILL:
    case I_SIGQUEUE:
        send_sig(pid, s.sig, s.intr);
        wait_byte(np[0], 3000);
        break;
    case I_ITIMER:
    case I_TIMER:
        wait_byte(np[0], 3000);
        break;
    case I_STOPCONT:
        if (kill(pid, SIGSTOP))
            printf("  SIGSTOP: %s\n", ename(errno));
        if (waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st))
            printf("  stopped\n");
        if (kill(pid, SIGCONT))
            printf("  SIGCONT: %s\n", ename(errno));
        restart = true;
        break;
    default:
        break;
    }
    /* Did the call return (EINTR, a partial count), or does it wait? */
    if (!wait_byte(rp[0], restart ? 100 : 3000)) {
        complete(&s);
        /* A handled signal always ends pause and sigsuspend; after a
         * stop and continue they wait on, for SIGUSR2. */
        if ((s.call == C_PAUSE || s.call == C_SIGSUSPEND) &&
            s.intr == I_STOPCONT)
            kill(pid, SIGUSR2);
    }
    st = reap(pid, 3000);
    print_status(st);
    if (s.gc_w >= 0)
        close(s.gc_w); /* the grandchild exits on EOF */
    if (s.extra_fd >= 0)
        close(s.extra_fd);
    if (s.pipe_w >= 0)
        close(s.pipe_w);
    if (s.lock_fd >= 0)
        close(s.lock_fd);
    if (s.conn_fd >= 0)
        close(s.conn_fd);
    if (s.listen_fd >= 0)
        close(s.listen_fd);
    close(rp[0]);
    close(np[0]);
    unlink(s.fifo);
    unlink(s.sock);
    if (s.msq >= 0)
        msgctl(s.msq, IPC_RMID, NULL);
    if (s.sem >= 0)
        semctl(s.sem, 0, IPC_RMID);
    if (s.call == C_MQ_RECEIVE)
        mq_unlink(s.mqname);
}

/* --- queued signals: order, values, sigpending, how they are taken --- */

/*
 * Take up to @n + 1 signals of @set: the first waiting up to 3 s, the
 * rest only if already pending. how: 0 sigtimedwait, 1 sigwaitinfo,
 * 2 a signalfd.
 */
static void take_signals(int how, sigset_t *set, int n)
{
    siginfo_t si;
    struct timespec ts = { 3, 0 };
    int sfd = -1;

    if (how == 2)
        sfd = signalfd(-1, set, SFD_CLOEXEC | SFD_NONBLOCK);
    for (int i = 0; i < n + 1; i++) {
        memset(&si, 0, sizeof(si));
        if (i > 0)
            ts.tv_sec = 0;
        if (how == 0) {
            if (sigtimedwait(set, &si, &ts) < 0) {
                printf("  sigtimedwait: %s\n", ename(errno));
                break;
            }
            print_info("waited", &si, true);
        } else if (how == 1) {
            sigset_t pend;
            bool any = false;

            sigpending(&pend);
            for (int sg = 1; sg < 65; sg++)
                if (sigismember(&pend, sg) == 1 && sigismember(set, sg) == 1)
                    any = true;
            if (!any && i > 0) {
                printf("  none pending\n");
                break;
            }
            if (sigwaitinfo(set, &si) < 0) {
                printf("  sigwaitinfo: %s\n", ename(errno));
                break;
            }
            print_info("waitinfo", &si, true);
        } else {
            struct signalfd_siginfo ss;
            struct pollfd pf = { sfd, POLLIN, 0 };
            ssize_t r;

            if (i == 0)
                poll(&pf, 1, 3000);
            r = read(sfd, &ss, sizeof(ss));
            if (r != sizeof(ss)) {
                printf("  signalfd read: %zd %s\n", r,
                       r < 0 ? ename(errno) : "");
                break;
            }
            printf("  sfd: signo=%u code=%d pid=%s uid=%s errno=%d "
                   "status=%d int=%d ptr=%llx fd=%d band=%u overrun=%u "
                   "trapno=%u addr=%llx tid=%u\n",
                   ss.ssi_signo, ss.ssi_code, who((pid_t)ss.ssi_pid),
                   uidname(ss.ssi_uid), ss.ssi_errno, ss.ssi_status, ss.ssi_int,
                   (unsigned long long)ss.ssi_ptr, ss.ssi_fd, ss.ssi_band,
                   ss.ssi_overrun, ss.ssi_trapno,
                   (unsigned long long)ss.ssi_addr, ss.ssi_tid);
        }
    }
    if (sfd >= 0)
        close(sfd);
}

static volatile int order[64];
static volatile sig_atomic_t norder;

static void order_handler(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (norder < 64)
        order[norder++] =
            sig * 1000 +
            (si->si_code == SI_QUEUE ? si->si_value.sival_int % 1000 : 999);
}

static void op_queue(void)
{
    static const int std[] = { SIGUSR1, SIGUSR2, SIGHUP, SIGTERM, SIGWINCH };
    int sigs[8], vals[8], kinds[8], n = 2 + (int)rnd_low(6),
                                    how = (int)rnd_low(4);
    sigset_t set;
    int rp[2], gp[2], st;
    pid_t pid;
    char c;

    sigemptyset(&set);
    printf("queue %d by %s:", n,
           how == 0   ? "sigtimedwait"
           : how == 1 ? "sigwaitinfo"
           : how == 2 ? "signalfd"
                      : "handler");
    for (int i = 0; i < n; i++) {
        sigs[i] = rnd_low(2) ? std[rnd_low(5)] : SIGRTMIN + (int)rnd_low(5);
        kinds[i] = (int)rnd_low(3);
        vals[i] = 100 + (int)rnd_low(800);
        sigaddset(&set, sigs[i]);
        printf(" %s%d/%s", sigs[i] >= SIGRTMIN ? "rt" : sigabbrev_np(sigs[i]),
               sigs[i] >= SIGRTMIN ? sigs[i] - SIGRTMIN : 0,
               kinds[i] == 0   ? "kill"
               : kinds[i] == 1 ? "tgkill"
                               : "queue");
        if (kinds[i] == 2)
            printf("=%d", vals[i]);
    }
    printf("\n");
    if (pipe2(rp, O_CLOEXEC) || pipe2(gp, O_CLOEXEC))
        return;
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        sigset_t pend;
        struct sigaction sa;

        sigprocmask(SIG_BLOCK, &set, NULL);
        if (write(rp[1], "r", 1) != 1 || read(gp[0], &c, 1) != 1)
            _exit(9);
        sigpending(&pend);
        printf("  pending:");
        for (int sg = 1; sg < 65; sg++)
            if (sigismember(&pend, sg))
                printf(" %d", sg);
        printf("\n");
        if (how < 3) {
            take_signals(how, &set, n);
        } else {
            memset(&sa, 0, sizeof(sa));
            sa.sa_sigaction = order_handler;
            sa.sa_flags = SA_SIGINFO;
            sigfillset(&sa.sa_mask);
            for (int sg = 1; sg < 65; sg++)
                if (sigismember(&set, sg))
                    sigaction(sg, &sa, NULL);
            sigprocmask(SIG_UNBLOCK, &set, NULL);
            printf("  order:");
            for (int i = 0; i < norder; i++)
                printf(" %d.%d", order[i] / 1000, order[i] % 1000);
            printf("\n");
        }
        fflush(stdout);
        _exit(0);
    }
    close(rp[1]);
    close(gp[0]);
    wait_byte(rp[0], 5000);
    for (int i = 0; i < n; i++) {
        union sigval v = { .sival_int = vals[i] };
        long rc;

        if (kinds[i] == 0)
            rc = kill(pid, sigs[i]);
        else if (kinds[i] == 1)
            rc = syscall(SYS_tgkill, pid, pid, sigs[i]);
        else
            rc = sigqueue(pid, sigs[i], v);
        if (rc)
            printf("  send: %s\n", ename(errno));
    }
    if (write(gp[1], "g", 1) != 1)
        printf("  go failed\n");
    st = reap(pid, 3000);
    print_status(st);
    close(rp[0]);
    close(gp[1]);
}

/* --- SIGCHLD --- */

static void op_sigchld(void)
{
    int kind = (int)rnd_low(4), how = (int)rnd_low(4), code = (int)rnd_low(100),
        st;
    pid_t pid;

    printf("sigchld %s by %s\n",
           kind == 0   ? "exit"
           : kind == 1 ? "killed"
           : kind == 2 ? "stopped"
                       : "self-killed",
           how == 0   ? "sigtimedwait"
           : how == 1 ? "sigwaitinfo"
           : how == 2 ? "signalfd"
                      : "handler");
    if (kind == 0)
        printf("  code %d\n", code);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        sigset_t set;
        struct sigaction sa;
        int gst;

        parent_pid = getppid();
        sigemptyset(&set);
        sigaddset(&set, SIGCHLD);
        if (how < 3) {
            sigprocmask(SIG_BLOCK, &set, NULL);
        } else {
            memset(&sa, 0, sizeof(sa));
            sa.sa_sigaction = handler;
            sa.sa_flags = SA_SIGINFO | SA_RESTART;
            sigaction(SIGCHLD, &sa, NULL);
        }
        gc_pid = fork();
        if (gc_pid == 0) {
            if (kind == 0)
                _exit(code);
            if (kind == 3)
                kill(getpid(), SIGTERM);
            pause();
            _exit(1);
        }
        if (kind == 1) {
            sleep_ms(20);
            kill(gc_pid, SIGKILL);
        } else if (kind == 2) {
            sleep_ms(20);
            kill(gc_pid, SIGSTOP);
        }
        if (how < 3) {
            take_signals(how, &set, 0);
        } else {
            for (int t = 0; t < 400 && !nhandled; t++)
                sleep_ms(5);
            printf("  handled %d\n", (int)nhandled);
            if (nhandled)
                print_info("info", &last_info, true);
        }
        if (kind == 2)
            kill(gc_pid, SIGKILL);
        waitpid(gc_pid, &gst, 0);
        fflush(stdout);
        _exit(0);
    }
    st = reap(pid, 5000);
    print_status(st);
}

/* --- signals a write fails with: SIGPIPE and SIGXFSZ --- */

static void op_write_sig(void)
{
    int what = (int)rnd_low(5), disp = (int)rnd_low(4), st;
    pid_t pid;
    char path[512];

    static const char *whats[] = { "fifo", "pipe", "socketpair", "unix-path",
                                   "fsize" };
    static const char *disps[] = { "default", "ignore", "handler", "blocked" };
    printf("write-signal %s %s\n", whats[what], disps[disp]);
    snprintf(path, sizeof(path), "%s/%s", dir,
             what == 0   ? "wfifo"
             : what == 3 ? "wsock"
                         : "wfile");
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        int sig = what == 4 ? SIGXFSZ : SIGPIPE, fd = -1, p[2], lfd = -1;
        struct sigaction sa;
        sigset_t set;
        long rc;
        char buf[1500];
        struct rlimit rl = { 0, 0 };

        setrlimit(RLIMIT_CORE, &rl);
        memset(buf, 'w', sizeof(buf));
        memset(&sa, 0, sizeof(sa));
        sigemptyset(&set);
        sigaddset(&set, sig);
        sa.sa_handler = SIG_DFL; /* the fuzzer's own is SIG_IGN */
        sigaction(sig, &sa, NULL);
        if (disp == 1) {
            sa.sa_handler = SIG_IGN;
            sigaction(sig, &sa, NULL);
        } else if (disp == 2) {
            sa.sa_sigaction = handler;
            sa.sa_flags = SA_SIGINFO;
            sigaction(sig, &sa, NULL);
        } else if (disp == 3) {
            sigprocmask(SIG_BLOCK, &set, NULL);
        }
        switch (what) {
        case 0: {
            int r;
            unlink(path);
            mkfifo(path, 0600);
            r = open(path, O_RDONLY | O_NONBLOCK);
            fd = open(path, O_WRONLY);
            close(r);
            break;
        }
        case 1:
            if (pipe(p))
                _exit(9);
            close(p[0]);
            fd = p[1];
            break;
        case 2:
            if (socketpair(AF_UNIX, SOCK_STREAM, 0, p))
                _exit(9);
            close(p[0]);
            fd = p[1];
            break;
        case 3:
            lfd = listen_at(path, 4);
            fd = unix_connect(path);
            close(accept(lfd, NULL, NULL));
            break;
        case 4:
            unlink(path);
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
            /* Only the soft limit: it goes back up before the trace is
             * flushed (stdout may be a file past 1000 bytes). */
            getrlimit(RLIMIT_FSIZE, &rl);
            rl.rlim_cur = 1000;
            setrlimit(RLIMIT_FSIZE, &rl);
            rc = write(fd, buf, sizeof(buf));
            print_rc("first write", rc, errno);
            break;
        }
        errno = 0;
        rc = write(fd, buf, 100);
        print_rc("write", rc, errno);
        if (what == 2 || what == 3) {
            rc = send(fd, buf, 10, MSG_NOSIGNAL);
            print_rc("send nosignal", rc, errno);
        }
        printf("  handled %d\n", (int)nhandled);
        if (nhandled)
            print_info("info", &last_info,
                       !(mask_kbox_sent && (what == 0 || what == 4)));
        if (disp == 3) {
            siginfo_t si;
            struct timespec zero = { 0, 0 };
            if (sigtimedwait(&set, &si, &zero) == sig)
                print_info("pending", &si,
                           !(mask_kbox_sent && (what == 0 || what == 4)));
            else
                printf("  nothing pending\n");
        }
        if (what == 4) {
            rl.rlim_cur = rl.rlim_max;
            setrlimit(RLIMIT_FSIZE, &rl);
        }
        fflush(stdout);
        _exit(0);
    }
    st = reap(pid, 5000);
    print_status(st);
    unlink(path);
}

/* --- timers: siginfo of setitimer, alarm and timer_create signals --- */

static void op_timer(void)
{
    int kind = (int)rnd_low(3), how = (int)rnd_low(3), st;
    pid_t pid;

    printf("timer %s by %s\n",
           kind == 0   ? "itimer"
           : kind == 1 ? "timer_create"
                       : "timer_create-thread-id",
           how == 0   ? "sigtimedwait"
           : how == 1 ? "signalfd"
                      : "handler");
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        int sig = kind == 0 ? SIGALRM : SIGRTMIN + 1;
        sigset_t set;
        struct sigaction sa;
        timer_t t1, t2;

        sigemptyset(&set);
        sigaddset(&set, sig);
        if (how < 2) {
            sigprocmask(SIG_BLOCK, &set, NULL);
        } else {
            memset(&sa, 0, sizeof(sa));
            sa.sa_sigaction = handler;
            sa.sa_flags = SA_SIGINFO;
            sigaction(sig, &sa, NULL);
        }
        if (kind == 0) {
            struct itimerval it = { { 0, 0 }, { 0, 30000 } };
            setitimer(ITIMER_REAL, &it, NULL);
        } else {
            struct sigevent ev = { 0 };
            struct itimerspec its = { { 0, 0 }, { 0, 30000000 } };

            /* A second timer so that the id is not always 0. */
            ev.sigev_notify = SIGEV_NONE;
            timer_create(CLOCK_REALTIME, &ev, &t2);
            ev.sigev_notify = kind == 1 ? SIGEV_SIGNAL : SIGEV_THREAD_ID;
            ev._sigev_un._tid = gettid();
            ev.sigev_signo = sig;
            ev.sigev_value.sival_int = 31337;
            if (timer_create(CLOCK_MONOTONIC, &ev, &t1))
                printf("  timer_create: %s\n", ename(errno));
            timer_settime(t1, 0, &its, NULL);
        }
        if (how == 0) {
            siginfo_t si;
            struct timespec ts = { 3, 0 };
            if (sigtimedwait(&set, &si, &ts) == sig)
                print_info("waited", &si, true);
            else
                printf("  sigtimedwait: %s\n", ename(errno));
        } else if (how == 1) {
            struct pollfd pf;
            pf.fd = signalfd(-1, &set, SFD_CLOEXEC);
            pf.events = POLLIN;
            if (poll(&pf, 1, 3000) == 1)
                take_signals(2, &set, 0);
            else
                printf("  signalfd: nothing\n");
        } else {
            for (int t = 0; t < 600 && !nhandled; t++)
                sleep_ms(5);
            printf("  handled %d\n", (int)nhandled);
            if (nhandled)
                print_info("info", &last_info, true);
        }
        fflush(stdout);
        _exit(0);
    }
    st = reap(pid, 5000);
    print_status(st);
}

int main(int argc, char **argv)
{
    int nops;

    if (argc < 4) {
        fprintf(stderr, "usage: sig-fuzz DIR SEED NOPS [-k]\n");
        return 2;
    }
    dir = argv[1];
    rng = strtoull(argv[2], NULL, 0) * 2654435761u + 88172645463325252ull;
    nops = atoi(argv[3]);
    for (int i = 4; i < argc; i++) {
        if (strcmp(argv[i], "-k") == 0)
            mask_kbox_sent = true;
        else if (strcmp(argv[i], "-u") == 0)
            mask_uid = true;
    }
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    parent_pid = getpid();
    signal(SIGPIPE, SIG_IGN);
    for (int i = 0; i < nops; i++) {
        unsigned k = rnd_low(10);

        printf("%d: ", i);
        if (k < 5)
            op_block();
        else if (k < 7)
            op_queue();
        else if (k < 8)
            op_sigchld();
        else if (k < 9)
            op_write_sig();
        else
            op_timer();
        fflush(stdout);
    }
    printf("sig-fuzz: done\n");
    return 0;
}
