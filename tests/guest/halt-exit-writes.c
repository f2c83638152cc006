/* SPDX-License-Identifier: MIT */
/*
 * Writes that must be in the image after kbox's halt at exit (which
 * leaves lx's kernel threads parked for the exit to end):
 *   mmap DIR      1 MiB of a MAP_SHARED file stored to, never msync'd
 *                 nor unmapped, then _exit (natively the pages reach the
 *                 file)
 *   mmapkill DIR  the same, then SIGKILL to itself
 *   blocked DIR   a child with threads blocked in lx (FIFO read, flock
 *                 wait, inotify read) writes 200 small files and a
 *                 marker, not fsync'd, and exits with them still blocked
 * The caller checks DIR/hx-mm (bytes 4096..4105 "HELLO-MMAP"),
 * DIR/hx-mark ("blocked-ok") and DIR/hx-s/f199 ("199") with debugfs.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[1024];

static void path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
}

static void *fifo_reader(void *a)
{
    char p[1100], b[8];
    int fd;

    (void)a;
    path(p, sizeof(p), "hx-fifo");
    fd = open(p, O_RDWR); /* no writer ever comes: blocks */
    if (fd >= 0 && read(fd, b, 1) >= 0)
        _exit(3);
    return NULL;
}

static void *flock_waiter(void *a)
{
    char p[1100];
    int fd;

    (void)a;
    path(p, sizeof(p), "hx-lock");
    fd = open(p, O_RDWR | O_CREAT, 0644);
    if (fd >= 0 && flock(fd, LOCK_EX) == 0)
        _exit(4); /* the parent holds it until we are gone */
    return NULL;
}

static void *ino_reader(void *a)
{
    char b[4096];
    int fd = inotify_init();

    (void)a;
    if (fd >= 0 && inotify_add_watch(fd, dir, IN_DELETE) >= 0 &&
        read(fd, b, sizeof(b)) >= 0)
        _exit(5);
    return NULL;
}

static int put(const char *name, const char *text)
{
    char p[1100];
    int fd;
    ssize_t n;

    path(p, sizeof(p), name);
    fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int mapped(int kill_self)
{
    char p[1100];
    char *m;
    int fd;

    path(p, sizeof(p), "hx-mm");
    fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ftruncate(fd, 1 << 20))
        return 1;
    m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED)
        return 1;
    memset(m, 'Z', 1 << 20);
    memcpy(m + 4096, "HELLO-MMAP", 10);
    if (kill_self)
        kill(getpid(), SIGKILL);
    _exit(0);
}

static int blocked(void)
{
    char p[1100];
    int lk, st;
    pid_t pid;

    path(p, sizeof(p), "hx-fifo");
    if (mkfifo(p, 0644))
        return 1;
    path(p, sizeof(p), "hx-lock");
    lk = open(p, O_RDWR | O_CREAT, 0644);
    if (lk < 0 || flock(lk, LOCK_EX))
        return 1;
    path(p, sizeof(p), "hx-s");
    if (mkdir(p, 0755))
        return 1;
    pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        pthread_t t;
        char name[64], text[16];

        if (pthread_create(&t, NULL, fifo_reader, NULL) ||
            pthread_create(&t, NULL, flock_waiter, NULL) ||
            pthread_create(&t, NULL, ino_reader, NULL))
            _exit(6);
        for (int i = 0; i < 200; i++) {
            snprintf(name, sizeof(name), "hx-s/f%d", i);
            snprintf(text, sizeof(text), "%d\n", i);
            if (put(name, text))
                _exit(7);
        }
        usleep(200 * 1000); /* the threads are in their calls by now */
        _exit(put("hx-mark", "blocked-ok\n") ? 8 : 0);
    }
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
        return 1;
    return WEXITSTATUS(st);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s mmap|mmapkill|blocked DIR\n", argv[0]);
        return 2;
    }
    snprintf(dir, sizeof(dir), "%s", argv[2]);
    if (!strcmp(argv[1], "mmap"))
        return mapped(0);
    if (!strcmp(argv[1], "mmapkill"))
        return mapped(1);
    if (!strcmp(argv[1], "blocked"))
        return blocked();
    return 2;
}
