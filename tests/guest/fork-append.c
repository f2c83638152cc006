/* SPDX-License-Identifier: MIT */
/*
 * fork-append: 100 children append to one file with O_APPEND; no line may
 * be lost, torn or duplicated.
 *
 * Phase 1: every child opens the file itself with O_APPEND.
 * Phase 2: every child uses an O_APPEND fd inherited from the parent
 *          (one shared open file description).
 *
 * Usage: fork-append [LINES_PER_CHILD] [CHILDREN] [SCRATCH_BASE]
 *   defaults: 50 lines, 100 children, $TMPDIR or /tmp
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

#define LINE_LEN 24 /* "c%03d l%05d ..........\n" */

static void make_line(char *buf, int child, int line)
{
    /* exactly LINE_LEN bytes including the newline */
    snprintf(buf, LINE_LEN + 1, "c%03d l%05d ...........", child % 1000,
             line % 100000);
    buf[LINE_LEN - 1] = '\n';
}

static void child_body(const char *path, int inherited_fd, int child, int lines)
{
    char buf[LINE_LEN + 1];
    int fd = inherited_fd;

    if (fd < 0) {
        fd = open(path, O_WRONLY | O_APPEND);
        if (fd < 0)
            _exit(10);
    }
    for (int l = 0; l < lines; l++) {
        make_line(buf, child, l);
        if (write(fd, buf, LINE_LEN) != LINE_LEN)
            _exit(11);
    }
    _exit(0);
}

static void run_phase(const char *path, int shared, int children, int lines)
{
    int fd = -1, bad_status = 0, fork_fail = 0;
    pid_t *pids = calloc((size_t)children, sizeof(pid_t));
    struct stat st;
    char *data, *seen;
    long expect = (long)children * lines * LINE_LEN, torn = 0, dups = 0,
         missing = 0;
    const char *what = shared ? "inherited fd" : "own open";

    int tfd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    close(tfd);
    if (shared)
        fd = open(path, O_WRONLY | O_APPEND);
    fflush(stdout);
    for (int c = 0; c < children; c++) {
        pids[c] = fork();
        if (pids[c] == 0)
            child_body(path, fd, c, lines);
        if (pids[c] < 0)
            fork_fail++;
    }
    check(fork_fail == 0, "%s: forked %d children", what, children);
    for (int c = 0; c < children; c++) {
        int status;

        if (pids[c] <= 0)
            continue;
        if (waitpid(pids[c], &status, 0) != pids[c] || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0) {
            if (bad_status++ < 5)
                printf("# child %d status 0x%x\n", c, status);
        }
    }
    check(bad_status == 0, "%s: all children exited 0 (%d bad)", what,
          bad_status);
    check(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD,
          "%s: no children left", what);
    if (fd >= 0) {
        check(lseek(fd, 0, SEEK_CUR) == expect,
              "%s: shared offset is at the end (%lld)", what,
              (long long)lseek(fd, 0, SEEK_CUR));
        close(fd);
    }

    errno = 0;
    if (stat(path, &st) != 0) {
        check(0, "%s: stat result", what);
        free(pids);
        return;
    }
    check(st.st_size == expect, "%s: size %lld == %ld", what,
          (long long)st.st_size, expect);

    data = malloc((size_t)st.st_size + 1);
    seen = calloc((size_t)children * (size_t)lines, 1);
    fd = open(path, O_RDONLY);
    {
        long got = 0;

        while (got < st.st_size) {
            ssize_t n = read(fd, data + got, (size_t)(st.st_size - got));
            if (n <= 0)
                break;
            got += n;
        }
        check(got == st.st_size, "%s: read back %ld bytes", what, got);
    }
    close(fd);
    for (long off = 0; off + LINE_LEN <= st.st_size; off += LINE_LEN) {
        int c, l;
        char ref[LINE_LEN + 1];

        if (sscanf(data + off, "c%3d l%5d", &c, &l) != 2 || c < 0 ||
            c >= children || l < 0 || l >= lines) {
            torn++;
            continue;
        }
        make_line(ref, c, l);
        if (memcmp(ref, data + off, LINE_LEN) != 0) {
            torn++;
            continue;
        }
        if (seen[(long)c * lines + l]++)
            dups++;
    }
    for (long i = 0; i < (long)children * lines; i++)
        if (!seen[i])
            missing++;
    check(torn == 0, "%s: no torn or interleaved lines (%ld)", what, torn);
    check(dups == 0, "%s: no duplicated lines (%ld)", what, dups);
    check(missing == 0, "%s: no missing lines (%ld of %ld)", what, missing,
          (long)children * lines);
    free(data);
    free(seen);
    free(pids);
}

int main(int argc, char **argv)
{
    int lines = argc > 1 ? atoi(argv[1]) : 50;
    int children = argc > 2 ? atoi(argv[2]) : 100;
    const char *base = argc > 3 ? argv[3] : getenv("TMPDIR");
    char dir[1024], path[PATH_MAX];

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (lines <= 0 || lines > 99999 || children <= 0 || children > 999) {
        fprintf(stderr,
                "usage: %s [LINES 1..99999] [CHILDREN 1..999] "
                "[DIR]\n",
                argv[0]);
        return 2;
    }
    if (!base || !*base)
        base = "/tmp";
    snprintf(dir, sizeof(dir), "%s/fork-append-XXXXXX", base);
    if (!mkdtemp(dir)) {
        printf("FAIL - mkdtemp in %s: %s\n", base, strerror(errno));
        return 1;
    }
    snprintf(path, sizeof(path), "%s/log", dir);
    printf("# %d children x %d lines of %d bytes\n", children, lines, LINE_LEN);
    run_phase(path, 0, children, lines);
    run_phase(path, 1, children, lines);
    unlink(path);
    rmdir(dir);
    printf("# fork-append: %d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
