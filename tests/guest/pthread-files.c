/* SPDX-License-Identifier: MIT */
/*
 * pthread-files: 8 threads doing mixed file syscalls at once, every result
 * checked. One extra thread sits blocked in read() on a pipe the whole
 * time: the others must not stall behind it (a supervisor that serves
 * notifications one at a time would deadlock here; alarm() turns that
 * into a FAIL instead of a hang).
 *
 * Per thread and iteration: open O_CREAT, write, pwrite, fstat, lseek,
 * read back, dup + read through the dup, fsync, rename, stat, readdir
 * count, getcwd, mkdir/rmdir, unlink, plus a pwrite of its own slice of
 * one file shared by all threads (checked at the end).
 *
 * Usage: pthread-files [ITERATIONS] [THREADS] [SCRATCH_BASE]
 *   defaults: 200 iterations, 8 threads, $TMPDIR or /tmp
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SLICE 4096
#define MAXT  64

static char scratch[1024];
static int iterations = 200, nthreads = 8;
static int shared_fd = -1;
static int block_pipe[2];

struct tres {
    pthread_t th;
    int idx;
    int errors;
    long ops;
    pid_t tid;
    char first_error[256];
};

static struct tres res[MAXT];

static void terr(struct tres *t, int it, const char *what)
{
    if (!t->errors++)
        snprintf(t->first_error, sizeof(t->first_error),
                 "thread %d iter %d: %s: %s", t->idx, it, what,
                 strerror(errno));
}

#define T(cond, what)          \
    do {                       \
        t->ops++;              \
        if (!(cond)) {         \
            terr(t, it, what); \
            goto out;          \
        }                      \
    } while (0)

static void *worker(void *arg)
{
    struct tres *t = arg;
    char dir[PATH_MAX], f1[PATH_MAX + 16], f2[PATH_MAX + 16],
        sub[PATH_MAX + 16];
    char wbuf[512], rbuf[512];
    int it = 0;

    t->tid = (pid_t)syscall(SYS_gettid);
    snprintf(dir, sizeof(dir), "%s/t%d", scratch, t->idx);
    T(mkdir(dir, 0755) == 0, "mkdir thread dir");
    snprintf(f1, sizeof(f1), "%s/a", dir);
    snprintf(f2, sizeof(f2), "%s/b", dir);
    snprintf(sub, sizeof(sub), "%s/sub", dir);

    for (it = 0; it < iterations; it++) {
        int fd, fd2, n;
        struct stat st;
        DIR *d;
        struct dirent *de;
        char cwd[PATH_MAX];
        size_t len;

        len = (size_t)snprintf(wbuf, sizeof(wbuf),
                               "thread %d iteration %d tid %d\n", t->idx, it,
                               (int)t->tid);
        fd = open(f1, O_RDWR | O_CREAT | O_TRUNC, 0640);
        T(fd >= 0, "open O_CREAT");
        T(write(fd, wbuf, len) == (ssize_t)len, "write");
        T(pwrite(fd, "PW", 2, 100) == 2, "pwrite at 100");
        T(fstat(fd, &st) == 0 && st.st_size == 102, "fstat size 102");
        T((st.st_mode & 07777) == 0640, "fstat mode 0640");
        T(lseek(fd, 0, SEEK_SET) == 0, "lseek 0");
        n = (int)read(fd, rbuf, len);
        T(n == (int)len && memcmp(rbuf, wbuf, len) == 0, "read back own data");
        fd2 = dup(fd);
        T(fd2 >= 0, "dup");
        T(lseek(fd2, 100, SEEK_SET) == 100, "lseek via dup");
        T(read(fd, rbuf, 2) == 2 && memcmp(rbuf, "PW", 2) == 0,
          "read via original after lseek via dup");
        T(close(fd2) == 0, "close dup");
        T(fsync(fd) == 0, "fsync");
        T(close(fd) == 0, "close");
        T(rename(f1, f2) == 0, "rename a -> b");
        T(stat(f1, &st) == -1 && errno == ENOENT, "old name gone");
        T(stat(f2, &st) == 0 && st.st_size == 102, "stat new name");
        T(mkdir(sub, 0700) == 0, "mkdir sub");
        d = opendir(dir);
        T(d != NULL, "opendir");
        n = 0;
        while ((de = readdir(d)))
            n++;
        closedir(d);
        T(n == 4, "readdir sees . .. b sub");
        T(rmdir(sub) == 0, "rmdir sub");
        T(getcwd(cwd, sizeof(cwd)) != NULL, "getcwd");
        T(unlink(f2) == 0, "unlink b");
        T(access(f2, F_OK) == -1 && errno == ENOENT, "unlinked b gone");
        /* own slice of the shared file */
        memset(wbuf, 'A' + t->idx % 26, sizeof(wbuf));
        T(pwrite(shared_fd, wbuf, 64,
                 (off_t)t->idx * SLICE + (it % (SLICE / 64)) * 64) == 64,
          "pwrite shared slice");
    }
    T(rmdir(dir) == 0, "rmdir thread dir");
