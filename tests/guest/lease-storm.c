/* SPDX-License-Identifier: MIT */
/*
 * Lease breaks under load: @pairs processes in directory argv[1] each
 * take a lease on their own file @rounds times; a child of each breaks it
 * (open for writing) while a FIFO with O_ASYNC beside it gets writes, and
 * the holder's handler lets go of the lease named by si_fd. Every break
 * must be answered at once (the breaker waits under 2 s; a lost signal
 * leaves it lease-break-time, 45 s) and every FIFO write signalled.
 * usage: lease-storm DIR [PAIRS [ROUNDS]]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t breaks, fifo_sigs;

static void on_break(int s, siginfo_t *si, void *uc)
{
    (void)s;
    (void)uc;
    if (fcntl(si->si_fd, F_SETLEASE, F_UNLCK) == 0)
        breaks++;
}

/* POLL_IN: a write came (the reads of an O_RDWR FIFO send POLL_OUT) */
static void on_fifo(int s, siginfo_t *si, void *uc)
{
    (void)s;
    (void)uc;
    if (si->si_band & POLLIN)
        fifo_sigs++;
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int worker(const char *dir, int id, int rounds)
{
    char path[4096], fifo[4096];
    struct sigaction sa;
    int ff, bad = 0;
    double worst = 0;

    memset(&sa, 0, sizeof(sa));
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sa.sa_sigaction = on_break;
    sigaction(SIGRTMIN + 1, &sa, NULL);
    sa.sa_sigaction = on_fifo;
    sigaction(SIGRTMIN + 2, &sa, NULL);
    snprintf(path, sizeof(path), "%s/storm-%d", dir, id);
    snprintf(fifo, sizeof(fifo), "%s/storm-fifo-%d", dir, id);
    close(open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644));
    unlink(fifo);
    if (mkfifo(fifo, 0600))
        return 1;
    ff = open(fifo, O_RDWR | O_NONBLOCK);
    fcntl(ff, F_SETOWN, getpid());
    fcntl(ff, F_SETSIG, SIGRTMIN + 2);
    fcntl(ff, F_SETFL, O_ASYNC | O_NONBLOCK);
    for (int r = 0; r < rounds; r++) {
        int fd = open(path, O_RDONLY), st;
        pid_t c;
        double t0;

        fcntl(fd, F_SETSIG, SIGRTMIN + 1);
        if (fcntl(fd, F_SETLEASE, F_RDLCK)) {
            printf("FAIL - %d: F_SETLEASE (errno %d)\n", id, errno);
            return 1;
        }
        t0 = now();
        c = fork();
        if (c == 0) {
            int w = open(fifo, O_WRONLY | O_NONBLOCK), o;

            if (w >= 0)
                write(w, "x", 1);
            o = open(path, O_WRONLY);
            _exit(o >= 0 ? 0 : 1);
        }
        while (waitpid(c, &st, 0) < 0 && errno == EINTR)
            ;
        for (int i = 0; i < 200 && fifo_sigs <= r; i++)
            usleep(5000);
        {
            char b[16];

            while (read(ff, b, sizeof(b)) > 0)
                ;
        }
        t0 = now() - t0;
        worst = t0 > worst ? t0 : worst;
        if (!WIFEXITED(st) || WEXITSTATUS(st) || t0 > 2)
            bad++;
        fcntl(fd, F_SETLEASE, F_UNLCK);
        close(fd);
    }
    for (int i = 0; i < 200 && fifo_sigs < rounds; i++)
        usleep(10000);
    printf("%s - worker %d: %d breaks answered of %d, %d slow, worst %.3f s, "
           "%d FIFO signals\n",
           breaks == rounds && !bad && fifo_sigs == rounds ? "ok" : "FAIL", id,
           (int)breaks, rounds, bad, worst, (int)fifo_sigs);
    unlink(path);
    unlink(fifo);
    return !(breaks == rounds && !bad && fifo_sigs == rounds);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    int pairs = argc > 2 ? atoi(argv[2]) : 6;
    int rounds = argc > 3 ? atoi(argv[3]) : 40, failed = 0, st;

    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 0; i < pairs; i++)
        if (fork() == 0)
            _exit(worker(dir, i, rounds));
    for (int i = 0; i < pairs; i++)
        if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
            failed++;
    printf("%d passed, %d failed\n", pairs - failed, failed);
    return failed != 0;
}
