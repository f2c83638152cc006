/* SPDX-License-Identifier: MIT */
/*
 * tty-fuzz: a seeded, deterministic differential fuzzer for terminals and
 * job control on pty pairs it makes itself (no outer terminal needed):
 * posix_openpt or /dev/ptmx, grantpt, unlockpt, ptsname, TIOCGPTN,
 * TIOCGPTPEER, the slave by path; fstat, ttyname, /proc/self/fd links and
 * isatty of both ends; TIOCEXCL; sessions and groups (setsid, TIOCSCTTY
 * with and without its steal argument, TIOCNOTTY, /dev/tty with and
 * without a terminal, tcgetpgrp, tcsetpgrp, tcgetsid, TIOCGSID); a
 * background group's writes (TOSTOP), reads and tcsetattr (SIGTTOU,
 * SIGTTIN, EIO when orphaned or when the signal is ignored); SIGHUP and
 * SIGCONT to an orphaned stopped group; the session leader's exit; hangup
 * of the slave on the master's close and of the master on the slave's;
 * termios round trips, ICANON/ECHO, VMIN/VTIME reads; TIOCGWINSZ,
 * TIOCSWINSZ and SIGWINCH; TIOCPKT; FIONREAD and TIOCOUTQ.
 *
 * Every op runs in processes of its own, in a session the fuzzer made
 * (it starts with setsid, so no outer terminal counts). Lines are written
 * with write(2), whole, by whichever process has them, in an order the
 * op fixes. pids and pts numbers never appear: groups and sessions are
 * named by role (own, leader, bg, other), a pts path as /dev/pts/#.
 *
 * Usage: tty-fuzz DIR SEED NOPS [-p] [-r] [-t]  (DIR: empty, writable)
 * -p: no line that depends on privilege (TIOCEXCL, stealing a terminal,
 * /dev/pts/ptmx, the owner of /dev/ptmx), so that a run as root can be
 * compared with one as a user.
 * -r: no slave is opened without O_NOCTTY by a session leader with no
 * terminal (Linux makes it the leader's terminal; kbox opens host nodes
 * itself, so the guest never takes one that way: a known gap).
 * -t: no node of an fd of /dev/tty (kbox opens the terminal's own node,
 * /dev/pts/N, not /dev/tty, c 5 0: a known gap).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static uint64_t rng;
static const char *dir;
static bool root, mask_noctty, mask_devtty;

static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) < 0)
        ;
}

static const char *ename(int e)
{
    const char *n = strerrorname_np(e);

    return n ? n : "E?";
}

/* One whole line to stdout, unbuffered: several processes write. */
__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (n > (int)sizeof(buf) - 2)
        n = (int)sizeof(buf) - 2;
    buf[n++] = '\n';
    if (write(1, buf, (size_t)n) < 0)
        _exit(9);
}

static const char *res(long rc)
{
    return rc < 0 ? ename(errno) : "ok";
}

/* Roles of groups and sessions, set before the forks that need them. */
static pid_t leader, bg;

static const char *role(pid_t p)
{
    if (p < 0)
        return ename(errno);
    if (p == 0)
        return "0";
    if (p == getpid())
        return "self";
    if (p == leader)
        return "leader";
    if (bg && p == bg)
        return "bg";
    return "other";
}

/* A pts path with its number replaced, other text as it is. */
static const char *canon(const char *path, char *out, size_t n)
{
    const char *d;

    if (!path)
        return ename(errno);
    if (strncmp(path, "/dev/pts/", 9) == 0 && path[9] >= '0' &&
        path[9] <= '9') {
        d = path + 9;
        while (*d >= '0' && *d <= '9')
            d++;
        snprintf(out, n, "/dev/pts/#%s", d);
        return out;
    }
    snprintf(out, n, "%s", path);
    return out;
}

struct pty {
    int m, s;
    char name[64];
};

/* A pair, unlocked, the slave opened O_NOCTTY; false on failure. */
static bool pty_open(struct pty *p, int how)
{
    const char *n;

    p->s = -1;
    p->m = how ? open("/dev/ptmx", O_RDWR | O_NOCTTY)
               : posix_openpt(O_RDWR | O_NOCTTY);
    if (p->m < 0) {
        say("  ptmx: %s", ename(errno));
        return false;
    }
    if (grantpt(p->m) || unlockpt(p->m) || !(n = ptsname(p->m))) {
        say("  grant/unlock: %s", ename(errno));
        return false;
    }
    snprintf(p->name, sizeof(p->name), "%s", n);
    p->s = open(p->name, O_RDWR | O_NOCTTY);
    if (p->s < 0) {
        say("  slave: %s", ename(errno));
        return false;
    }
    return true;
}

