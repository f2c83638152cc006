/* SPDX-License-Identifier: MIT */
/*
 * lx microbenchmarks: boot and halt times, ns per call for a few syscalls
 * beside the same call on the host kernel, and multi-thread throughput.
 * usage: lx_bench IMAGE [ITERATIONS]   (numbers are printed, not asserted)
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lxt.h"

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static long iters = 200000;
static char host_file[256];

#define TIME(label, body)                     \
    ({                                        \
        double t0_ = now_ns();                \
        for (long i_ = 0; i_ < iters; i_++) { \
            body;                             \
        }                                     \
        (now_ns() - t0_) / iters;             \
    })

static void row(const char *name, double lx, double host)
{
    printf("%-26s %10.0f %10.0f %8.2fx\n", name, lx, host, lx / host);
}

static volatile int stop;
static void *tput_main(void *arg)
{
    long *count = arg;
    struct lx_stat st;

    while (!stop) {
        LX4(newfstatat, LX_AT_FDCWD, "/mnt/bench/file", &st, 0);
        (*count)++;
    }
    lx_thread_detach();
    return NULL;
}

int main(int argc, char **argv)
{
    struct lx_boot_opts opts = { .cmdline = "mem=64M", .console_fd = -1 };
    char buf[4096];
    double t0, t_boot, t_first, t_mount;

    if (argc < 2) {
        fprintf(stderr, "usage: %s IMAGE [ITERATIONS]\n", argv[0]);
        return 2;
    }
    if (argc > 2)
        iters = atol(argv[2]);

    t0 = now_ns();
    if (lx_boot(&opts))
        return 1;
    t_boot = now_ns();
    LX0(getpid);
    t_first = now_ns();
    int fd = open(argv[1], O_RDWR);
    if (fd < 0 || lx_disk_add(fd, 0) || lx_mount_disk(0, "/mnt", "ext4", 0, 0))
        return 1;
    close(fd);
    t_mount = now_ns();

    /* Same file on both kernels: 64 KiB, read once so it is cached. */
    LX3(mkdirat, LX_AT_FDCWD, "/mnt/bench", 0755);
    long lfd = LX4(openat, LX_AT_FDCWD, "/mnt/bench/file",
                   LX_O_RDWR | LX_O_CREAT | LX_O_TRUNC, 0644);
    int hfd = open(host_file, O_RDWR | O_CREAT | O_TRUNC, 0644);
    memset(buf, 'x', sizeof(buf));
    for (int i = 0; i < 16; i++) {
        LX3(write, lfd, buf, sizeof(buf));
        if (write(hfd, buf, sizeof(buf)) != sizeof(buf))
            return 1;
    }
    struct lx_stat lst;
    struct stat hst;

    printf("boot to first syscall: %.1f ms (boot %.1f ms)\n",
           (t_first - t0) / 1e6, (t_boot - t0) / 1e6);
    printf("\n%-26s %10s %10s %9s\n", "ns/call", "lx", "host", "lx/host");
    row("getpid", TIME(g, LX0(getpid)), TIME(g, syscall(SYS_getpid)));
    row("stat (cached path)",
        TIME(s, LX4(newfstatat, LX_AT_FDCWD, "/mnt/bench/file", &lst, 0)),
        TIME(s, stat(host_file, &hst)));
    row("open+close",
        TIME(o, LX1(close, LX4(openat, LX_AT_FDCWD, "/mnt/bench/file",
                               LX_O_RDONLY, 0))),
        TIME(o, close(open(host_file, O_RDONLY))));
    row("pread 4 KiB (cached)", TIME(p, LX4(pread64, lfd, buf, 4096, 8192)),
        TIME(p, (void)!pread(hfd, buf, 4096, 8192)));

    printf("\nthroughput (stat calls/s, 1 s each):\n");
    for (int n = 1; n <= 4; n *= 2) {
        pthread_t t[4];
        long counts[4] = { 0 };
        stop = 0;
        for (int i = 0; i < n; i++)
            pthread_create(&t[i], NULL, tput_main, &counts[i]);
        usleep(1000 * 1000);
        stop = 1;
        long total = 0;
        for (int i = 0; i < n; i++) {
            pthread_join(t[i], NULL);
            total += counts[i];
        }
        printf("  %d thread%s: %10ld\n", n, n > 1 ? "s" : " ", total);
    }

    LX1(close, lfd);
    close(hfd);
    unlink(host_file);
    double h0 = now_ns();
    int err = lx_halt();
    double h1 = now_ns();
    printf("\nmount %.1f ms, halt %.1f ms; boot+mount+halt %.1f ms "
           "(excluding the benchmark itself)\n",
           (t_mount - t_first) / 1e6, (h1 - h0) / 1e6,
           (t_mount - t0 + h1 - h0) / 1e6);
    return err ? 1 : 0;
}

__attribute__((constructor)) static void pick_host_file(void)
{
    snprintf(host_file, sizeof(host_file), "/tmp/lx-bench-%d", getpid());
}
