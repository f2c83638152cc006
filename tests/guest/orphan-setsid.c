/* SPDX-License-Identifier: MIT */
/*
 * Linux sends SIGHUP and SIGCONT to a process group with a stopped member
 * only when an exit orphans it (kernel/exit.c: kill_orphaned_pgrp), not
 * when a setsid() or setpgid() does. Under kbox, whose orphan check
 * compared the groups' states between two exits, a stopped job whose
 * parent left the session (setsid) or joined the job's group (setpgid)
 * got both at the next exit of any guest process. An exit that orphans a
 * group still sends them.
 *
 * Usage: orphan-setsid
 */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static volatile sig_atomic_t hup, cont;

static void on_sig(int sig)
{
    if (sig == SIGHUP)
        hup++;
    else
        cont++;
}

/* Another process exits and is reaped: kbox checks groups at exits. */
static void an_exit(void)
{
    pid_t x = fork();

    if (x == 0)
        _exit(0);
    waitpid(x, NULL, 0);
}

/* Exits of other processes, 0.15 s apart, then a wait. */
static void exits_then_wait(void)
{
    for (int i = 0; i < 3; i++) {
        an_exit();
        usleep(150 * 1000);
    }
    an_exit();
    usleep(300 * 1000);
}

/*
 * The stopped member: in a group of its own, it says "hup H cont C" on
 * @w once woken (killed otherwise).
 */
static void member(int w)
{
    char buf[64];
    int n;

    setpgid(0, 0);
    signal(SIGHUP, on_sig);
    signal(SIGCONT, on_sig);
    if (getpgrp() != getpid())
        _exit(1);
    raise(SIGSTOP);
    for (int i = 0; i < 100 && !hup; i++)
        usleep(10000);
    n = snprintf(buf, sizeof(buf), "hup %d cont %d\n", (int)hup, (int)cont);
    if (write(w, buf, (size_t)n) != n)
        _exit(1);
    _exit(0);
}

/*
 * A middle process (not a group leader) whose child stops in its own
 * group, then does @how: "setsid" or "exit". Before it exits, other
 * processes exit, and it waits. It tells the child's pid on @w.
 */
static pid_t middle(int w, const char *how)
{
    pid_t m = fork();

    if (m == 0) {
        pid_t s = fork();
        char buf[32];
        int st, n;

        if (s == 0)
            member(w);
        waitpid(s, &st, WUNTRACED);
        n = snprintf(buf, sizeof(buf), "%d\n", (int)s);
        if (write(w, buf, (size_t)n) != n)
            _exit(1);
        if (!strcmp(how, "setsid"))
            check(setsid() > 0, "the middle process leaves the session");
        if (strcmp(how, "exit"))
            exits_then_wait();
        _exit(0);
    }
    return m;
}

/*
 * "setpgid": A joins the group its grandchild C stopped in, which A then
 * holds (its parent is in the session, in another group); C's parent
 * exits (C is adopted: its parent no longer holds), and A leaves the
 * group again with setpgid(0, 0), orphaning it.
 */
static pid_t leaver(int w)
{
    pid_t a = fork();

    if (a == 0) {
        int pa[2], pj[2], st, n;
        pid_t b, c = -1;
        char buf[32];

        if (pipe(pa) || pipe(pj)) /* C's pid to A; A joined, to B */
            _exit(1);
        b = fork();
        if (b == 0) {
            c = fork();
            if (c == 0)
                member(w);
            waitpid(c, &st, WUNTRACED);
            n = snprintf(buf, sizeof(buf), "%d\n", (int)c);
            if (write(pa[1], buf, (size_t)n) != n)
                _exit(1);
            if (read(pj[0], buf, 1) != 1)
                _exit(1);
            _exit(0);
        }
        if (guest_read_line(pa[0], buf, sizeof(buf), 5000))
            c = atoi(buf);
        check(c > 0 && setpgid(0, c) == 0, "A joins the stopped group");
        if (write(pj[1], "j", 1) != 1)
            _exit(1);
        waitpid(b, NULL, 0);
        usleep(300 * 1000);
        n = snprintf(buf, sizeof(buf), "%d\n", (int)c);
        if (write(w, buf, (size_t)n) != n)
            _exit(1);
        check(setpgid(0, 0) == 0, "A leaves it");
        exits_then_wait();
        _exit(0);
    }
    return a;
}

static void run(const char *how, bool signalled)
{
    char buf[64];
    pid_t m, s = -1;
    int p[2];

    check(pipe(p) == 0, "pipe");
    m = !strcmp(how, "setpgid") ? leaver(p[1]) : middle(p[1], how);
    if (guest_read_line(p[0], buf, sizeof(buf), 5000))
        s = atoi(buf);
    check(s > 0, "%s: the member stopped (pid %d)", how, (int)s);
    waitpid(m, NULL, 0);
    an_exit();
    guest_read_line(p[0], buf, sizeof(buf), signalled ? 5000 : 500);
    buf[strcspn(buf, "\n")] = '\0';
    if (signalled)
        check(!strcmp(buf, "hup 1 cont 1"),
              "%s orphans the group: SIGHUP and SIGCONT (%s)", how,
              buf[0] ? buf : "nothing");
    else
        check(!buf[0], "%s orphans the group: no signal (%s)", how,
              buf[0] ? buf : "nothing");
    if (s > 0)
        kill(s, SIGKILL); /* still stopped, as natively */
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    run("setsid", false);
    run("setpgid", false);
    run("exit", true);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
