/* SPDX-License-Identifier: MIT */
/*
 * Signal-driven I/O on files in directory argv[1] (the image, lx's tmpfs,
 * a bind, or natively any directory): a lease break sends the holder its
 * signal and the breaker's open waits until the holder lets go (F_SETLEASE
 * F_RDLCK and F_WRLCK, with and without F_SETSIG, by open and truncate,
 * O_NONBLOCK's EWOULDBLOCK), F_NOTIFY (one-shot and DN_MULTISHOT, si_fd
 * the directory), and O_ASYNC on a FIFO (F_SETOWN, F_SETOWN_EX to a
 * thread, FIOASYNC). Under kbox lx sent all of these to its own task and
 * the guest never saw them (a breaker waited lease-break-time, 45 s).
 * si_code is not compared: kbox can only queue SI_SIGIO.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest-check.h"

static volatile sig_atomic_t got_sig, got_fd, got_n, release_fd = -1;
static volatile long got_band;
static volatile pid_t got_tid;

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_sig(int s, siginfo_t *si, void *uc)
{
    (void)uc;
    got_sig = s;
    got_fd = si->si_fd;
    got_band = si->si_band;
    got_tid = (pid_t)syscall(SYS_gettid);
    got_n++;
    if (release_fd >= 0) {
        fcntl(release_fd, F_SETLEASE, F_UNLCK);
        release_fd = -1;
    }
}

static void handle(int s)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_sig;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(s, &sa, NULL);
}

/* Wait up to @ms for a signal to arrive (got_n past @n). */
static int wait_sig(int n, int ms)
{
    for (int i = 0; i < ms / 5 && got_n <= n; i++)
        usleep(5000);
    return got_n > n;
}

/*
 * Lease @type on @path held by this process (signal @sig, 0: plain
 * SIGIO); a child breaks it by @how ('w' open for writing, 'r' open for
 * reading, 't' truncate); the handler lets go after @hold_ms.
 */
static void lease_case(const char *path, int type, int sig, int how,
                       const char *what)
{
    int fd = open(path, type == F_WRLCK ? O_RDWR : O_RDONLY), st, n0 = got_n;
    int p[2];
    pid_t c;
    double t0, waited = -1;
    char line[64];

    if (fd < 0 || pipe(p)) {
        check(0, "%s: open", what);
        return;
    }
    check(fcntl(fd, F_SETSIG, sig) == 0, "%s: F_SETSIG %d", what, sig);
    check(fcntl(fd, F_SETLEASE, type) == 0, "%s: F_SETLEASE", what);
    check(fcntl(fd, F_GETLEASE) == type, "%s: F_GETLEASE is the lease", what);
    handle(sig ? sig : SIGIO);
    t0 = now();
    c = fork();
    if (c == 0) {
        double s = now();
        int rc;

        close(p[0]);
        if (how == 't')
            rc = truncate(path, 0);
        else
            rc = open(path, how == 'w' ? O_WRONLY : O_RDONLY);
        dprintf(p[1], "%d %.3f\n", rc >= 0 ? 0 : errno, now() - s);
        _exit(0);
    }
    close(p[1]);
    /* the handler lets go at once; a lost signal: after 4 s, ourselves */
    release_fd = -1;
    if (!wait_sig(n0, 4000)) {
        check(0, "%s: the break sent the holder its signal", what);
        fcntl(fd, F_SETLEASE, F_UNLCK);
    } else {
        check(got_sig == (sig ? sig : SIGIO), "%s: signal %d (want %d)", what,
              (int)got_sig, sig ? sig : SIGIO);
        if (sig)
            check(got_fd == fd, "%s: si_fd %d is the lease's fd %d", what,
                  (int)got_fd, fd);
        /* F_GETLEASE during the break: what it is being broken to */
        check(fcntl(fd, F_GETLEASE) ==
                  (type == F_WRLCK && how == 'r' ? F_RDLCK : F_UNLCK),
              "%s: F_GETLEASE while broken: %d", what, fcntl(fd, F_GETLEASE));
        usleep(300000); /* the breaker waits for us */
        fcntl(fd, F_SETLEASE, F_UNLCK);
    }
    if (guest_read_line(p[0], line, sizeof(line), 10000)) {
        int e = -1;

        sscanf(line, "%d %lf", &e, &waited);
        check(e == 0, "%s: the breaker's call succeeded (%d)", what, e);
        check(waited >= 0.25 && waited < 3.5,
              "%s: the breaker waited for the release (%.3f s)", what, waited);
    } else {
        check(0, "%s: the breaker's call returned", what);
    }
    waitpid(c, &st, 0);
    (void)t0;
    close(p[0]);
    close(fd);
}