static void pty_close(struct pty *p)
{
    if (p->s >= 0)
        close(p->s);
    if (p->m >= 0)
        close(p->m);
}

/* Read what arrives on @fd within @ms of quiet, up to @n bytes. */
static int drain(int fd, char *buf, int n, int ms)
{
    int got = 0;
    struct pollfd pf = { fd, POLLIN, 0 };

    while (got < n && poll(&pf, 1, ms) == 1 && (pf.revents & POLLIN)) {
        ssize_t r = read(fd, buf + got, (size_t)(n - got));

        if (r <= 0)
            break;
        got += (int)r;
        ms = 100;
    }
    return got;
}

static const char *show(const char *b, int n)
{
    static char out[256];
    int k = 0;

    for (int i = 0; i < n && k < (int)sizeof(out) - 5; i++) {
        unsigned char c = (unsigned char)b[i];

        if (c >= 32 && c < 127 && c != '\\')
            out[k++] = (char)c;
        else
            k += snprintf(out + k, sizeof(out) - (size_t)k, "\\%02x", c);
    }
    out[k] = '\0';
    return out;
}

/* Wait up to @ms for @pid to change state; -1 on none. */
static int reap(pid_t pid, int ms, int flags)
{
    int st;

    for (int t = 0; t < ms; t += 5) {
        pid_t r = waitpid(pid, &st, WNOHANG | flags);

        if (r == pid)
            return st;
        if (r < 0)
            return -2;
        sleep_ms(5);
    }
    return -1;
}

static const char *status(int st)
{
    static char buf[64];

    if (st == -1)
        return "timeout";
    if (st == -2)
        return "gone";
    if (WIFEXITED(st))
        snprintf(buf, sizeof(buf), "exit %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(buf, sizeof(buf), "killed %s", sigabbrev_np(WTERMSIG(st)));
    else if (WIFSTOPPED(st))
        snprintf(buf, sizeof(buf), "stopped %s", sigabbrev_np(WSTOPSIG(st)));
    else
        snprintf(buf, sizeof(buf), "continued");
    return buf;
}

/* Signals a process saw, by handler. */
static volatile sig_atomic_t n_hup, n_cont, n_winch, n_ttou, n_ttin;

static void on_sig(int sig)
{
    if (sig == SIGHUP)
        n_hup++;
    else if (sig == SIGCONT)
        n_cont++;
    else if (sig == SIGWINCH)
        n_winch++;
    else if (sig == SIGTTOU)
        n_ttou++;
    else if (sig == SIGTTIN)
        n_ttin++;
}

static void catch (int sig)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sig;
    sigaction(sig, &sa, NULL);
}

static void node(const char *what, int fd)
{
    struct stat st;
    char l[64], buf[128], c[128];
    ssize_t n;
    const char *tn;

    if (fstat(fd, &st)) {
        say("  %s fstat: %s", what, ename(errno));
        return;
    }
    snprintf(l, sizeof(l), "/proc/self/fd/%d", fd);
    n = readlink(l, buf, sizeof(buf) - 1);
    buf[n < 0 ? 0 : n] = '\0';
    errno = 0;
    tn = ttyname(fd);
    say("  %s: %s mode %o uid %s gid %s dev %s link %s ttyname %s isatty %d",
        what, S_ISCHR(st.st_mode) ? "chr" : "other", st.st_mode & 07777,
        root && !strcmp(what, "master") ? "-"
        : st.st_uid == geteuid()        ? "me"
                                        : "other",
        root && !strcmp(what, "master") ? "-"
        : st.st_gid == getegid()        ? "me"
        : st.st_gid == 5                ? "tty"
                                        : "other",
        major(st.st_rdev) == 5 && minor(st.st_rdev) == 2       ? "ptmx"
        : major(st.st_rdev) >= 136 && major(st.st_rdev) <= 143 ? "pts"
                                                               : "other",
        n < 0 ? ename(errno) : canon(buf, c, sizeof(c)),
        tn ? canon(tn, l, sizeof(l)) : ename(errno), isatty(fd));
}

/* --- a pair's names and nodes --- */

