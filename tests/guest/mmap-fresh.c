/* SPDX-License-Identifier: MIT */
/*
 * mmap-fresh: a new mapping, and a program run, show the file as it is
 * now, however soon after a change. kbox maps copies of image files;
 * they were keyed by size and times from a coarse clock, and a file's
 * own copy was reused for every later mmap of its fd: a change within
 * one tick mapped the old bytes, a file grown since gave SIGBUS, and a
 * program rewritten in place ran the old code. Passes natively too.
 *
 * Usage: mmap-fresh [DIR]   (default $TMPDIR or /tmp)
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

/* the first 4 bytes a new read-only mapping of @fd shows at @off */
static int mapped(int fd, size_t len, size_t off, char out[4])
{
    char *m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);

    if (m == MAP_FAILED)
        return -1;
    memcpy(out, m + off, 4);
    munmap(m, len);
    return 0;
}

static int copy_file(const char *from, const char *to, int flags)
{
    char buf[65536];
    int in = open(from, O_RDONLY), out = open(to, O_WRONLY | flags, 0755);
    ssize_t n = 0;

    while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
        if (write(out, buf, (size_t)n) != n)
            n = -1;
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    return in < 0 || out < 0 || n < 0 ? -1 : 0;
}

static int run(const char *prog)
{
    int st;
    pid_t pid = fork();

    if (pid == 0) {
        execl(prog, prog, (char *)NULL);
        _exit(127);
    }
    return waitpid(pid, &st, 0) == pid && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : getenv("TMPDIR");
    char path[512], prog[512], got[4], page[4096];
    struct stat a, b;
    int fd, fd2, wrong;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!dir || !*dir)
        dir = "/tmp";
    snprintf(path, sizeof(path), "%s/mmap-fresh-%d", dir, (int)getpid());
    snprintf(prog, sizeof(prog), "%s/mmap-fresh-prog-%d", dir, (int)getpid());

    memset(page, 'A', sizeof(page));
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    check(fd >= 0 && write(fd, page, sizeof(page)) == sizeof(page),
          "write a page of A");
    check(mapped(fd, 4096, 0, got) == 0 && !memcmp(got, "AAAA", 4),
          "a mapping shows it");
    check(pwrite(fd, "BBBB", 4, 0) == 4 && mapped(fd, 4096, 0, got) == 0 &&
              !memcmp(got, "BBBB", 4),
          "a new mapping after pwrite shows the new bytes (%.4s)", got);
    /* grown past the end of the copy the first mapping saw */
    memset(page, 'C', sizeof(page));
    check(pwrite(fd, page, sizeof(page), 4096) == sizeof(page) &&
              mapped(fd, 8192, 4096, got) == 0 && !memcmp(got, "CCCC", 4),
          "a new mapping of the grown file shows the new page (%.4s)", got);
    /* the same size, rewritten: another descriptor */
    check(pwrite(fd, "DDDD", 4, 0) == 4, "rewrite in place");
    fd2 = open(path, O_RDONLY);
    check(fd2 >= 0 && mapped(fd2, 8192, 0, got) == 0 && !memcmp(got, "DDDD", 4),
          "a mapping through a new descriptor shows it (%.4s)", got);
    close(fd2);
    close(fd);
    unlink(path);

    /* a program rewritten in place with one of the same size runs anew */
    if (stat("/bin/true", &a) == 0 && stat("/bin/false", &b) == 0 &&
        a.st_size == b.st_size) {
        wrong = 0;
        for (int i = 0; i < 20; i++) {
            const char *src = i % 2 ? "/bin/false" : "/bin/true";

            if (copy_file(src, prog, O_CREAT | (i ? 0 : O_TRUNC)) ||
                run(prog) != i % 2)
                wrong++;
        }
        check(wrong == 0,
              "20 rewrites of a program in place: %d ran the "
              "old one",
              wrong);
        unlink(prog);
    } else {
        printf("# /bin/true and /bin/false differ in size: no exec check\n");
    }

    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
