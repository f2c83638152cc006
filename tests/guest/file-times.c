/* SPDX-License-Identifier: MIT */
/*
 * File times kbox got wrong (found by tests/guest/time-fuzz), in the
 * directory given: truncate(2) to a new size sets mtime and ctime (lx's
 * tmpfs set none); mmap of a file sets atime under relatime (the copy
 * kbox maps was made without it); writes to a file mapped shared leave
 * atime alone and raise no IN_ACCESS (kbox's refresh of its copy read
 * the file as the guest would); a read served from that copy sets atime.
 * Each step sleeps past lx's 4 ms clock tick.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "guest-check.h"

static void pause_tick(void)
{
    struct timespec t = { 0, 30 * 1000 * 1000 };

    nanosleep(&t, NULL);
}

static int same(struct timespec a, struct timespec b)
{
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static void make(const char *p, const char *data)
{
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    check(fd >= 0 && write(fd, data, strlen(data)) == (ssize_t)strlen(data),
          "write %s", p);
    close(fd);
}

int main(int argc, char **argv)
{
    struct stat a, b;
    char buf[64], ev[4096];
    int fd, in, n, access_events = 0;
    char *m;

    snprintf(buf, sizeof(buf), "ft.%d", (int)getpid());
    if (argc != 2 || chdir(argv[1]) || mkdir(buf, 0755) || chdir(buf)) {
        fprintf(stderr,
                "usage: file-times DIR (a fresh directory is made in it)\n");
        return 2;
    }
    make("t", "abcdef");
    stat("t", &a);
    pause_tick();
    check(truncate("t", 2) == 0 && stat("t", &b) == 0 && b.st_size == 2,
          "truncate(2) to 2 bytes");
    check(!same(a.st_mtim, b.st_mtim) && !same(a.st_ctim, b.st_ctim),
          "truncate(2) to a new size sets mtime and ctime");

    make("m", "0123456789");
    pause_tick();
    stat("m", &a);
    fd = open("m", O_RDWR);
    m = mmap(NULL, 10, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    check(m != MAP_FAILED, "mmap shared");
    if (m == MAP_FAILED)
        return 1;
    stat("m", &b);
    check(!same(a.st_atim, b.st_atim), "mmap after a write sets atime");

    /* reads from here on leave atime: it is newer than mtime */
    in = inotify_init1(IN_NONBLOCK);
    check(in >= 0 && inotify_add_watch(in, "m", IN_ACCESS | IN_MODIFY) >= 0,
          "watch m");
    pause_tick();
    stat("m", &a);
    check(pwrite(fd, "XY", 2, 3) == 2, "pwrite to the mapped file");
    check(m[3] == 'X', "the mapping sees the write");
    stat("m", &b);
    check(same(a.st_atim, b.st_atim), "a write leaves atime alone");
    check(!same(a.st_mtim, b.st_mtim), "a write sets mtime");
    while ((n = (int)read(in, ev, sizeof(ev))) > 0)
        for (char *p = ev; p < ev + n;) {
            struct inotify_event *e = (struct inotify_event *)p;

            access_events += !!(e->mask & IN_ACCESS);
            p += sizeof(*e) + e->len;
        }
    check(access_events == 0, "a write raises no IN_ACCESS (%d)",
          access_events);

    /* mtime is newer than atime again: a read sets it */
    m[0] = 'S';
    pause_tick();
    stat("m", &a);
    check(pread(fd, buf, sizeof(buf), 0) == 10 && buf[0] == 'S',
          "pread sees the store");
    stat("m", &b);
    check(!same(a.st_atim, b.st_atim), "a read after a write sets atime");
    munmap(m, 10);
    close(fd);
    close(in);
    printf("%s file-times: %d ok, %d failed\n", n_fail ? "FAIL" : "PASS", n_ok,
           n_fail);
    return n_fail != 0;
}