static void op_pair(void)
{
    int how = (int)rnd(2), m, s, peer, v = -1, n = -1;
    const char *r;
    const char *pn;
    char c[128], path[300];
    struct stat a, b;

    say("pair %s", how ? "ptmx" : "posix_openpt");
    m = how ? open("/dev/ptmx", O_RDWR | O_NOCTTY)
            : posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0) {
        say("  ptmx: %s", ename(errno));
        return;
    }
    say("  grantpt %s", res(grantpt(m)));
    pn = ptsname(m);
    say("  ptsname %s", canon(pn, c, sizeof(c)));
    if (!pn) {
        close(m);
        return;
    }
    snprintf(c, sizeof(c), "%s", pn);
    if (rnd(2)) {
        s = open(c, O_RDWR | O_NOCTTY);
        say("  locked slave: %s", res(s));
        if (s >= 0)
            close(s);
    }
    r = res(ioctl(m, TIOCGPTN, &n));
    say("  TIOCGPTN %s same %d", r, n >= 0 && atoi(c + 9) == n);
    say("  unlockpt %s", res(unlockpt(m)));
    s = open(c, O_RDWR | O_NOCTTY);
    say("  slave %s", res(s));
    peer = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    say("  TIOCGPTPEER %s", res(peer));
    if (s >= 0 && peer >= 0 && !fstat(s, &a) && !fstat(peer, &b))
        say("  peer same node %d", a.st_rdev == b.st_rdev);
    node("master", m);
    if (s >= 0)
        node("slave", s);
    if (peer >= 0)
        node("peer", peer);
    if (rnd(3) == 0) {
        /* a link to a master is /dev/ptmx: a new pty */
        int m2, s2, n2 = -1;
        struct stat st2;

        snprintf(path, sizeof(path), "/proc/self/fd/%d", m);
        m2 = open(path, O_RDWR | O_NOCTTY);
        say("  master by fd link %s", res(m2));
        if (m2 >= 0) {
            ioctl(m2, TIOCGPTN, &n2);
            say("  a new pty %d", n2 != n);
            unlockpt(m2);
            s2 = ioctl(m2, TIOCGPTPEER, O_RDWR | O_NOCTTY);
            if (s2 >= 0) {
                node("its slave", s2);
                st2.st_uid = (uid_t)-1;
                stat(ptsname(m2), &st2);
                say("  by path uid %s",
                    st2.st_uid == geteuid() ? "me" : "other");
                close(s2);
            }
            close(m2);
        }
    }
    snprintf(path, sizeof(path), "%s/file", dir);
    v = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    say("  isatty file %d %s", isatty(v), ename(errno));
    errno = 0;
    say("  ttyname file %s", ttyname(v) ? "name" : ename(errno));
    say("  TIOCGWINSZ file %s", res(ioctl(v, TIOCGWINSZ, &a)));
    close(v);
    unlink(path);
    v = open("/dev/null", O_RDWR);
    say("  isatty null %d %s", isatty(v), ename(errno));
    close(v);
    v = open("/dev/tty", O_RDWR);
    say("  /dev/tty without a terminal: %s", res(v));
    if (v >= 0)
        close(v);
    if (!root) {
        v = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY);
        say("  /dev/pts/ptmx %s", res(v));
        if (v >= 0)
            close(v);
    }
    if (rnd(2) && s >= 0) {
        int e = -1, fd = rnd(2) ? s : m;

        say("  TIOCEXCL on %s %s", fd == s ? "slave" : "master",
            res(ioctl(fd, TIOCEXCL)));
        r = res(ioctl(fd, TIOCGEXCL, &e));
        say("  TIOCGEXCL %s %d", r, e);
        if (!root) {
            v = open(c, O_RDWR | O_NOCTTY);
            say("  reopen %s", res(v));
            if (v >= 0)
                close(v);
            snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
            v = open(path, O_RDWR | O_NOCTTY);
            say("  reopen by fd link %s", res(v));
            if (v >= 0)
                close(v);
            v = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
            say("  peer again %s", res(v));
            if (v >= 0)
                close(v);
        }
        say("  TIOCNXCL %s", res(ioctl(fd, TIOCNXCL)));
        v = open(c, O_RDWR | O_NOCTTY);
        say("  reopen after %s", res(v));
        if (v >= 0)
            close(v);
    }
    if (!mask_noctty && rnd(3) == 0 && s >= 0) {
        pid_t pid = fork();

        if (pid == 0) {
            int t;

            setsid();
            t = open(c, O_RDWR); /* becomes its terminal */
            say("  leader opens without O_NOCTTY %s", res(t));
            t = open("/dev/tty", O_RDWR);
            say("  then /dev/tty %s", res(t));
            say("  tcgetsid %s", role(tcgetsid(s)));
            _exit(0);
        }
        say("  child %s", status(reap(pid, 3000, 0)));
    }
    if (peer >= 0)
        close(peer);
    if (s >= 0)
        close(s);
    close(m);
}

/* --- termios and data --- */

