/* SPDX-License-Identifier: MIT */
/*
 * lx_halt_exiting(): the halt of a process that exits right after (kbox).
 * What was written reaches the image (run.sh checks it with debugfs and
 * e2fsck after the exit), a caller blocked inside lx comes back with
 * -ESHUTDOWN as after lx_halt(), every later call fails the same way,
 * and the kernel's host threads are left parked for the exit: lx_halt()
 * woke each to end itself, ~1 ms of every kbox run on one CPU.
 * Usage: lx_halt_exit_test IMAGE
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KTEST_IMPLEMENTATION
#include "ktest.h"
#include "lxt.h"

static const char *image;
static int pipefd[2];
static volatile long blocked_result = 1;
static volatile int about_to_block;

static void *reader(void *arg)
{
    char c;

    (void)arg;
    about_to_block = 1;
    blocked_result = LX3(read, pipefd[0], &c, 1);
    return NULL;
}

static int host_threads(void)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int n = 0;

    if (!d)
        return -1;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

KTEST(halt_exiting_syncs_and_leaves_threads_parked)
{
    struct lx_boot_opts opts = { .cmdline = "mem=32M",
                                 .console_fd = getenv("LX_CONSOLE") ? 2 : -1 };
    static const char text[] = "kept at exit\n";
    pthread_t t;
    int lxpipe[2], fd, before;
    long f;

    KT_EQ(lx_boot(&opts), 0);
    fd = open(image, O_RDWR);
    KT_ASSERT(fd >= 0);
    KT_EQ(lx_disk_add(fd, 0), 0);
    close(fd);
    KT_EQ(lx_mount_disk(0, "/mnt", "ext4", 0, NULL), 0);
    f = LX4(openat, LX_AT_FDCWD, "/mnt/exit.txt",
            LX_O_WRONLY | LX_O_CREAT | LX_O_TRUNC, 0644);
    KT_ASSERT(f >= 0);
    KT_EQ(LX3(write, f, text, strlen(text)), (long)strlen(text));
    KT_EQ(LX1(close, f), 0);

    KT_EQ(lx_task_syscall(lx_task_root(), LX__NR_pipe2,
                          (long[6]){ LXA(lxpipe), 0 }),
          0);
    pipefd[0] = lxpipe[0];
    pipefd[1] = lxpipe[1];
    KT_EQ(pthread_create(&t, NULL, reader, NULL), 0);
    while (!about_to_block)
        usleep(1000);
    usleep(100 * 1000);
    KT_EQ(blocked_result, 1); /* still blocked */

    before = host_threads();
    KT_ASSERT(before > 8); /* the kernel's threads, the reader, us */
    KT_EQ(lx_halt_exiting(), 0);
    pthread_join(t, NULL);
    KT_EQ(blocked_result, -LX_ESHUTDOWN);
    KT_EQ(LX0(getpid), -LX_ESHUTDOWN);
    /* parked, not ended: the reader, the timer, the flusher and a few
     * woken anyway went (24 -> 19 here); lx_halt() leaves the caller */
    KT_ASSERT(host_threads() > before / 2);
    KT_EQ(lx_halt(), 0); /* a later halt is harmless */
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s IMAGE\n", argv[0]);
        return 2;
    }
    image = argv[1];
    return ktest_main(1, argv);
}
