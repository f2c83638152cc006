/* SPDX-License-Identifier: MIT */
/*
 * truncate(path) and open(O_TRUNC) of a file another process maps shared,
 * stores into and msyncs meanwhile: once the truncation has returned the
 * file is empty, as in Linux, where a msync cannot grow a file. lx
 * truncated outside the maps' lock, and a write-back landing before kbox
 * cut the memfd wrote the stores past lx's new end: the file grew back
 * to its old size with the bytes the truncation had removed.
 * Usage: shmap-trunc DIR
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

#define LEN    (256 * 4096)
#define ROUNDS 30

static sigjmp_buf cut;

static void on_sigbus(int sig)
{
    (void)sig;
    siglongjmp(cut, 1);
}

/* Store into every page and msync, until the file is cut under us. */
static void mapper(int fd, int ready)
{
    char *m = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    struct stat st;

    if (m == MAP_FAILED)
        _exit(2);
    signal(SIGBUS, on_sigbus);
    if (write(ready, "x", 1) != 1)
        _exit(2);
    if (sigsetjmp(cut, 1) == 0) {
        for (int i = 1; i < 2000; i++) {
            for (int p = 0; p < LEN; p += 4096)
                m[p] = (char)i;
            msync(m, LEN, MS_SYNC);
            if (fstat(fd, &st) == 0 && st.st_size < LEN)
                break;
        }
    }
    _exit(0);
}

/* Rounds whose file was not empty after the truncation. */
static int rounds(const char *path, int otrunc)
{
    int bad = 0;

    for (int r = 0; r < ROUNDS; r++) {
        int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644), go[2];
        struct stat st = { .st_size = -1 };
        pid_t c;
        char b;

        if (fd < 0 || ftruncate(fd, LEN) || pipe(go))
            return -1;
        c = fork();
        if (c == 0)
            mapper(fd, go[1]);
        if (c < 0 || read(go[0], &b, 1) != 1)
            return -1;
        usleep(2000 + (r % 10) * 300);
        if (otrunc)
            close(open(path, O_WRONLY | O_TRUNC));
        else if (truncate(path, 0))
            return -1;
        stat(path, &st);
        bad += st.st_size != 0;
        waitpid(c, NULL, 0);
        stat(path, &st);
        bad += st.st_size != 0;
        close(fd);
        close(go[0]);
        close(go[1]);
    }
    return bad;
}

int main(int argc, char **argv)
{
    char path[400];
    int n;

    snprintf(path, sizeof(path), "%s/shmap-trunc.%d",
             argc > 1 ? argv[1] : "/tmp", (int)getpid());
    n = rounds(path, 0);
    check(n == 0, "truncate(path) under msyncs leaves the file empty (%d)", n);
    n = rounds(path, 1);
    check(n == 0, "open(O_TRUNC) under msyncs leaves the file empty (%d)", n);
    unlink(path);
    return n_fail ? 1 : 0;
}
