/* SPDX-License-Identifier: MIT */
/*
 * mmap-coherent: a shared mapping of a file and the file's descriptors
 * show the same bytes at once, as Linux's page cache does. SQLite (with
 * mmap_size) and LMDB read through a read-only MAP_SHARED mapping and
 * change the file with pwrite(); programs that store through a writable
 * mapping may read the file back with read(). kbox maps host copies of
 * image files, so it must carry each side's changes to the other; and a
 * mapping's write-back must never undo a later write(), truncate or
 * hole punch. Passes natively too.
 *
 * Usage: mmap-coherent [DIR]   (default $TMPDIR or /tmp)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

#define PG 4096

static char path[512], path2[512];

static int fill_file(const char *p, int c, size_t len)
{
    char page[PG];
    int fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0644);

    memset(page, c, sizeof(page));
    for (size_t off = 0; fd >= 0 && off < len; off += PG)
        if (write(fd, page, PG) != PG)
            return -1;
    return fd;
}

/* Runs @fn in a child process; its exit status (-1 if it did not exit). */
static int in_child(int (*fn)(void))
{
    int st;
    pid_t pid = fork();

    if (pid == 0)
        _exit(fn());
    return waitpid(pid, &st, 0) == pid && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int byte_at(const char *p, off_t off)
{
    char c;
    int fd = open(p, O_RDONLY), n;

    if (fd < 0)
        return -1;
    n = (int)pread(fd, &c, 1, off);
    close(fd);
    return n == 1 ? (unsigned char)c : -1;
}

static off_t size_of(const char *p)
{
    struct stat st;

    return stat(p, &st) ? -1 : st.st_size;
}

/* The SQLite/LMDB pattern: read-only shared map, changes by pwrite(). */
static void readonly_map_sees_writes(void)
{
    int fd = fill_file(path, 'a', 2 * PG), ro;
    const char *m;
    char buf[8];
    struct iovec iov[2] = { { "VV", 2 }, { "ww", 2 } };

    check(fd >= 0, "two pages of 'a'");
    ro = open(path, O_RDONLY);
    /* three pages: the third is past the end until the file grows */
    m = mmap(NULL, 3 * PG, PROT_READ, MAP_SHARED, ro, 0);
    check(m != MAP_FAILED, "read-only MAP_SHARED of an O_RDONLY fd");
    if (m == MAP_FAILED)
        return;
    check(m[10] == 'a', "the map shows the file");
    check(pwrite(fd, "XYZ", 3, 10) == 3, "pwrite 3 bytes at 10");
    check(memcmp(m + 9, "aXYZa", 5) == 0, "the map shows the pwrite at once");
    check(lseek(fd, PG + 1, SEEK_SET) == PG + 1 && write(fd, "Q", 1) == 1,
          "write at the file position");
    check(m[PG + 1] == 'Q', "the map shows the write at once");
    check(pwritev(fd, iov, 2, 100) == 4 && memcmp(m + 100, "VVww", 4) == 0,
          "the map shows a pwritev");
    check(lseek(fd, 0, SEEK_END) == 2 * PG && write(fd, "grow", 4) == 4,
          "write past the end grows the file");
    check(memcmp(m + 2 * PG, "grow", 4) == 0,
          "the map shows the grown part (no SIGBUS)");
    check(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, PG) ==
                  0 &&
              m[10] == 0 && m[PG - 1] == 0,
          "the map shows a punched hole as zeros");
    check(ftruncate(fd, PG) == 0 && pwrite(fd, "t", 1, PG - 1) == 1 &&
              m[PG - 1] == 't',
          "the map shows a write after ftruncate");
    check(pread(ro, buf, 1, PG - 1) == 1 && buf[0] == 't',
          "read() agrees with the map");
    munmap((void *)m, 3 * PG);
    close(ro);
    close(fd);
}

