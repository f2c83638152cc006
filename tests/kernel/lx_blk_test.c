/* SPDX-License-Identifier: MIT */
/*
 * Disk flushes run on the host's flush thread: while one task's fsync
 * waits for the host, other tasks' calls go on, and fsyncs that wait
 * together share the next host flush. A hook stands in for fdatasync and
 * holds each flush until the test lets it go. Disk 0 (argv[1]) is an
 * ext4 image mounted at /mnt; disk 1 (argv[2]) a raw scratch file, used
 * as /dev/lxdb.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define KTEST_IMPLEMENTATION
#include "ktest.h"
#include "lxt.h"

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static int flushes;    /* host flushes begun */
static int released;   /* how many of them may finish */
static long gate_err;  /* what they return */
static ino_t gate_ino; /* the host file gated; others flush at once */
static ino_t image_ino, scratch_ino;

static long gate_hook(int fd)
{
    struct stat st;
    long err;

    if (fstat(fd, &st))
        return -errno;
    pthread_mutex_lock(&gate_lock);
    if (st.st_ino != gate_ino) {
        pthread_mutex_unlock(&gate_lock);
        return fdatasync(fd) ? -errno : 0;
    }
    int me = ++flushes;
    pthread_cond_broadcast(&gate_cond);
    while (released < me)
        pthread_cond_wait(&gate_cond, &gate_lock);
    err = gate_err;
    pthread_mutex_unlock(&gate_lock);
    return err;
}

static void gate_reset(ino_t ino, long err)
{
    pthread_mutex_lock(&gate_lock);
    gate_ino = ino;
    flushes = 0;
    released = 0;
    gate_err = err;
    pthread_mutex_unlock(&gate_lock);
}

static void gate_release(int n)
{
    pthread_mutex_lock(&gate_lock);
    released = n;
    pthread_cond_broadcast(&gate_cond);
    pthread_mutex_unlock(&gate_lock);
}

static int gate_flushes(void)
{
    pthread_mutex_lock(&gate_lock);
    int n = flushes;
    pthread_mutex_unlock(&gate_lock);
    return n;
}

/* Poll @cond every ms for up to 10 s: a deadlock detector, not a timer. */
#define WAIT_FOR(cond)                                         \
    ({                                                         \
        int _ms = 0;                                           \
        while (!(cond) && _ms++ < 10000)                       \
            nanosleep(&(struct timespec){ 0, 1000000 }, NULL); \
        (cond);                                                \
    })

struct writer {
    const char *path;
    long off;
    long tid; /* its lx task, for /proc/<tid>/stat */
    volatile int done;
    long result; /* fsync's */
};

