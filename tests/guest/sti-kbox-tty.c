/* SPDX-License-Identifier: MIT */
/*
 * sti-kbox-tty: run on the terminal kbox was started on (fd 0), the
 * guest may not push input into it with TIOCSTI: the host's shell reads
 * it once kbox exits and runs it as a command (377-sti-kbox-tty.sh reads
 * what is left). Refused with EIO, also when another thread swaps the
 * terminal in at the fd number while the call is on its way; a pty the
 * guest made its own controlling terminal still takes TIOCSTI.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "guest-check.h"

static const char line[] = "echo INJECTED-BY-GUEST\n";
static int other, swap_fd = 50;
static volatile int swapping = 1;

static void *swapper(void *arg)
{
    while (swapping) {
        dup2(0, swap_fd);
        dup2(other, swap_fd);
    }
    return arg;
}

/* the guest's own pty as its controlling terminal, in a new session */
static int own_pty_sti(void)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY), st;
    pid_t p;

    if (m < 0 || grantpt(m) || unlockpt(m))
        return -1;
    p = fork();
    if (p == 0) {
        char c = 'x';
        int s;

        if (setsid() < 0)
            _exit(2);
        s = open(ptsname(m), O_RDWR);
        if (s < 0 || ioctl(s, TIOCSCTTY, 0))
            _exit(3);
        _exit(ioctl(s, TIOCSTI, &c) ? 4 : 0);
    }
    waitpid(p, &st, 0);
    close(m);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(void)
{
    int pushed = 0, eio = 0, m;
    pthread_t t;

    setvbuf(stdout, NULL, _IONBF, 0);
    if (!isatty(0)) {
        printf("SKIP: stdin is no terminal\n");
        return 77;
    }
    for (const char *c = line; *c; c++) {
        errno = 0;
        if (ioctl(0, TIOCSTI, c) == 0)
            pushed++;
        else if (errno == EIO)
            eio++;
    }
    check(pushed == 0 && eio == (int)strlen(line),
          "TIOCSTI into kbox's terminal: EIO (pushed %d of %zu)", pushed,
          strlen(line));

    /* another terminal at the fd number most of the time */
    m = posix_openpt(O_RDWR | O_NOCTTY);
    check(m >= 0 && !grantpt(m) && !unlockpt(m), "a pty for the swap");
    other = open(ptsname(m), O_RDWR | O_NOCTTY);
    check(other >= 0, "its slave opens");
    pushed = 0;
    if (other >= 0 && !pthread_create(&t, NULL, swapper, NULL)) {
        for (int i = 0; i < 20000; i++) {
            char c = line[i % (sizeof(line) - 1)];

            if (ioctl(swap_fd, TIOCSTI, &c) == 0)
                pushed++;
        }
        swapping = 0;
        pthread_join(t, NULL);
    }
    /* whatever landed in the other pty is ours to drop; none may have
     * landed in kbox's terminal, which the test's shell reads */
    check(1, "swapped-fd pushes done (%d accepted, on the other pty only)",
          pushed);
    close(other);
    close(m);

    check(own_pty_sti() == 0, "TIOCSTI into the guest's own controlling pty");
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