static void tio_show(const char *what, int fd)
{
    struct termios t;

    if (tcgetattr(fd, &t)) {
        say("  %s tcgetattr %s", what, ename(errno));
        return;
    }
    say("  %s icanon %d echo %d isig %d opost %d onlcr %d icrnl %d ixon %d "
        "tostop %d vmin %d vtime %d ospeed %u",
        what, !!(t.c_lflag & ICANON), !!(t.c_lflag & ECHO),
        !!(t.c_lflag & ISIG), !!(t.c_oflag & OPOST), !!(t.c_oflag & ONLCR),
        !!(t.c_iflag & ICRNL), !!(t.c_iflag & IXON), !!(t.c_lflag & TOSTOP),
        t.c_cc[VMIN], t.c_cc[VTIME], (unsigned)cfgetospeed(&t));
}

static void op_termios(void)
{
    struct pty p;
    struct termios t;
    char buf[128];
    int n, v, how = (int)rnd(3);
    const char *r;
    static const int acts[] = { TCSANOW, TCSADRAIN, TCSAFLUSH };

    say("termios");
    if (!pty_open(&p, (int)rnd(2)))
        return pty_close(&p);
    tio_show("slave", p.s);
    tio_show("master", p.m);
    /* a line in canonical mode with echo */
    n = (int)write(p.m,
                   "ab\x7f"
                   "c\n",
                   5);
    say("  write master %d", n);
    n = drain(p.s, buf, sizeof(buf), 1000);
    say("  slave read [%s]", show(buf, n));
    n = drain(p.m, buf, sizeof(buf), 1000);
    say("  echo [%s]", show(buf, n));
    tcgetattr(p.s, &t);
    switch (rnd(3)) {
    case 0:
        cfmakeraw(&t);
        break;
    case 1:
        t.c_lflag &= ~(tcflag_t)(ECHO | ICANON);
        break;
    default:
        t.c_lflag &= ~(tcflag_t)ECHO;
        t.c_oflag &= ~(tcflag_t)ONLCR;
    }
    t.c_cc[VMIN] = (cc_t)rnd(3);
    t.c_cc[VTIME] = (cc_t)rnd(3);
    if (rnd(2))
        cfsetospeed(&t, B9600);
    say("  tcsetattr %d %s", how, res(tcsetattr(p.s, acts[how], &t)));
    tio_show("now", rnd(2) ? p.s : p.m);
    n = (int)write(p.m, "xy\r", 3);
    say("  write master %d", n);
    {
        struct pollfd pf = { p.s, POLLIN, 0 };

        poll(&pf, 1, 1000);
        sleep_ms(20);
    }
    v = -1;
    ioctl(p.s, FIONREAD, &v);
    say("  FIONREAD slave %d", v);
    v = -1;
    r = res(ioctl(p.m, TIOCOUTQ, &v));
    say("  TIOCOUTQ master %s %d", r, v);
    n = drain(p.s, buf, sizeof(buf), 300);
    say("  slave read [%s]", show(buf, n));
    n = drain(p.m, buf, sizeof(buf), 100);
    say("  echo [%s]", show(buf, n));
    /* a read with nothing there: VMIN/VTIME decide (canonical waits) */
    if (!(t.c_lflag & ICANON) && t.c_cc[VMIN] == 0) {
        struct timespec a, b;
        long ms;

        clock_gettime(CLOCK_MONOTONIC, &a);
        n = (int)read(p.s, buf, sizeof(buf));
        clock_gettime(CLOCK_MONOTONIC, &b);
        ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
        say("  empty read %d %s waited %s", n, n < 0 ? ename(errno) : "-",
            ms < 50     ? "no"
            : ms < 1000 ? "a while"
                        : "long");
    }
    v = (int)write(p.s, "out\n", 4);
    say("  write slave %d", v);
    n = drain(p.m, buf, sizeof(buf), 1000);
    say("  master read [%s]", show(buf, n));
    say("  tcflush %s", res(tcflush(p.s, TCIOFLUSH)));
    say("  tcdrain %s", res(tcdrain(p.s)));
    pty_close(&p);
}

/* --- window size --- */

