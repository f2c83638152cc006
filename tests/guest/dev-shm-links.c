/* SPDX-License-Identifier: MIT */
/*
 * dev-shm-links: what a Linux /dev has beyond device nodes. POSIX shared
 * memory and named semaphores (glibc keeps both in /dev/shm) shared by a
 * parent and its child; /dev/fd/N, /dev/stdin and friends naming this
 * process's own fds (a pipe, a file), through stat, access and open, while
 * lstat and readlink still see the links.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static void shm_between_processes(void)
{
    struct statfs sf;
    int fd = shm_open("/kbox-test-shm", O_CREAT | O_EXCL | O_RDWR, 0600);
    sem_t *s = sem_open("/kbox-test-sem", O_CREAT | O_EXCL, 0600, 0);
    char *m = MAP_FAILED;
    pid_t pid;
    int st;

    check(statfs("/dev/shm", &sf) == 0 && sf.f_type == 0x01021994,
          "/dev/shm is a tmpfs");
    check(fd >= 0, "shm_open creates /kbox-test-shm");
    check(s != SEM_FAILED, "sem_open creates /kbox-test-sem");
    if (fd < 0 || s == SEM_FAILED)
        return;
    check(ftruncate(fd, 4096) == 0, "ftruncate the shared memory");
    m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    check(m != MAP_FAILED, "mmap it shared");
    if (m == MAP_FAILED)
        return;
    pid = fork();
    if (pid == 0) {
        strcpy(m, "written by the child");
        sem_post(s);
        _exit(0);
    }
    check(sem_wait(s) == 0, "sem_wait returns after the child's sem_post");
    check(strcmp(m, "written by the child") == 0,
          "the parent sees the child's store");
    check(waitpid(pid, &st, 0) == pid && WIFEXITED(st), "the child exits");
    check(access("/dev/shm/kbox-test-shm", F_OK) == 0 &&
              access("/dev/shm/sem.kbox-test-sem", F_OK) == 0,
          "both live in /dev/shm");
    check(shm_unlink("/kbox-test-shm") == 0 &&
              sem_unlink("/kbox-test-sem") == 0,
          "shm_unlink and sem_unlink");
    check(access("/dev/shm/kbox-test-shm", F_OK) != 0, "and they are gone");
}

static void dev_fd_links(void)
{
    struct stat a, b;
    char buf[64], p[64];
    int pfd[2], fd;
    ssize_t n;

    check(pipe(pfd) == 0 && write(pfd[1], "through /dev/fd", 15) == 15,
          "a pipe with data");
    snprintf(p, sizeof(p), "/dev/fd/%d", pfd[0]);
    check(stat(p, &a) == 0 && S_ISFIFO(a.st_mode), "stat %s is the pipe", p);
    check(access(p, R_OK) == 0, "access %s", p);
    fd = open(p, O_RDONLY);
    n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
    check(n == 15 && !memcmp(buf, "through /dev/fd", 15),
          "open %s reads the pipe", p);
    if (fd >= 0)
        close(fd);
    fd = open("/etc/hostname", O_RDONLY);
    snprintf(p, sizeof(p), "/dev/fd/%d", fd);
    check(fd >= 0 && stat(p, &a) == 0 && stat("/etc/hostname", &b) == 0 &&
              a.st_ino == b.st_ino && a.st_dev == b.st_dev,
          "stat /dev/fd/N of an image file is that file");
    check(lstat("/dev/stdin", &a) == 0 && S_ISLNK(a.st_mode),
          "lstat /dev/stdin sees a symlink");
    n = readlink("/dev/stdin", buf, sizeof(buf) - 1);
    check(n == 15 && !memcmp(buf, "/proc/self/fd/0", 15),
          "readlink /dev/stdin is /proc/self/fd/0");
    check(lstat("/dev/fd", &a) == 0 && S_ISLNK(a.st_mode) &&
              stat("/dev/fd", &b) == 0 && S_ISDIR(b.st_mode),
          "/dev/fd links to a directory");
    check(stat("/dev/stdout", &a) == 0 && fstat(1, &b) == 0 &&
              a.st_ino == b.st_ino,
          "stat /dev/stdout is fd 1");
    snprintf(p, sizeof(p), "/dev/fd/%d", 999);
    check(stat(p, &a) != 0 && errno == ENOENT, "a closed fd: ENOENT");
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    shm_between_processes();
    dev_fd_links();
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
