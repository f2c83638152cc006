/* SPDX-License-Identifier: MIT */
/*
 * map-exec: a program written into a file through a MAP_SHARED mapping
 * (no msync) runs once the mapping and the writable fd are gone, as
 * natively: the stores are the file's, and nothing has it open for
 * writing. While the writable mapping or an O_RDWR fd is there, exec is
 * ETXTBSY (natively too). kbox's own writable fd of a file once mapped
 * shared stayed until the process that mapped it ended, so the exec
 * failed with ETXTBSY, and a read lease (F_SETLEASE F_RDLCK) with
 * EAGAIN.
 *
 * Usage: map-exec DIR
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

#define RAN 42

/* Run @path --ran in a child: its exit status, or -errno of the exec. */
static int run(const char *path)
{
    int pfd[2], st = 0, e = 0;
    pid_t pid;

    if (pipe2(pfd, O_CLOEXEC))
        return -1000;
    pid = fork();
    if (pid == 0) {
        execl(path, path, "--ran", (char *)NULL);
        e = errno;
        write(pfd[1], &e, sizeof(e));
        _exit(127);
    }
    close(pfd[1]);
    if (read(pfd[0], &e, sizeof(e)) != sizeof(e))
        e = 0;
    close(pfd[0]);
    waitpid(pid, &st, 0);
    if (e)
        return -e;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
    char path[512];
    struct stat st;
    char *src, *p;
    int sfd, fd, rc;

    if (argc == 2 && !strcmp(argv[1], "--ran"))
        return RAN;
    if (argc != 2) {
        fprintf(stderr, "usage: map-exec DIR\n");
        return 2;
    }
    sfd = open("/proc/self/exe", O_RDONLY);
    check(sfd >= 0 && fstat(sfd, &st) == 0, "this program's size");
    src = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, sfd, 0);
    check(src != MAP_FAILED, "this program mapped");

    snprintf(path, sizeof(path), "%s/map-exec.%d", argv[1], (int)getpid());
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0755);
    check(fd >= 0 && ftruncate(fd, st.st_size) == 0, "%s made", path);
    p = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    check(p != MAP_FAILED, "%s mapped shared, writable", path);
    memcpy(p, src, st.st_size);

    rc = run(path);
    check(rc == -ETXTBSY,
          "exec while the fd is open for writing: ETXTBSY "
          "(got %d)",
          rc);
    close(fd);
    rc = run(path);
    check(rc == -ETXTBSY,
          "exec while the writable mapping is there: "
          "ETXTBSY (got %d)",
          rc);
    munmap(p, st.st_size);
    rc = run(path);
    check(rc == RAN, "exec after munmap runs the stored program (got %d)", rc);

    /* the same with the stores made by a child that is still alive */
    snprintf(path, sizeof(path), "%s/map-exec.%d.b", argv[1], (int)getpid());
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0755);
    check(fd >= 0 && ftruncate(fd, st.st_size) == 0, "%s made", path);
    {
        int go[2], done[2];
        char c = 0;
        pid_t pid;

        check(pipe(go) == 0 && pipe(done) == 0, "pipes");
        pid = fork();
        if (pid == 0) {
            p = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
                     0);
            close(fd);
            if (p == MAP_FAILED)
                _exit(1);
            memcpy(p, src, st.st_size);
            munmap(p, st.st_size);
            write(done[1], "x", 1);
            read(go[0], &c, 1); /* alive until the exec was tried */
            _exit(0);
        }
        close(fd);
        check(read(done[0], &c, 1) == 1, "a child stored it and unmapped");
        rc = run(path);
        check(rc == RAN, "exec while that child lives runs it (got %d)", rc);
        write(go[1], "x", 1);
        waitpid(pid, NULL, 0);
    }

    /* a read lease: refused while anything has the file open for writing */
    snprintf(path, sizeof(path), "%s/map-exec.%d.c", argv[1], (int)getpid());
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    check(fd >= 0 && ftruncate(fd, 4096) == 0, "%s made", path);
    p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    check(p != MAP_FAILED, "%s mapped shared, writable", path);
    memcpy(p, "lease", 5);
    munmap(p, 4096);
    close(fd);
    fd = open(path, O_RDONLY);
    rc = fcntl(fd, F_SETLEASE, F_RDLCK);
    check(rc == 0, "a read lease once the mapping is gone (got %d)", rc);
    fcntl(fd, F_SETLEASE, F_UNLCK);
    close(fd);
    return n_fail ? 1 : 0;
}