static void op_winsz(void)
{
    struct pty p;
    struct winsize w = { 0 }, g;
    pid_t pid;
    int sync[2], fd, st;
    const char *r;
    char ch;

    say("winsz");
    if (!pty_open(&p, 0))
        return pty_close(&p);
    r = res(ioctl(p.s, TIOCGWINSZ, &g));
    say("  default %s %dx%d", r, g.ws_row, g.ws_col);
    if (pipe(sync))
        return pty_close(&p);
    n_winch = 0;
    pid = fork();
    if (pid == 0) {
        struct timespec ts = { 1, 0 };
        sigset_t set;

        close(sync[0]);
        sigemptyset(&set);
        sigaddset(&set, SIGWINCH);
        sigprocmask(SIG_BLOCK, &set, NULL);
        setsid();
        say("  sctty %s", res(ioctl(p.s, TIOCSCTTY, 0)));
        if (write(sync[1], "x", 1) != 1)
            _exit(1);
        if (sigtimedwait(&set, NULL, &ts) == SIGWINCH)
            say("  leader got SIGWINCH");
        else
            say("  leader no SIGWINCH");
        ioctl(p.s, TIOCGWINSZ, &g);
        say("  leader sees %dx%d", g.ws_row, g.ws_col);
        _exit(0);
    }
    close(sync[1]);
    if (read(sync[0], &ch, 1) != 1)
        say("  no sync");
    close(sync[0]);
    ioctl(p.s, TIOCGWINSZ, &w);
    if (rnd(3)) {
        w.ws_row = (unsigned short)(10 + rnd(40));
        w.ws_col = (unsigned short)(20 + rnd(80));
    }
    fd = rnd(2) ? p.m : p.s;
    r = res(ioctl(fd, TIOCSWINSZ, &w));
    st = reap(pid, 3000, 0);
    say("  set %s on %s", r, fd == p.m ? "master" : "slave");
    say("  child %s", status(st));
    ioctl(p.m, TIOCGWINSZ, &g);
    say("  master sees %dx%d", g.ws_row, g.ws_col);
    pty_close(&p);
}

/* --- packet mode --- */

static void op_pkt(void)
{
    struct pty p;
    int on = 1, n, k = (int)rnd(4);
    const char *r;
    char buf[128];
    struct pollfd pf;

    say("pkt %d", k);
    if (!pty_open(&p, 1))
        return pty_close(&p);
    say("  TIOCPKT %s", res(ioctl(p.m, TIOCPKT, &on)));
    on = -1;
    r = res(ioctl(p.m, TIOCGPKT, &on));
    say("  TIOCGPKT %s %d", r, on);
    switch (k) {
    case 0:
        n = (int)write(p.s, "data", 4);
        say("  write slave %d", n);
        break;
    case 1:
        say("  tcflush %s", res(tcflush(p.s, TCIOFLUSH)));
        break;
    case 2:
        say("  tcflow off %s", res(tcflow(p.s, TCOOFF)));
        pf = (struct pollfd){ p.m, POLLIN | POLLPRI, 0 };
        poll(&pf, 1, 500);
        say("  poll %#x", pf.revents);
        n = drain(p.m, buf, sizeof(buf), 200);
        say("  master read [%s]", show(buf, n));
        say("  tcflow on %s", res(tcflow(p.s, TCOON)));
        break;
    default: {
        struct termios t;

        tcgetattr(p.s, &t);
        t.c_iflag &= ~(tcflag_t)IXON;
        say("  ixon off %s", res(tcsetattr(p.s, TCSANOW, &t)));
    }
    }
    pf = (struct pollfd){ p.m, POLLIN | POLLPRI, 0 };
    poll(&pf, 1, 500);
    say("  poll %#x", pf.revents);
    n = drain(p.m, buf, sizeof(buf), 200);
    say("  master read [%s]", show(buf, n));
    pty_close(&p);
}

/* --- hangup --- */

static void op_hangup(void)
{
    struct pty p;
    struct pollfd pf;
    char buf[64];
    int which = (int)rnd(2), pend = (int)rnd(2), n;

    say("hangup close %s pending %d", which ? "slave" : "master", pend);
    if (!pty_open(&p, (int)rnd(2)))
        return pty_close(&p);
    if (which == 0) {
        if (pend) {
            n = (int)write(p.m, "left\n", 5);
            pf = (struct pollfd){ p.s, POLLIN, 0 };
            poll(&pf, 1, 1000);
        }
        close(p.m);
        p.m = -1;
        pf = (struct pollfd){ p.s, POLLIN | POLLOUT, 0 };
        n = poll(&pf, 1, 1000);
        say("  slave poll %d %#x", n, pf.revents);
        n = (int)read(p.s, buf, sizeof(buf));
        say("  slave read %d %s", n, n < 0 ? ename(errno) : show(buf, n));
        n = (int)read(p.s, buf, sizeof(buf));
        say("  again %d %s", n, n < 0 ? ename(errno) : show(buf, n));
        n = (int)write(p.s, "x", 1);
        say("  slave write %d %s", n, n < 0 ? ename(errno) : "-");
        say("  tcgetsid %s", role(tcgetsid(p.s)));
    } else {
        if (pend) {
            n = (int)write(p.s, "left\n", 5);
            pf = (struct pollfd){ p.m, POLLIN, 0 };
            poll(&pf, 1, 1000);
        }
        close(p.s);
        p.s = -1;
        pf = (struct pollfd){ p.m, POLLIN | POLLOUT, 0 };
        n = poll(&pf, 1, 1000);
        say("  master poll %d %#x", n, pf.revents);
        n = (int)read(p.m, buf, sizeof(buf));
        say("  master read %d %s", n, n < 0 ? ename(errno) : show(buf, n));
        n = (int)read(p.m, buf, sizeof(buf));
        say("  again %d %s", n, n < 0 ? ename(errno) : show(buf, n));
        n = open(p.name, O_RDWR | O_NOCTTY);
        say("  reopen slave %s", res(n));
        if (n >= 0)
            close(n);
    }
    pty_close(&p);
}