/* sendfile and copy_file_range into a mapped file reach the map. */
static void copies_reach_the_map(void)
{
    int fd = fill_file(path, 'b', PG), src = fill_file(path2, 's', PG);
    const char *m = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
    loff_t in = 0, out = 20;
    off_t soff = 0;

    check(fd >= 0 && src >= 0 && m != MAP_FAILED, "map a page of 'b'");
    if (m == MAP_FAILED)
        return;
    check(copy_file_range(src, &in, fd, &out, 5, 0) == 5,
          "copy_file_range 5 bytes in at 20");
    check(memcmp(m + 19, "bsssssb", 7) == 0, "the map shows the copied bytes");
    check(lseek(fd, 40, SEEK_SET) == 40 && sendfile(fd, src, &soff, 3) == 3,
          "sendfile 3 bytes in at 40");
    check(memcmp(m + 39, "bsssb", 5) == 0, "the map shows the sent bytes");
    munmap((void *)m, PG);
    close(src);
    close(fd);
    unlink(path2);
}

/* Stores through a writable map are what read() sees, at once. */
static void reads_see_stores(void)
{
    int fd = fill_file(path, 'c', 2 * PG);
    char *m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char buf[8] = "";
    struct iovec iov = { buf, 3 };
    int wo;

    check(fd >= 0 && m != MAP_FAILED, "writable MAP_SHARED of two pages");
    if (m == MAP_FAILED)
        return;
    memcpy(m + 5, "STORE", 5);
    check(pread(fd, buf, 5, 5) == 5 && memcmp(buf, "STORE", 5) == 0,
          "pread sees a store without msync");
    check(lseek(fd, PG + 7, SEEK_SET) == PG + 7, "seek");
    m[PG + 7] = 'R';
    check(read(fd, buf, 2) == 2 && memcmp(buf, "Rc", 2) == 0 &&
              lseek(fd, 0, SEEK_CUR) == PG + 9,
          "read sees a store and moves the position");
    m[PG + 9] = 'v';
    check(readv(fd, &iov, 1) == 3 && memcmp(buf, "vcc", 3) == 0,
          "readv sees a store");
    check(byte_at(path, 6) == 'T', "another descriptor sees the store");
    check(lseek(fd, 2 * PG, SEEK_SET) == 2 * PG && read(fd, buf, 4) == 0,
          "read at the end is 0");
    check(pread(fd, buf, 1, -1) == -1 && errno == EINVAL,
          "pread at a negative offset is EINVAL");
    errno = 0;
    wo = open(path, O_WRONLY);
    check(wo >= 0 && read(wo, buf, 1) == -1 && errno == EBADF,
          "read of an O_WRONLY fd is EBADF");
    errno = 0;
    close(wo);
    munmap(m, 2 * PG);
    close(fd);
}

/*
 * fallocate beside stores not yet written back (Go's linker: fallocate,
 * map, store, fallocate again): allocating keeps them, punching a hole
 * zeroes its range only, collapsing a range moves them with the rest.
 */
static void fallocate_keeps_stores(void)
{
    int fd = fill_file(path, 'f', 4 * PG);
    char *m = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char buf[4] = "";
    int rc;

    check(fd >= 0 && m != MAP_FAILED, "writable MAP_SHARED of four pages");
    if (m == MAP_FAILED)
        return;
    memset(m, 'S', 4 * PG);
    check(fallocate(fd, 0, 0, 8 * PG) == 0, "fallocate to eight pages");
    check(m[100] == 'S' && m[3 * PG] == 'S',
          "the map keeps its stores through fallocate");
    check(pread(fd, buf, 1, 100) == 1 && buf[0] == 'S' &&
              size_of(path) == 8 * PG,
          "pread sees them, the file is eight pages");
    check(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 16 * PG) == 0 &&
              m[PG + 1] == 'S' && size_of(path) == 8 * PG,
          "KEEP_SIZE keeps stores and size");
    check(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, PG, PG) ==
                  0 &&
              m[PG] == 0 && m[2 * PG - 1] == 0 && m[PG - 1] == 'S' &&
              m[2 * PG] == 'S',
          "a punched hole zeroes its range only");
    m[3 * PG] = 'M';
    rc = fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, PG);
    /* tmpfs has no COLLAPSE_RANGE: EOPNOTSUPP, natively too */
    check(rc == 0 ? m[2 * PG] == 'M' && m[0] == 0 && size_of(path) == 7 * PG
                  : errno == EOPNOTSUPP,
          "a collapsed range moves the stores with the rest");
    errno = 0;
    munmap(m, 4 * PG);
    close(fd);
}

