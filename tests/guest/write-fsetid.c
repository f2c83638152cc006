/* SPDX-License-Identifier: MIT */
/*
 * usage: write-fsetid DIR SETID-COPY  (as root; DIR in a bind of a kbox
 *                                      run by root, with set-user-ID
 *                                      files r1 c1 r2 u1 u2 s1 of another
 *                                      user, writable by all)
 *        write-fsetid -w FILE         (appends a byte to FILE)
 *
 * A write clears set-ID bits by the writer's CAP_FSETID at that write:
 * a root that lost it after a first write (capset, setresuid) clears
 * them at its next; a user that execs a set-user-ID root program (the
 * SETID-COPY of this program) keeps them at that program's write. Prints
 * "NAME MODE" per file.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *dir;

static void w(const char *n)
{
    char p[512];
    int fd;

    snprintf(p, sizeof(p), "%s/%s", dir, n);
    fd = open(p, O_WRONLY);
    if (fd < 0 || write(fd, "x", 1) != 1) {
        perror(p);
        exit(1);
    }
    close(fd);
}

static void show(const char *n)
{
    char p[512];
    struct stat st;

    snprintf(p, sizeof(p), "%s/%s", dir, n);
    if (stat(p, &st)) {
        perror(p);
        exit(1);
    }
    printf("%s %o\n", n, st.st_mode & 07777);
    fflush(stdout);
}

static void to_user(void)
{
    if (setgroups(0, NULL) || setresgid(1000, 1000, 1000) ||
        setresuid(1000, 1000, 1000)) {
        perror("drop");
        exit(1);
    }
}

static void run(void (*f)(void))
{
    pid_t c = fork();
    int st;

    if (c == 0) {
        f();
        exit(0);
    }
    if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st)) {
        printf("child failed\n");
        exit(1);
    }
}

static void other_drops(void)
{
    to_user();
}

static void root_capset(void)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];

    w("r1");
    if (syscall(SYS_capget, &h, d) || !(d[0].effective & (1u << CAP_FSETID))) {
        printf("no CAP_FSETID to drop\n");
        exit(1);
    }
    d[0].effective &= ~(1u << CAP_FSETID);
    if (syscall(SYS_capset, &h, d)) {
        perror("capset");
        exit(1);
    }
    w("c1");
    show("r1");
    show("c1");
}

static void root_drops(void)
{
    w("r2");
    to_user();
    w("u1");
    show("r2");
    show("u1");
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "-w")) {
        int fd = open(argv[2], O_WRONLY | O_APPEND);

        if (fd < 0 || write(fd, "x", 1) != 1) {
            perror(argv[2]);
            return 1;
        }
        printf("euid %d\n", (int)geteuid());
        return 0;
    }
    if (argc != 3) {
        fprintf(stderr, "usage: write-fsetid DIR SETID-COPY\n");
        return 2;
    }
    dir = argv[1];
    run(other_drops); /* a change of ids anywhere: kbox looks from now */
    run(root_capset);
    run(root_drops);
    to_user();
    w("u2");
    show("u2");
    {
        char p[512];

        snprintf(p, sizeof(p), "%s/s1", dir);
        execl(argv[2], argv[2], "-w", p, (char *)NULL);
    }
    perror(argv[2]);
    return 1;
}