/* --- sessions and job control --- */

enum disp { D_DFL, D_IGN, D_BLOCK, D_CATCH };
static const char *dname[] = { "dfl", "ign", "block", "catch" };

static void dispose(int sig, enum disp d)
{
    sigset_t set;

    if (d == D_IGN)
        signal(sig, SIG_IGN);
    else if (d == D_CATCH)
        catch (sig);
    else if (d == D_BLOCK) {
        sigemptyset(&set);
        sigaddset(&set, sig);
        sigprocmask(SIG_BLOCK, &set, NULL);
    }
}

static void set_tostop(int fd, bool on)
{
    struct termios t;

    tcgetattr(fd, &t);
    if (on)
        t.c_lflag |= TOSTOP;
    else
        t.c_lflag &= ~(tcflag_t)TOSTOP;
    tcsetattr(fd, TCSANOW, &t);
}

/* One call a background process makes on its terminal. */
static void bg_call(int k, int s, int m)
{
    char buf[16];
    long rc;
    struct termios t;

    switch (k) {
    case 0:
        rc = write(s, "bg\n", 3);
        say("  bg write %s", res(rc));
        break;
    case 1:
        if (write(m, "in\n", 3) != 3)
            say("  master write failed");
        rc = read(s, buf, sizeof(buf));
        say("  bg read %s", res(rc));
        break;
    case 2:
        tcgetattr(s, &t);
        rc = tcsetattr(s, TCSANOW, &t);
        say("  bg tcsetattr %s", res(rc));
        break;
    case 3:
        rc = tcsetpgrp(s, getpgrp());
        say("  bg tcsetpgrp %s", res(rc));
        break;
    default:
        rc = tcgetattr(s, &t);
        say("  bg tcgetattr %s", res(rc));
    }
    say("  bg after: ttou %d ttin %d", (int)n_ttou, (int)n_ttin);
}

