/* SPDX-License-Identifier: MIT */
/*
 * A process group that becomes orphaned with a stopped member gets SIGHUP
 * and SIGCONT (POSIX; Linux's kill_orphaned_pgrp): a job left stopped by
 * a shell that exits is not left behind. Under kbox it never came (kbox,
 * the adopted orphan's parent, sits in the session in another group), the
 * member stayed stopped and kbox waited for it for ever. A group a live
 * parent in the session still holds stays stopped.
 * Usage: orphaned-pgrp [left]
 */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
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

/*
 * A group of its own for a middle process with a child that stops; the
 * child tells its pid on @p, then, woken, "hup H cont C". The middle
 * process waits for the stop and exits if @leave, else stays.
 */
static pid_t job(int p[2], bool leave, pid_t *member)
{
    pid_t m = fork();
    char buf[64];

    if (m == 0) {
        pid_t s;
        int st;

        setpgid(0, 0);
        s = fork();
        if (s == 0) {
            int n;

            signal(SIGHUP, on_sig);
            signal(SIGCONT, on_sig);
            n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
            if (write(p[1], buf, (size_t)n) != n)
                _exit(1);
            raise(SIGSTOP);
            for (int i = 0; i < 100 && !hup; i++)
                usleep(10000);
            n = snprintf(buf, sizeof(buf), "hup %d cont %d\n", (int)hup,
                         (int)cont);
            if (write(p[1], buf, (size_t)n) != n)
                _exit(1);
            _exit(0);
        }
        waitpid(s, &st, WUNTRACED);
        if (leave)
            _exit(0);
        pause();
        _exit(0);
    }
    *member = guest_read_line(p[0], buf, sizeof(buf), 5000) ? atoi(buf) : -1;
    return m;
}

/*
 * "left": exit leaving only stopped processes that no orphaned group
 * holds: one ignoring SIGHUP that stops again once continued, and its
 * child stopped in a group of its own, which it holds. Nothing in the
 * guest can continue them; kbox, waiting for the last guest process,
 * waited for ever.
 */
static int left(void)
{
    pid_t x = fork();
    int st;

    if (x == 0) {
        pid_t y = fork();

        if (y == 0) {
            setpgid(0, 0);
            raise(SIGSTOP);
            _exit(0);
        }
        signal(SIGHUP, SIG_IGN);
        waitpid(y, &st, WUNTRACED);
        raise(SIGSTOP);
        raise(SIGSTOP);
        _exit(0);
    }
    waitpid(x, &st, WUNTRACED);
    printf("left %s\n", WIFSTOPPED(st) ? "stopped" : "?");
    return 0;
}

int main(int argc, char **argv)
{
    char buf[64];
    pid_t m, s, other;
    int p[2];

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 1 && !strcmp(argv[1], "left"))
        return left();
    /* the middle process exits: the stopped child's group is orphaned */
    check(pipe(p) == 0, "pipe");
    m = job(p, true, &s);
    check(s > 0, "the member started (pid %d)", (int)s);
    waitpid(m, NULL, 0);
    check(guest_read_line(p[0], buf, sizeof(buf), 5000) > 0,
          "the stopped member of the orphaned group was woken");
    buf[strcspn(buf, "\n")] = '\0';
    check(!strcmp(buf, "hup 1 cont 1"), "with SIGHUP and SIGCONT: %s",
          buf[0] ? buf : "nothing");
    if (s > 0)
        kill(s, SIGKILL); /* if it is still stopped */
    close(p[0]);
    close(p[1]);

    /* the middle process lives: the group is held, the member stays
     * stopped, even when another process exits meanwhile */
    buf[0] = '\0';
    check(pipe(p) == 0, "pipe");
    m = job(p, false, &s);
    check(s > 0, "the member started (pid %d)", (int)s);
    usleep(100 * 1000); /* stopped by now */
    other = fork();
    if (other == 0)
        _exit(0);
    waitpid(other, NULL, 0);
    check(guest_read_line(p[0], buf, sizeof(buf), 500) == 0,
          "a group its parent holds stays stopped");
    if (s > 0)
        kill(s, SIGKILL);
    kill(m, SIGKILL);
    waitpid(m, NULL, 0);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
