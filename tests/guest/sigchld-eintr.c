/* SPDX-License-Identifier: MIT */
/*
 * sigchld-eintr: calls that never fail with EINTR natively (stat, open,
 * close, fork) must not fail with it under kbox either, while SIGCHLD
 * arrives all the time and its handler has no SA_RESTART (as in dash).
 * A shell lost a pipe's close() that way and its pipeline hung.
 * Each child also checks that the image file its parent opened just before
 * the fork is the one at that number in its own table: with a signal
 * pending, the host restarts fork, and kbox once gave every later child
 * the fd map of the fork before. A second pass adds a fast SIGALRM timer
 * (SA_RESTART) so that restarts are frequent.
 *
 * Usage: sigchld-eintr [ROUNDS] [FILE]   (defaults: 300, /etc/passwd)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t chld;

static volatile sig_atomic_t alrm;

static void on_chld(int sig)
{
    (void)sig;
    chld++;
}

static void on_alrm(int sig)
{
    (void)sig;
    alrm++;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 300;
    const char *file = argc > 2 ? argv[2] : "/etc/passwd";
    const char *files[2] = { file, "/etc/hostname" };
    char head[2][16];
    struct sigaction sa;
    long eintr = 0, calls = 0, forks = 0, other = 0, wrong = 0;
    int live = 0, status;

    for (int i = 0; i < 2; i++) {
        int fd = open(files[i], O_RDONLY);

        memset(head[i], 0, sizeof(head[i]));
        if (fd < 0 || read(fd, head[i], sizeof(head[i])) <= 0) {
            printf("FAIL - cannot read %s: %s\n", files[i], strerror(errno));
            return 1;
        }
        close(fd);
    }
    if (!memcmp(head[0], head[1], sizeof(head[0]))) {
        printf("FAIL - %s and %s start alike\n", files[0], files[1]);
        return 1;
    }

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_chld; /* no SA_RESTART */
    sigaction(SIGCHLD, &sa, NULL);

    for (int r = 0; r < 2 * rounds; r++) {
        int which = r & 1, kfd;

        if (r == rounds) {
            /* second pass: a signal every 200 us, calls restarted */
            struct sigaction sr;
            struct itimerval it = { { 0, 200 }, { 0, 200 } };

            memset(&sr, 0, sizeof(sr));
            sr.sa_handler = on_alrm;
            sr.sa_flags = SA_RESTART;
            sigaction(SIGALRM, &sr, NULL);
            setitimer(ITIMER_REAL, &it, NULL);
        }
        kfd = open(files[which], O_RDONLY);
        pid_t pid;

        if (kfd < 0) {
            errno == EINTR ? eintr++ : other++;
            fprintf(stderr, "open: %s\n", strerror(errno));
            continue;
        }
        pid = fork();
        if (pid == 0) {
            char buf[16] = { 0 };

            /* this fork's file, not the previous fork's */
            _exit(pread(kfd, buf, sizeof(buf), 0) > 0 &&
                          !memcmp(buf, head[which], sizeof(buf))
                      ? 0
                      : 3);
        }
        close(kfd);
        if (pid < 0) {
            if (errno == EINTR)
                eintr++;
            else
                other++;
            fprintf(stderr, "fork: %s\n", strerror(errno));
        } else {
            forks++;
            live++;
        }
        /* the child's exit lands somewhere in here */
        for (int k = 0; k < 20; k++) {
            struct stat st;
            int fd;

            calls++;
            if (stat(file, &st) < 0) {
                errno == EINTR ? eintr++ : other++;
                fprintf(stderr, "stat: %s\n", strerror(errno));
            }
            calls++;
            fd = open(file, O_RDONLY);
            if (fd < 0) {
                errno == EINTR ? eintr++ : other++;
                fprintf(stderr, "open: %s\n", strerror(errno));
                continue;
            }
            calls++;
            if (close(fd) < 0) {
                errno == EINTR ? eintr++ : other++;
                fprintf(stderr, "close: %s\n", strerror(errno));
            }
        }
        while (live > 0 && waitpid(-1, &status, WNOHANG) > 0) {
            live--;
            wrong += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
        }
    }
    {
        struct itimerval off = { { 0, 0 }, { 0, 0 } };

        setitimer(ITIMER_REAL, &off, NULL);
    }
    while (live > 0) {
        pid_t w = waitpid(-1, &status, 0);

        if (w < 0 && errno == EINTR)
            continue; /* native too: wait4 is interruptible */
        if (w < 0)
            break;
        live--;
        wrong += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    }
    printf("%ld forks, %ld calls, %d SIGCHLD, %d SIGALRM, %ld EINTR, "
           "%ld other errors, %ld children saw a wrong file\n",
           forks, calls, (int)chld, (int)alrm, eintr, other, wrong);
    if (eintr || other) {
        printf("FAIL - calls failed while SIGCHLD arrived\n");
        return 1;
    }
    if (wrong) {
        printf("FAIL - a child's inherited image file was not its fork's\n");
        return 1;
    }
    printf("ok - no call failed with EINTR (%d SIGCHLD)\n", (int)chld);
    return 0;
}
