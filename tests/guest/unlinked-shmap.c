/* SPDX-License-Identifier: MIT */
/*
 * A file mapped shared, then unmapped, closed and deleted gives its space
 * back (kbox kept every such file until the process ended: SQLite's
 * -shm, deleted at each last close of a WAL database, filled /tmp with
 * ENOSPC after ~8,000 cycles); a deleted file still mapped stays coherent
 * with read/write and a child's stores while other maps come and go.
 * Argument: the directory to work in.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static unsigned long long free_kib(const char *dir)
{
    struct statvfs s;

    if (statvfs(dir, &s))
        return 0;
    return (unsigned long long)s.f_bavail * s.f_frsize / 1024;
}

/* create, write to 64 KiB, map shared, store, unmap, close, unlink */
static int cycle(const char *p)
{
    int fd = open(p, O_RDWR | O_CREAT, 0644);
    char *m;

    if (fd < 0)
        return -1;
    for (int o = 4095; o < 65536; o += 4096) /* as SQLite grows its -shm */
        if (pwrite(fd, "", 1, o) != 1)
            return -1;
    m = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED)
        return -1;
    for (int o = 0; o < 65536; o += 4096)
        m[o] = 1; /* every page has blocks */
    munmap(m, 65536);
    close(fd);
    return unlink(p);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    char p[512], q[512], b[8] = { 0 };
    unsigned long long before, after;
    int i, fd, rc = 0;
    char *m;
    pid_t pid;

    setvbuf(stdout, NULL, _IONBF, 0);
    snprintf(p, sizeof(p), "%s/shm-cycle", dir);
    snprintf(q, sizeof(q), "%s/shm-kept", dir);
    for (i = 0; i < 20 && !rc; i++)
        rc = cycle(p);
    before = free_kib(dir);
    for (i = 0; i < 1500 && !rc; i++)
        rc = cycle(p);
    after = free_kib(dir);
    check(rc == 0, "%s: 1500 map-and-delete cycles", dir);
    /* with the leak: 1500 x 64 KiB = ~94 MiB gone */
    check(after + 2048 >= before,
          "%s: the space came back (free KiB %llu before, %llu after)", dir,
          before, after);

    fd = open(q, O_RDWR | O_CREAT | O_TRUNC, 0644);
    m = fd < 0 || ftruncate(fd, 8192)
            ? MAP_FAILED
            : mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    check(m != MAP_FAILED && unlink(q) == 0, "%s: a deleted file mapped", dir);
    if (m == MAP_FAILED)
        return 1;
    for (i = 0; i < 50; i++)
        cycle(p); /* other maps come and go beside it */
    check(pwrite(fd, "hello", 5, 100) == 5 && !memcmp(m + 100, "hello", 5),
          "%s: pwrite seen in the map of the deleted file", dir);
    memcpy(m + 200, "store", 5);
    check(pread(fd, b, 5, 200) == 5 && !memcmp(b, "store", 5),
          "%s: a store in the map seen by pread", dir);
    pid = fork();
    if (pid == 0) {
        m[300] = 'c';
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    check(pread(fd, b, 1, 300) == 1 && b[0] == 'c' && m[300] == 'c',
          "%s: a child's store through the inherited map", dir);
    munmap(m, 8192);
    close(fd);
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