static void nonblock_break(const char *path)
{
    int fd = open(path, O_RDONLY), n0 = got_n, fd2;

    fcntl(fd, F_SETSIG, 0);
    handle(SIGIO);
    check(fcntl(fd, F_SETLEASE, F_RDLCK) == 0, "nonblock: F_SETLEASE F_RDLCK");
    fd2 = open(path, O_WRONLY | O_NONBLOCK);
    check(fd2 < 0 && errno == EWOULDBLOCK,
          "nonblock: O_NONBLOCK open for writing is EWOULDBLOCK");
    check(wait_sig(n0, 4000) && got_sig == SIGIO,
          "nonblock: the holder got SIGIO all the same");
    fcntl(fd, F_SETLEASE, F_UNLCK);
    fd2 = open(path, O_WRONLY | O_NONBLOCK);
    check(fd2 >= 0, "nonblock: after the release the open goes on");
    close(fd2);
    close(fd);
}

static void dnotify_case(const char *dir, int multi)
{
    char path[4096];
    int d = open(dir, O_RDONLY | O_DIRECTORY), n0, fd, sig = SIGRTMIN + 2;
    const char *w = multi ? "dnotify multishot" : "dnotify one-shot";

    handle(sig);
    check(fcntl(d, F_SETSIG, sig) == 0, "%s: F_SETSIG", w);
    check(fcntl(d, F_NOTIFY,
                DN_CREATE | DN_DELETE | DN_MODIFY |
                    (multi ? DN_MULTISHOT : 0)) == 0,
          "%s: F_NOTIFY", w);
    snprintf(path, sizeof(path), "%s/dn-%d", dir, multi);
    n0 = got_n;
    fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    check(wait_sig(n0, 3000), "%s: a create sent the signal", w);
    check(got_sig == sig && got_fd == d,
          "%s: signal %d si_fd %d (want %d and %d)", w, (int)got_sig,
          (int)got_fd, sig, d);
    n0 = got_n;
    write(fd, "x", 1);
    close(fd);
    if (multi)
        check(wait_sig(n0, 3000), "%s: a write sent it again", w);
    else
        check(!wait_sig(n0, 300), "%s: a write sent nothing more", w);
    n0 = got_n;
    unlink(path);
    if (multi)
        check(wait_sig(n0, 3000), "%s: an unlink sent it again", w);
    else
        check(!wait_sig(n0, 300), "%s: an unlink sent nothing more", w);
    fcntl(d, F_NOTIFY, 0);
    close(d);
}

static volatile pid_t thread_tid;
static volatile int thread_stop;

static void *idle_thread(void *a)
{
    sigset_t none;

    (void)a;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, NULL);
    thread_tid = (pid_t)syscall(SYS_gettid);
    while (!thread_stop)
        usleep(2000);
    return NULL;
}

/* a child writes a byte to the FIFO whose read end @fd has O_ASYNC */
static void poke_fifo(const char *fifo)
{
    pid_t c = fork();
    int st;

    if (c == 0) {
        int w = open(fifo, O_WRONLY | O_NONBLOCK);

        _exit(w >= 0 && write(w, "x", 1) == 1 ? 0 : 1);
    }
    waitpid(c, &st, 0);
}

static void drain(int fd)
{
    char b[64];

    while (read(fd, b, sizeof(b)) > 0)
        ;
}