/* Write 4 KiB at w->off of w->path and fsync it. */
static void *writer_main(void *arg)
{
    struct writer *w = arg;
    static char buf[4096];
    long fd;

    w->tid = LX0(gettid);
    fd = LX4(openat, LX_AT_FDCWD, w->path, LX_O_RDWR | LX_O_CREAT, 0600);
    if (fd < 0) {
        w->result = fd;
    } else {
        memset(buf, 'k', sizeof(buf));
        w->result = LX4(pwrite64, fd, buf, sizeof(buf), w->off);
        if (w->result == (long)sizeof(buf))
            w->result = LX1(fsync, fd);
        LX1(close, fd);
    }
    __atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

struct other {
    volatile int done;
    long stat_ret, write_ret;
};

/* Calls that need lx's CPU but no disk flush. */
static void *other_main(void *arg)
{
    struct other *o = arg;
    struct lx_stat st;
    long fd;

    o->stat_ret = LX4(newfstatat, LX_AT_FDCWD, "/mnt", &st, 0);
    fd = LX4(openat, LX_AT_FDCWD, "/mnt/other", LX_O_WRONLY | LX_O_CREAT, 0600);
    o->write_ret = fd < 0 ? fd : LX3(write, fd, "x", 1);
    if (fd >= 0)
        LX1(close, fd);
    __atomic_store_n(&o->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static bool done(volatile int *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* Is lx task @tid in an uninterruptible wait (state D)? */
static bool in_d_state(long tid)
{
    char path[64], buf[256], *p;
    long fd, n;

    if (tid <= 0)
        return false;
    snprintf(path, sizeof(path), "/proc/%ld/stat", tid);
    fd = LX4(openat, LX_AT_FDCWD, path, LX_O_RDONLY, 0);
    if (fd < 0)
        return false;
    n = LX3(read, fd, buf, sizeof(buf) - 1);
    LX1(close, fd);
    if (n <= 0)
        return false;
    buf[n] = 0;
    p = strrchr(buf, ')');
    return p && p[1] == ' ' && p[2] == 'D';
}

KTEST(fsync_leaves_the_cpu_to_other_tasks)
{
    struct writer a = { .path = "/mnt/a" };
    struct other o = { 0 };
    pthread_t ta, to;

    gate_reset(image_ino, 0);
    KT_EQ(pthread_create(&ta, NULL, writer_main, &a), 0);
    KT_ASSERT(WAIT_FOR(gate_flushes() >= 1));
    KT_EQ(pthread_create(&to, NULL, other_main, &o), 0);
    /* Held to the CPU by the flush, these would wait until it ends. */
    KT_ASSERT(WAIT_FOR(done(&o.done)));
    KT_ASSERT(!done(&a.done));
    gate_release(1 << 30);
    pthread_join(ta, NULL);
    pthread_join(to, NULL);
    KT_EQ(a.result, 0);
    KT_EQ(o.stat_ret, 0);
    KT_EQ(o.write_ret, 1);
}

KTEST(fsyncs_waiting_together_share_the_next_flush)
{
    struct writer a = { .path = "/dev/lxdb", .off = 0 };
    struct writer c = { .path = "/dev/lxdb", .off = 8192 };
    struct writer d = { .path = "/dev/lxdb", .off = 16384 };
    pthread_t ta, tc, td;

    gate_reset(scratch_ino, 0);
    KT_EQ(pthread_create(&ta, NULL, writer_main, &a), 0);
    KT_ASSERT(WAIT_FOR(gate_flushes() == 1));
    KT_EQ(pthread_create(&tc, NULL, writer_main, &c), 0);
    KT_EQ(pthread_create(&td, NULL, writer_main, &d), 0);
    /* Both wrote after the first flush began and wait for the next. */
    KT_ASSERT(WAIT_FOR(in_d_state(c.tid) && in_d_state(d.tid)));
    KT_EQ(gate_flushes(), 1);
    gate_release(1);
    KT_ASSERT(WAIT_FOR(done(&a.done)));
    KT_ASSERT(WAIT_FOR(gate_flushes() == 2));
    gate_release(1 << 30);
    pthread_join(ta, NULL);
    pthread_join(tc, NULL);
    pthread_join(td, NULL);
    KT_EQ(a.result, 0);
    KT_EQ(c.result, 0);
    KT_EQ(d.result, 0);
    /* One flush for the first, one for both later ones. */
    KT_EQ(gate_flushes(), 2);
}

KTEST(a_failed_flush_fails_the_fsync)
{
    struct writer a = { .path = "/dev/lxdb", .off = 4096 };

    gate_reset(scratch_ino, -LX_EIO);
    gate_release(1 << 30);
    writer_main(&a);
    KT_EQ(a.result, -LX_EIO);
    gate_reset(scratch_ino, 0);
    gate_release(1 << 30);
    writer_main(&a);
    KT_EQ(a.result, 0);
}

KTEST(fsync_with_nothing_written_needs_no_flush)
{
    long fd = LX4(openat, LX_AT_FDCWD, "/dev/lxdb", LX_O_RDWR, 0);

    KT_ASSERT(fd >= 0);
    KT_EQ(LX1(fsync, fd), 0); /* flushes what earlier tests left */
    gate_reset(scratch_ino, 0);
    KT_EQ(LX1(fsync, fd), 0); /* the gate is shut: a flush would hang */
    KT_EQ(gate_flushes(), 0);
    LX1(close, fd);
}

static int add_disk(const char *path, ino_t *ino)
{
    int fd = open(path, O_RDWR), idx;
    struct stat st;

    if (fd < 0 || fstat(fd, &st))
        return -1;
    *ino = st.st_ino;
    idx = lx_disk_add(fd, 0);
    close(fd);
    return idx;
}

int main(int argc, char **argv)
{
    struct lx_boot_opts opts = { .cmdline = "mem=64M", .console_fd = -1 };
    int rc;

    if (argc < 3) {
        fprintf(stderr, "usage: %s IMAGE SCRATCH [FILTER]\n", argv[0]);
        return 2;
    }
    if (getenv("LX_CONSOLE"))
        opts.console_fd = 2;
    if (lx_boot(&opts) || add_disk(argv[1], &image_ino) != 0 ||
        add_disk(argv[2], &scratch_ino) != 1 ||
        lx_mount_disk(0, "/mnt", "ext4", 0, NULL) ||
        lx_mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) ||
        lx_mount("proc", "/proc", "proc", 0, NULL)) {
        fprintf(stderr, "lx set-up failed\n");
        return 1;
    }
    lx_blk_flush_hook(gate_hook);
    char *targv[2] = { argv[0], argc > 3 ? argv[3] : NULL };
    rc = ktest_main(argc > 3 ? 2 : 1, targv);
    /* Halt's sync flushes through the flush thread, then ends it. */
    gate_reset(0, 0);
    int h = lx_halt();
    if (h) {
        fprintf(stderr, "lx_halt: %s\n", lx_strerror(h));
        rc = 1;
    }
    return rc;
}
