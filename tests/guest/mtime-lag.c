/*
 * File times come from lx's coarse clock; the guest reads the host's
 * CLOCK_REALTIME. Write a file ROUNDS times, GAP_US apart, each write
 * right after a host clock read, and see how far the file's mtime is
 * behind that read ("lag"). The coarse clock moves a tick (4 ms) at a
 * time, so a lag is up to a tick plus the tick's latency; a write that
 * the guest makes late (preempted after the clock read) gives a small or
 * negative one. Checks:
 *  - the least lag of all rounds is under LEAST_US: lx's realtime is not
 *    a constant amount behind the host's (lx kept its boot-time clock on
 *    jiffies and lost every late tick: 1-4 ms idle, 11-15 ms loaded);
 *  - the worst is under WORST_US (no stale coarse clock at an entry).
 * Usage: mtime-lag FILE ROUNDS GAP_US [WORST_US LEAST_US]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static long long ns(const struct timespec *t)
{
    return t->tv_sec * 1000000000LL + t->tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 6) {
        fprintf(stderr, "usage: %s FILE ROUNDS GAP_US [WORST_US LEAST_US]\n",
                argv[0]);
        return 2;
    }
    int rounds = atoi(argv[2]);
    long gap = atol(argv[3]);
    long long worst = -1000000000LL, least = 1000000000LL, sum = 0;
    int worst_round = -1, fails = 0;
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);

    if (fd < 0 || rounds < 1) {
        perror("open");
        return 2;
    }
    for (int i = 0; i < rounds; i++) {
        struct timespec t;
        struct stat st;

        if (gap > 0)
            usleep(gap);
        clock_gettime(CLOCK_REALTIME, &t);
        if (pwrite(fd, "x", 1, i % 4096) != 1 || fstat(fd, &st)) {
            perror("write/fstat");
            return 2;
        }
        long long lag = ns(&t) - ns(&st.st_mtim);
        sum += lag;
        if (lag < least)
            least = lag;
        if (lag > worst) {
            worst = lag;
            worst_round = i;
        }
    }
    close(fd);
    printf("lag: worst %lld us (round %d), mean %lld us, least %lld us\n",
           worst / 1000, worst_round, sum / rounds / 1000, least / 1000);
    if (argc == 6) {
        long long wmax = atoll(argv[4]) * 1000;
        long long lmax = atoll(argv[5]) * 1000;

        if (least < lmax) {
            printf("ok: lx's realtime keeps up with the host's\n");
        } else {
            printf(
                "FAIL: every mtime at least %lld us behind the host's clock\n",
                least / 1000);
            fails++;
        }
        if (worst < wmax) {
            printf("ok: no mtime more than %lld us behind\n", wmax / 1000);
        } else {
            printf("FAIL: an mtime %lld us behind the host's clock\n",
                   worst / 1000);
            fails++;
        }
    }
    return fails ? 1 : 0;
}