static void async_case(const char *dir)
{
    char fifo[4096];
    int fd, n0, sig = SIGRTMIN + 3, one = 1, owner = 0;
    struct f_owner_ex ex;
    pthread_t t;
    sigset_t s;

    snprintf(fifo, sizeof(fifo), "%s/sigio-fifo", dir);
    unlink(fifo);
    if (mkfifo(fifo, 0600)) {
        check(0, "async: mkfifo");
        return;
    }
    fd = open(fifo, O_RDWR | O_NONBLOCK);
    handle(sig);
    check(fcntl(fd, F_SETOWN, getpid()) == 0, "async: F_SETOWN getpid");
    check(fcntl(fd, F_GETOWN) == getpid(), "async: F_GETOWN");
    check(fcntl(fd, F_SETSIG, sig) == 0, "async: F_SETSIG");
    check(fcntl(fd, F_SETFL, O_ASYNC | O_NONBLOCK) == 0, "async: O_ASYNC");
    n0 = got_n;
    poke_fifo(fifo);
    check(wait_sig(n0, 3000), "async: a write to the FIFO sent the signal");
    check(got_sig == sig && got_fd == fd,
          "async: signal %d si_fd %d (want %d and %d)", (int)got_sig,
          (int)got_fd, sig, fd);
    check((got_band & (POLLIN | POLLRDNORM)) == (POLLIN | POLLRDNORM),
          "async: si_band %#lx has POLLIN|POLLRDNORM", (long)got_band);
    drain(fd);

    /* F_SETOWN_EX to a thread: only that thread takes it */
    sigemptyset(&s);
    sigaddset(&s, sig);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    pthread_create(&t, NULL, idle_thread, NULL);
    while (!thread_tid)
        usleep(1000);
    ex.type = F_OWNER_TID;
    ex.pid = thread_tid;
    check(fcntl(fd, F_SETOWN_EX, &ex) == 0, "async: F_SETOWN_EX F_OWNER_TID");
    memset(&ex, 0, sizeof(ex));
    one = fcntl(fd, F_GETOWN_EX, &ex);
    check(one == 0 && ex.type == F_OWNER_TID && ex.pid == thread_tid,
          "async: F_GETOWN_EX names the thread (%d %d)", ex.type, ex.pid);
    one = 1;
    n0 = got_n;
    poke_fifo(fifo);
    check(wait_sig(n0, 3000) && got_tid == thread_tid,
          "async: the thread took the signal (tid %d, want %d)", (int)got_tid,
          (int)thread_tid);
    drain(fd);
    thread_stop = 1;
    pthread_join(t, NULL);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);

    /* FIOASYNC, plain SIGIO; FIOSETOWN is a socket's only */
    fcntl(fd, F_SETFL, O_NONBLOCK);
    fcntl(fd, F_SETSIG, 0);
    handle(SIGIO);
    owner = getpid();
    WANT(ioctl(fd, FIOSETOWN, &owner), ENOTTY, "async: FIOSETOWN on a FIFO");
    WANT(ioctl(fd, FIOGETOWN, &owner), ENOTTY, "async: FIOGETOWN on a FIFO");
    fcntl(fd, F_SETOWN, getpid());
    check(ioctl(fd, FIOASYNC, &one) == 0, "async: FIOASYNC");
    check((fcntl(fd, F_GETFL) & O_ASYNC) != 0, "async: F_GETFL has O_ASYNC");
    n0 = got_n;
    poke_fifo(fifo);
    check(wait_sig(n0, 3000) && got_sig == SIGIO,
          "async: FIOASYNC: a write sent SIGIO");
    drain(fd);

    /* the owner a child that has made no call yet (it was ESRCH) */
    {
        pid_t c = fork();
        int st, rc;

        if (c == 0) {
            signal(SIGIO, SIG_DFL);
            alarm(4);
            for (;;)
                pause();
        }
        usleep(100000);
        rc = fcntl(fd, F_SETOWN, c);
        check(rc == 0 && fcntl(fd, F_GETOWN) == c,
              "async: F_SETOWN a child that made no call yet (%d)", rc);
        poke_fifo(fifo);
        waitpid(c, &st, 0);
        check(WIFSIGNALED(st) && WTERMSIG(st) == SIGIO,
              "async: its default action for SIGIO ended it (status %#x)", st);
        drain(fd);
    }
    close(fd);
    unlink(fifo);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    char path[4096];
    int fd;

    setvbuf(stdout, NULL, _IOLBF, 0);
    snprintf(path, sizeof(path), "%s/sigio-lease", dir);
    fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
    if (fd < 0 || write(fd, "data\n", 5) != 5) {
        check(0, "create %s", path);
        return 1;
    }
    close(fd);
    lease_case(path, F_RDLCK, 0, 'w', "rdlck/open-w/SIGIO");
    lease_case(path, F_RDLCK, SIGRTMIN + 1, 'w', "rdlck/open-w/F_SETSIG");
    lease_case(path, F_WRLCK, SIGRTMIN + 1, 'r', "wrlck/open-r/F_SETSIG");
    lease_case(path, F_RDLCK, SIGUSR1, 't', "rdlck/truncate/SIGUSR1");
    nonblock_break(path);
    unlink(path);
    dnotify_case(dir, 0);
    dnotify_case(dir, 1);
    async_case(dir);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