out:
    return NULL;
}

static void *blocker(void *arg)
{
    char c;
    ssize_t n;

    (void)arg;
    /* blocks until main has joined every worker */
    n = read(block_pipe[0], &c, 1);
    return (void *)(long)(n == 1 && c == 'x');
}

static void on_alarm(int sig)
{
    static const char msg[] =
        "FAIL - timeout: threads stalled (a blocked thread blocks "
        "others?)\n";
    (void)sig;
    if (write(1, msg, sizeof(msg) - 1) < 0)
        _exit(2);
    _exit(1);
}

int main(int argc, char **argv)
{
    const char *base = argc > 3 ? argv[3] : getenv("TMPDIR");
    char path[PATH_MAX];
    pthread_t bt;
    void *bret;
    int fail = 0, ok = 0, distinct = 1;
    long ops = 0;
    struct stat st;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 1)
        iterations = atoi(argv[1]);
    if (argc > 2)
        nthreads = atoi(argv[2]);
    if (iterations <= 0 || nthreads <= 0 || nthreads > MAXT) {
        fprintf(stderr, "usage: %s [ITERATIONS] [THREADS<=%d] [DIR]\n", argv[0],
                MAXT);
        return 2;
    }
    if (!base || !*base)
        base = "/tmp";
    snprintf(scratch, sizeof(scratch), "%s/pthread-files-XXXXXX", base);
    if (!mkdtemp(scratch)) {
        printf("FAIL - mkdtemp in %s: %s\n", base, strerror(errno));
        return 1;
    }
    signal(SIGALRM, on_alarm);
    alarm(120);

    snprintf(path, sizeof(path), "%s/shared", scratch);
    shared_fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (shared_fd < 0 || pipe(block_pipe) != 0) {
        printf("FAIL - setup: %s\n", strerror(errno));
        return 1;
    }
    if (pthread_create(&bt, NULL, blocker, NULL) != 0) {
        printf("FAIL - pthread_create blocker\n");
        return 1;
    }
    usleep(20000); /* let the blocker enter read() */

    for (int i = 0; i < nthreads; i++) {
        res[i].idx = i;
        if (pthread_create(&res[i].th, NULL, worker, &res[i]) != 0) {
            printf("FAIL - pthread_create %d\n", i);
            return 1;
        }
    }
    for (int i = 0; i < nthreads; i++) {
        pthread_join(res[i].th, NULL);
        ops += res[i].ops;
        if (res[i].errors) {
            printf("FAIL - %s\n", res[i].first_error);
            fail++;
        } else {
            printf("ok - thread %d: %d iterations, %ld checked "
                   "calls\n",
                   i, iterations, res[i].ops);
            ok++;
        }
    }
    for (int i = 0; i < nthreads; i++)
        for (int j = i + 1; j < nthreads; j++)
            if (res[i].tid == res[j].tid || res[i].tid <= 0)
                distinct = 0;
    if (distinct)
        ok++, printf("ok - %d threads had distinct tids\n", nthreads);
    else
        fail++, printf("FAIL - threads did not have distinct tids\n");

    /* the blocked thread was blocked all along; release it now */
    if (write(block_pipe[1], "x", 1) == 1 && pthread_join(bt, &bret) == 0 &&
        bret == (void *)1L)
        ok++, printf("ok - thread blocked in read() did not stall the "
                     "others and wakes up\n");
    else
        fail++, printf("FAIL - blocked reader thread\n");

    /* shared file: every slice holds its thread's letter */
    {
        char *buf = malloc((size_t)nthreads * SLICE);
        long want = (long)nthreads * SLICE;
        int slices_ok = 1;
        int nslots = iterations < SLICE / 64 ? iterations : SLICE / 64;

        if (fstat(shared_fd, &st) != 0 ||
            pread(shared_fd, buf, (size_t)want, 0) < 0)
            slices_ok = 0;
        for (int i = 0; i < nthreads && slices_ok; i++)
            for (int k = 0; k < nslots * 64; k++)
                if (buf[(long)i * SLICE + k] != 'A' + i % 26) {
                    slices_ok = 0;
                    break;
                }
        if (slices_ok)
            ok++, printf("ok - shared file: every thread's slice "
                         "intact\n");
        else
            fail++, printf("FAIL - shared file slices corrupted\n");
        free(buf);
    }
    close(shared_fd);
    unlink(path);
    if (rmdir(scratch) == 0)
        ok++, printf("ok - scratch dir empty and removed\n");
    else
        fail++, printf("FAIL - rmdir scratch: %s\n", strerror(errno));
    printf("# pthread-files: %d ok, %d failed (%ld calls checked)\n", ok, fail,
           ops);
    return fail ? 1 : 0;
}