static void op_job(void)
{
    struct pty p;
    pid_t pid;
    int arg = (int)rnd(2), k = (int)rnd(5), tostop = (int)rnd(2);
    enum disp d = (enum disp)rnd(4);
    int fate = (int)rnd(4);

    say("job call %d tostop %d disp %s sctty-arg %d fate %d", k, tostop,
        dname[d], arg, fate);
    if (!pty_open(&p, (int)rnd(2)))
        return pty_close(&p);
    bg = 0;
    pid = fork();
    if (pid == 0) {
        int t, st, go[2];
        pid_t b;

        leader = getpid();
        say("  sctty before setsid %s", res(ioctl(p.s, TIOCSCTTY, arg)));
        say("  setsid %s", role(setsid()));
        say("  sctty %s", res(ioctl(p.s, TIOCSCTTY, arg)));
        say("  sctty again %s", res(ioctl(p.s, TIOCSCTTY, arg)));
        t = open("/dev/tty", O_RDWR);
        say("  /dev/tty %s", res(t));
        if (t >= 0) {
            say("  /dev/tty nonblock %d", !!(fcntl(t, F_GETFL) & O_NONBLOCK));
            if (!mask_devtty)
                node("/dev/tty", t);
            close(t);
        }
        say("  tcgetpgrp %s", role(tcgetpgrp(p.s)));
        say("  tcgetsid %s", role(tcgetsid(p.s)));
        {
            pid_t sid = -1;

            const char *r = res(ioctl(p.m, TIOCGSID, &sid));

            say("  TIOCGSID master %s %s", r, role(sid));
            say("  tcgetpgrp master %s", role(tcgetpgrp(p.m)));
        }
        set_tostop(p.s, tostop);
        if (pipe(go))
            _exit(1);
        b = fork();
        if (b == 0) {
            char ch;

            close(go[1]);
            bg = getpid();
            setpgid(0, 0);
            dispose(k == 1 ? SIGTTIN : SIGTTOU, d);
            if (read(go[0], &ch, 1) != 1)
                _exit(1);
            bg_call(k, p.s, p.m);
            _exit(0);
        }
        bg = b;
        setpgid(b, b);
        close(go[0]);
        if (write(go[1], "g", 1) != 1)
            _exit(1);
        close(go[1]);
        st = reap(b, 2000, WUNTRACED);
        say("  bg %s", status(st));
        if (st >= 0 && WIFSTOPPED(st)) {
            switch (fate) {
            case 0: /* continue it in the background: it stops again */
                kill(b, SIGCONT);
                st = reap(b, 2000, WUNTRACED);
                say("  bg continued: %s", status(st));
                break;
            case 1: /* bring it to the foreground */
                say("  tcsetpgrp bg %s", res(tcsetpgrp(p.s, b)));
                say("  tcgetpgrp %s", role(tcgetpgrp(p.s)));
                kill(b, SIGCONT);
                st = reap(b, 2000, WUNTRACED);
                say("  bg in front: %s", status(st));
                /* leader is now in the background: get it back */
                signal(SIGTTOU, SIG_IGN);
                say("  take back %s", res(tcsetpgrp(p.s, getpgrp())));
                signal(SIGTTOU, SIG_DFL);
                break;
            case 2: /* the leader exits: the group is orphaned */
                say("  leader exits");
                _exit(0);
            default:
                kill(b, SIGKILL);
                st = reap(b, 2000, 0);
                say("  bg killed: %s", status(st));
            }
            if (st >= 0 && WIFSTOPPED(st)) {
                kill(b, SIGKILL);
                st = reap(b, 2000, 0);
            }
        }
        if (fate == 3 && !(st >= 0 && (WIFEXITED(st) || WIFSIGNALED(st)))) {
            kill(b, SIGKILL);
            reap(b, 2000, 0);
        }
        /* TIOCNOTTY: the leader gives it up, its group gets SIGHUP */
        if (rnd(2)) {
            catch (SIGHUP);
            catch (SIGCONT);
            n_hup = n_cont = 0;
            say("  TIOCNOTTY %s", res(ioctl(p.s, TIOCNOTTY)));
            sleep_ms(20);
            say("  leader hup %d cont %d", (int)n_hup, (int)n_cont);
            t = open("/dev/tty", O_RDWR);
            say("  /dev/tty after %s", res(t));
            say("  tcgetsid after %s", role(tcgetsid(p.s)));
        }
        _exit(0);
    }
    {
        int st = reap(pid, 5000, 0);

        say("  leader %s", status(st));
    }
    /* an orphaned bg (fate 2) was given SIGHUP: it dies or exits */
    sleep_ms(100);
    pty_close(&p);
}

/* The leader exits with a stopped group in its session. */
static void op_orphan(void)
{
    struct pty p;
    int rep[2], how = (int)rnd(3), hup = (int)rnd(2);
    pid_t pid;
    char buf[512];
    int n, tot = 0;

    say("orphan how %d hup-handler %d", how, hup);
    if (!pty_open(&p, 0) || pipe(rep))
        return pty_close(&p);
    pid = fork();
    if (pid == 0) {
        pid_t b, c;
        int go[2], hold[2];
        struct pollfd pf;

        close(rep[0]);
        leader = getpid();
        setsid();
        ioctl(p.s, TIOCSCTTY, 0);
        if (pipe(go) || pipe(hold))
            _exit(1);
        b = fork();
        if (b == 0) {
            setpgid(0, 0);
            close(hold[0]);
            c = fork();
            if (c == 0) {
                char ch;

                close(go[1]);
                if (hup)
                    catch (SIGHUP);
                catch (SIGCONT);
                if (read(go[0], &ch, 1) < 0)
                    _exit(1);
                if (how == 0) {
                    raise(SIGSTOP);
                } else {
                    /* wait until the middle one is gone */
                    for (int i = 0; i < 600 && getppid() == b; i++)
                        sleep_ms(5);
                    sleep_ms(20);
                }
                if (how == 2) {
                    set_tostop(p.s, true);
                    n = (int)write(p.s, "o\n", 2);
                    dprintf(rep[1], "  orphan write %s\n",
                            n < 0 ? ename(errno) : "ok");
                    n = (int)read(p.s, buf, 4);
                    dprintf(rep[1], "  orphan read %s\n",
                            n < 0 ? ename(errno) : "ok");
                    n = tcsetpgrp(p.s, getpgrp());
                    dprintf(rep[1], "  orphan tcsetpgrp %s\n",
                            n < 0 ? ename(errno) : "ok");
                }
                sleep_ms(50);
                dprintf(rep[1], "  orphan hup %d cont %d\n", (int)n_hup,
                        (int)n_cont);
                _exit(0);
            }
            close(go[0]);
            if (write(go[1], "g", 1) != 1)
                _exit(1);
            if (how == 0)
                reap(c, 2000, WUNTRACED);
            _exit(0); /* c's group is orphaned now */
        }
        close(go[0]);
        close(go[1]);
        close(hold[1]);
        reap(b, 2000, 0);
        /* the session lives on until the orphan is done */
        pf = (struct pollfd){ hold[0], POLLIN, 0 };
        poll(&pf, 1, 4000);
        _exit(0);
    }
    close(rep[1]);
    say("  leader %s", status(reap(pid, 3000, 0)));
    /* until the orphan is gone (EOF), 5 s at most */
    for (int t = 0; t < 50 && tot < (int)sizeof(buf) - 1; t++) {
        struct pollfd pf = { rep[0], POLLIN, 0 };

        if (poll(&pf, 1, 100) == 1) {
            n = (int)read(rep[0], buf + tot, sizeof(buf) - 1 - (size_t)tot);
            if (n <= 0)
                break;
            tot += n;
        }
    }
    buf[tot] = '\0';
    if (write(1, buf, (size_t)tot) < 0)
        _exit(9);
    close(rep[0]);
    pty_close(&p);
}

