/* SPDX-License-Identifier: MIT */
/*
 * O_APPEND writers of a file another process maps MAP_SHARED (writable,
 * never stored to: a log read through mmap) lose no record: with two
 * appenders kbox refilled the wrong range of the map's memfd, left the
 * other one zeros, and write-back put the zeros over appended records.
 * pwritev2's RWF_APPEND and RWF_NOAPPEND decide where one write lands,
 * also for a file the writer maps shared (RWF_APPEND's bytes were zeros).
 * Usage: append-shmap DIR
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

#define WRITERS 4
#define RECORDS 1500
#define RECLEN  32

#ifndef RWF_NOAPPEND
#define RWF_NOAPPEND 0x20
#endif

/* Keep mapping the growing file shared until killed. */
static void mapper(int fd)
{
    for (;;) {
        struct stat st;
        char *m;

        if (fstat(fd, &st) || st.st_size == 0)
            continue;
        m = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED,
                 fd, 0);
        if (m != MAP_FAILED) {
            (void)*(volatile char *)(m + st.st_size - 1);
            usleep(1000);
            munmap(m, (size_t)st.st_size);
        }
    }
}

static void writer(const char *path, int w)
{
    int fd = open(path, O_WRONLY | O_APPEND);
    char rec[RECLEN + 1];

    for (int k = 0; k < RECORDS; k++) {
        snprintf(rec, sizeof(rec), "w%d r%06d .....................", w, k);
        rec[RECLEN - 1] = '\n';
        if (write(fd, rec, RECLEN) != RECLEN)
            _exit(2);
    }
    _exit(0);
}

static void round_in(const char *dir, int round)
{
    static char buf[RECLEN * (WRITERS * RECORDS + 1)];
    static unsigned char seen[WRITERS][RECORDS];
    char path[256];
    long bad = 0, missing = 0;
    int fd, st, failed = 0;
    pid_t mp;
    ssize_t n;

    snprintf(path, sizeof(path), "%s/append-shmap.%d", dir, round);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    check(fd >= 0 && write(fd, "header\n", 7) == 7, "round %d: %s", round,
          path);
    if (fd < 0)
        return;
    mp = fork();
    if (mp == 0)
        mapper(fd);
    for (int w = 0; w < WRITERS; w++)
        if (fork() == 0)
            writer(path, w);
    for (int w = 0; w < WRITERS; w++)
        if (wait(&st) > 0 && mp > 0 && (!WIFEXITED(st) || WEXITSTATUS(st)))
            failed++;
    kill(mp, SIGKILL); /* its end writes its map back */
    waitpid(mp, NULL, 0);
    n = pread(fd, buf, sizeof(buf), 0);
    close(fd);
    check(!failed, "round %d: every writer wrote its records", round);
    check(n == 7 + (ssize_t)RECLEN * WRITERS * RECORDS,
          "round %d: size %zd (expect %d)", round, n,
          7 + RECLEN * WRITERS * RECORDS);
    memset(seen, 0, sizeof(seen));
    for (ssize_t o = 7; o + RECLEN <= n; o += RECLEN) {
        int w, k;

        if (sscanf(buf + o, "w%d r%d", &w, &k) != 2 || w < 0 || w >= WRITERS ||
            k < 0 || k >= RECORDS)
            bad++;
        else
            seen[w][k] = 1;
    }
    for (int w = 0; w < WRITERS; w++)
        for (int k = 0; k < RECORDS; k++)
            missing += !seen[w][k];
    check(bad == 0 && missing == 0,
          "round %d: no record lost (%ld unreadable, %ld missing)", round, bad,
          missing);
    unlink(path);
}

/* pwritev2 flags on a file this process maps shared and writable */
static void rwf_flags(const char *dir)
{
    struct iovec app = { "APPENDED", 8 }, mid = { "MIDDLE", 6 };
    char path[256], page[4096], got[16] = { 0 }, *m;
    int fd, afd;

    snprintf(path, sizeof(path), "%s/append-shmap.rwf", dir);
    memset(page, 'A', sizeof(page));
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    check(fd >= 0 && write(fd, page, sizeof(page)) == sizeof(page),
          "a page of As in %s", path);
    m = mmap(NULL, sizeof(page), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    check(m != MAP_FAILED, "mapped shared, writable");
    check(pwritev2(fd, &app, 1, 0, RWF_APPEND) == 8,
          "pwritev2(offset 0, RWF_APPEND) wrote 8 bytes");
    check(pread(fd, got, 8, 4096) == 8 && !memcmp(got, "APPENDED", 8),
          "they are at the end: '%.8s'", got);
    check(m != MAP_FAILED && msync(m, sizeof(page), MS_SYNC) == 0 &&
              pread(fd, got, 8, 4096) == 8 && !memcmp(got, "APPENDED", 8),
          "and still there after msync: '%.8s'", got);
    afd = open(path, O_WRONLY | O_APPEND);
    check(afd >= 0 && pwritev2(afd, &mid, 1, 100, RWF_NOAPPEND) == 6,
          "O_APPEND fd: pwritev2(offset 100, RWF_NOAPPEND) wrote 6 bytes");
    memset(got, 0, sizeof(got));
    check(pread(fd, got, 6, 100) == 6 && !memcmp(got, "MIDDLE", 6),
          "they are at offset 100: '%.6s'", got);
    check(m != MAP_FAILED && msync(m, sizeof(page), MS_SYNC) == 0 &&
              pread(fd, got, 6, 100) == 6 && !memcmp(got, "MIDDLE", 6) &&
              !memcmp(m + 100, "MIDDLE", 6),
          "and in the mapping after msync");
    if (m != MAP_FAILED)
        munmap(m, sizeof(page));
    close(afd);
    close(fd);
    unlink(path);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: append-shmap DIR\n");
        return 2;
    }
    for (int round = 0; round < 3; round++)
        round_in(argv[1], round);
    rwf_flags(argv[1]);
    return n_fail ? 1 : 0;
}