/* A child maps the file writable, then changes it with write(). */
static int child_maps_then_writes(void)
{
    int fd = open(path, O_RDWR);
    char *m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

    if (fd < 0 || m == MAP_FAILED)
        return 1;
    m[0] = 'M'; /* a store of its own */
    if (pwrite(fd, "written", 7, 100) != 7)
        return 2;
    return 0; /* exits with the map: its write-back must keep "written" */
}

/* A child holds the file mapped writable while the parent rewrites it. */
static int to_parent[2], to_child[2];

static int child_holds_a_map(void)
{
    int fd = open(path, O_RDWR);
    char *m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char c;

    if (fd < 0 || m == MAP_FAILED)
        return 1;
    if (write(to_parent[1], "m", 1) != 1)
        return 2;
    /* wait for the parent's O_TRUNC rewrite, then exit with the map */
    return read(to_child[0], &c, 1) == 1 ? 0 : 3;
}

static void write_back_keeps_later_changes(void)
{
    int fd = fill_file(path, 'd', PG), st;
    char c;
    pid_t pid;

    check(fd >= 0, "a page of 'd'");
    close(fd);
    check(in_child(child_maps_then_writes) == 0,
          "child: map, store, pwrite, exit");
    check(byte_at(path, 0) == 'M', "the child's store is in the file");
    check(byte_at(path, 100) == 'w' && byte_at(path, 106) == 'n',
          "the child's pwrite is in the file after its map's write-back");

    check(pipe(to_parent) == 0 && pipe(to_child) == 0, "pipes");
    pid = fork();
    if (pid == 0)
        _exit(child_holds_a_map());
    check(read(to_parent[0], &c, 1) == 1, "child has the file mapped");
    fd = open(path, O_WRONLY | O_TRUNC);
    check(fd >= 0 && write(fd, "short", 5) == 5, "O_TRUNC and 5 new bytes");
    close(fd);
    check(write(to_child[1], "x", 1) == 1, "let the child exit");
    check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "child exited with its map");
    check(size_of(path) == 5 && byte_at(path, 0) == 's',
          "the file is the 5 new bytes: the write-back undid nothing");
    for (int i = 0; i < 2; i++) {
        close(to_parent[i]);
        close(to_child[i]);
    }
}

/*
 * Many files mapped shared in turn, each unmapped, closed and removed
 * before the next (multiprocessing.Lock() in a loop: sem_open maps a
 * file in /dev/shm): kbox keeps one open file per mapped inode until the
 * process ends, and ran out of descriptors at 1024 (EMFILE).
 */
static void many_files_mapped_in_turn(void)
{
    char p[600];
    int i;

    for (i = 0; i < 1100; i++) {
        int fd;
        char *m;

        snprintf(p, sizeof(p), "%s.%d", path, i);
        fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || ftruncate(fd, 32))
            break;
        m = mmap(NULL, 32, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (m == MAP_FAILED)
            break;
        m[0] = 1;
        munmap(m, 32);
        close(fd);
        unlink(p);
    }
    check(i == 1100, "1100 files mapped shared in turn (stopped at %d)", i);
    unlink(p);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : getenv("TMPDIR");

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!dir || !*dir)
        dir = "/tmp";
    snprintf(path, sizeof(path), "%s/mmap-coherent-%d", dir, (int)getpid());
    snprintf(path2, sizeof(path2), "%s/mmap-coherent2-%d", dir, (int)getpid());
    readonly_map_sees_writes();
    copies_reach_the_map();
    reads_see_stores();
    fallocate_keeps_stores();
    write_back_keeps_later_changes();
    many_files_mapped_in_turn();
    unlink(path);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
