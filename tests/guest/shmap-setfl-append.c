/* SPDX-License-Identifier: MIT */
/*
 * A file opened O_RDWR and mapped shared, then given O_APPEND by fcntl
 * (F_SETFL): stores msync'd or written back at exit land where they were
 * made, and the file keeps its size, as in Linux (write-back writes pages
 * in place). kbox writes back through an lx fd sharing the guest's open
 * file description, and its pwrite then appended the pages at the end:
 * the file grew by copies of them and kept zeros where the stores were.
 * Usage: shmap-setfl-append DIR
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

#define LEN 8192

/* The child: maps, sets O_APPEND, stores, msyncs one, leaves one for exit. */
static int mapper(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    char *m;

    if (fd < 0 || ftruncate(fd, LEN))
        return 2;
    m = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED || fcntl(fd, F_SETFL, O_APPEND))
        return 2;
    memcpy(m + 10, "HELLO", 5);
    if (msync(m, LEN, MS_SYNC))
        return 2;
    memcpy(m + 4096, "WORLD", 5);
    return 0;
}

int main(int argc, char **argv)
{
    char path[400], b[6] = { 0 }, c[6] = { 0 };
    struct stat st = { .st_size = -1 };
    int st_c = 0, fd;
    pid_t p;

    snprintf(path, sizeof(path), "%s/shmap-setfl-append.%d",
             argc > 1 ? argv[1] : "/tmp", (int)getpid());
    p = fork();
    if (p == 0)
        _exit(mapper(path));
    check(p > 0 && waitpid(p, &st_c, 0) == p && WIFEXITED(st_c) &&
              WEXITSTATUS(st_c) == 0,
          "map, F_SETFL O_APPEND, stores, msync (status %#x)", st_c);
    /* the mapper is gone: the file is read from the image */
    fd = open(path, O_RDONLY);
    check(fd >= 0 && fstat(fd, &st) == 0, "the file opens");
    check(st.st_size == LEN, "the file keeps its size (%lld)",
          (long long)st.st_size);
    check(pread(fd, b, 5, 10) == 5, "read at 10");
    check(!strcmp(b, "HELLO"), "the msync'd store is in place ('%s')", b);
    check(pread(fd, c, 5, 4096) == 5, "read at 4096");
    check(!strcmp(c, "WORLD"),
          "the store written back at exit is in place ('%s')", c);
    close(fd);
    unlink(path);

    /* opened O_APPEND: a writable shared mapping is allowed (only an
     * append-only inode refuses it), and its stores land in place */
    fd = open(path, O_RDWR | O_CREAT | O_APPEND, 0644);
    check(fd >= 0 && ftruncate(fd, LEN) == 0, "O_RDWR|O_APPEND file");
    {
        char *m = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

        check(m != MAP_FAILED, "writable shared map of an O_APPEND fd");
        if (m != MAP_FAILED) {
            memcpy(m + 100, "AGAIN", 5);
            check(msync(m, LEN, MS_SYNC) == 0, "msync");
            check(write(fd, "Z", 1) == 1, "an append after it");
            munmap(m, LEN);
        }
    }
    close(fd);
    fd = open(path, O_RDONLY);
    memset(b, 0, sizeof(b));
    st.st_size = -1;
    check(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == LEN + 1,
          "size after the append (%lld)", (long long)st.st_size);
    check(pread(fd, b, 5, 100) == 5 && !strcmp(b, "AGAIN"),
          "the store is in place ('%s')", b);
    close(fd);
    unlink(path);
    return n_fail ? 1 : 0;
}
