/* SPDX-License-Identifier: MIT */
/*
 * Stores to a MAP_SHARED mapping of an image file reach the file, however
 * they follow earlier write-backs: kbox writes back only the pages whose
 * bytes changed since they were last known to be the file's (a hash per
 * page), so a page wrongly taken for unchanged would be lost for good.
 * A child maps the file and goes through stores, msyncs, pwrites,
 * truncation and regrowth, a forked writer, stores put back to the old
 * bytes; it keeps what the file must hold in a second, plain file. Once
 * it has exited (the mapping is gone and the file is read from the
 * image) both must be equal.
 * Usage: shmap-dirty DIR
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

#define PG  4096
#define NPG 2048 /* 8 MiB */
#define LEN ((size_t)NPG * PG)

static unsigned char *map, *want;

static void store(size_t off, int c, size_t n)
{
    memset(map + off, c, n);
    memset(want + off, c, n);
}

static int sync_all(void)
{
    return msync(map, LEN, MS_SYNC);
}

/* The child: everything it does to the file, and the model. */
static int mapper(const char *path, const char *model)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644), bad = 0;
    char buf[64];

    want = calloc(1, LEN);
    if (fd < 0 || !want || ftruncate(fd, (off_t)LEN))
        return 2;
    map = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED)
        return 2;
    /* 1: every page, then the first write-back (nothing known yet) */
    for (size_t p = 0; p < NPG; p++)
        store(p * PG, 'A' + (int)(p % 23), PG);
    bad |= sync_all();
    /* 2: a few pages, one of them by one byte */
    store(0, 'b', PG);
    store(5 * PG + 100, 'c', 300);
    store(LEN - 1, 'd', 1);
    bad |= sync_all();
    /* 3: a page changed and put back before the msync, then another */
    store(7 * PG, 'x', PG);
    store(7 * PG, 'A' + 7, PG);
    store(8 * PG + 7, 'e', 1);
    bad |= sync_all();
    /* 4: the file changed by pwrite, then a store in the same page */
    memset(buf, 'f', sizeof(buf));
    if (pwrite(fd, buf, sizeof(buf), 9 * PG + 10) != (ssize_t)sizeof(buf))
        bad = 1;
    memset(want + 9 * PG + 10, 'f', sizeof(buf));
    store(9 * PG + 2000, 'g', 50);
    bad |= sync_all();
    /* 4b: a pwrite, then a store putting back the bytes the page had at
     * the last msync: the file must get them back */
    if (pwrite(fd, buf, sizeof(buf), 10 * PG) != (ssize_t)sizeof(buf))
        bad = 1;
    store(10 * PG, 'A' + 10, sizeof(buf));
    bad |= sync_all();
    /* 5: cut into the last pages and grown back (zeros), then a store */
    if (ftruncate(fd, (off_t)(LEN - 3 * PG - 100)) || ftruncate(fd, (off_t)LEN))
        bad = 1;
    memset(want + LEN - 3 * PG - 100, 0, 3 * PG + 100);
    store(LEN - 2 * PG + 5, 'h', 10);
    /* and a cut page given back the bytes it had at the last msync */
    store(LEN - 3 * PG, 'A' + (NPG - 3) % 23, PG);
    bad |= sync_all();
    /* 6: every third page, part of the range msync'd, then all of it */
    for (size_t p = 0; p < NPG; p += 3)
        store(p * PG + 64, 'i' + (int)(p % 5), 64);
    bad |= msync(map + 100 * PG, 100 * PG, MS_SYNC);
    store(150 * PG, 'j', PG);
    bad |= sync_all();
    /* 7: a forked child stores and exits; then this process stores */
    pid_t c = fork();

    if (c == 0) {
        memset(map + 11 * PG, 'k', PG);
        _exit(0);
    }
    if (c < 0 || waitpid(c, NULL, 0) != c)
        bad = 1;
    memset(want + 11 * PG, 'k', PG);
    store(12 * PG, 'l', PG);
    bad |= sync_all();
    /* 8: stores no msync covers: written back when this process ends */
    store(13 * PG, 'm', PG);
    store(LEN - PG, 'n', 17);
    munmap(map, LEN);
    close(fd);
    fd = open(model, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, want, LEN) != (ssize_t)LEN || close(fd))
        return 2;
    return bad ? 1 : 0;
}

static unsigned char *slurp(const char *path, size_t *n)
{
    struct stat st;
    unsigned char *b;
    int fd = open(path, O_RDONLY);
    size_t got = 0;

    if (fd < 0 || fstat(fd, &st))
        return NULL;
    b = malloc((size_t)st.st_size + 1);
    while (b && got < (size_t)st.st_size) {
        ssize_t r = read(fd, b + got, (size_t)st.st_size - got);

        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    *n = got;
    return b;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    char path[400], model[512];
    unsigned char *a, *b;
    size_t na = 0, nb = 0, diff = 0, first = 0;
    int st = 0;
    pid_t c;

    snprintf(path, sizeof(path), "%s/shmap-dirty.%d", dir, (int)getpid());
    snprintf(model, sizeof(model), "%s.model", path);
    c = fork();
    if (c == 0)
        _exit(mapper(path, model));
    check(c > 0 && waitpid(c, &st, 0) == c && WIFEXITED(st) &&
              WEXITSTATUS(st) == 0,
          "the mapper's stores, msyncs, pwrite, truncation (status %#x)", st);
    a = slurp(path, &na);
    b = slurp(model, &nb);
    check(a && b && na == LEN && nb == LEN, "both files whole (%zu, %zu)", na,
          nb);
    for (size_t i = 0; a && b && i < LEN && i < na && i < nb; i++)
        if (a[i] != b[i] && !diff++)
            first = i;
    check(diff == 0,
          "the file holds every store (%zu bytes differ, first at page %zu)",
          diff, first / PG);
    unlink(path);
    unlink(model);
    free(a);
    free(b);
    return n_fail ? 1 : 0;
}