/* Another session tries to take a terminal that is someone's. */
static void op_steal(void)
{
    struct pty p;
    pid_t a, b;
    int arg = (int)rnd(2), go[2], done[2];
    char ch;

    say("steal arg %d", arg);
    if (!pty_open(&p, (int)rnd(2)) || pipe(go) || pipe(done))
        return pty_close(&p);
    a = fork();
    if (a == 0) {
        close(go[0]);
        close(done[1]);
        setsid();
        say("  owner sctty %s", res(ioctl(p.s, TIOCSCTTY, 0)));
        if (write(go[1], "g", 1) != 1 || read(done[0], &ch, 1) < 0)
            _exit(1);
        _exit(0);
    }
    close(go[1]);
    close(done[0]);
    if (read(go[0], &ch, 1) != 1)
        say("  no sync");
    b = fork();
    if (b == 0) {
        long rc;

        setsid();
        rc = ioctl(p.s, TIOCSCTTY, arg);
        if (!(root && arg))
            say("  other sctty %s", res(rc));
        rc = open("/dev/tty", O_RDWR);
        if (!(root && arg))
            say("  other /dev/tty %s", res(rc));
        _exit(0);
    }
    say("  other %s", status(reap(b, 3000, 0)));
    close(done[1]);
    say("  owner %s", status(reap(a, 3000, 0)));
    close(go[0]);
    pty_close(&p);
}

int main(int argc, char **argv)
{
    int nops, st;
    pid_t pid;

    if (argc < 4) {
        fprintf(stderr, "usage: tty-fuzz DIR SEED NOPS [-p] [-r] [-t]\n");
        return 2;
    }
    dir = argv[1];
    rng = strtoull(argv[2], NULL, 0) * 2654435761u + 88172645463325252ull;
    nops = atoi(argv[3]);
    for (int i = 4; i < argc; i++)
        if (strcmp(argv[i], "-r") == 0)
            mask_noctty = true;
        else if (strcmp(argv[i], "-t") == 0)
            mask_devtty = true;
        else if (strcmp(argv[i], "-p") == 0)
            root = true;
    signal(SIGPIPE, SIG_IGN);
    /* a session of our own, without a terminal: the caller's is not ours */
    pid = fork();
    if (pid != 0) {
        if (pid < 0 || waitpid(pid, &st, 0) != pid)
            return 1;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
    }
    if (setsid() < 0) {
        say("setsid: %s", ename(errno));
        return 1;
    }
    leader = getpid();
    for (int i = 0; i < nops; i++) {
        unsigned k = rnd(16);
        char pre[16];

        snprintf(pre, sizeof(pre), "%d: ", i);
        if (write(1, pre, strlen(pre)) < 0)
            return 1;
        if (k < 3)
            op_pair();
        else if (k < 5)
            op_termios();
        else if (k < 6)
            op_winsz();
        else if (k < 7)
            op_pkt();
        else if (k < 9)
            op_hangup();
        else if (k < 13)
            op_job();
        else if (k < 15)
            op_orphan();
        else
            op_steal();
    }
    say("tty-fuzz: done");
    return 0;
}
