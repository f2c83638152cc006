/* SPDX-License-Identifier: MIT */
/*
 * bind-moved-dir: a cwd and a directory fd whose directory is renamed
 * (itself or one above it) or removed stay that directory, as in Linux.
 * kbox kept a cwd in a bind by its path text and named a dir fd by its
 * /proc link: after `mv` getcwd and relative calls used the old path,
 * and from a removed directory "." and ".." were ENOENT, or a directory
 * made again under the name was reached.
 *
 * Usage: bind-moved-dir DIR          (DIR a writable directory, a bind
 *                                     root under kbox; subdirs are made)
 *        bind-moved-dir DIR hostwait (DIR/h/in is renamed to DIR/h2/in
 *                                     from outside after DIR/ready shows,
 *                                     then DIR/go; removed after
 *                                     DIR/ready2, then DIR/go2)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest-check.h"

static const char *base;

static ino_t ino_of(const char *path)
{
    struct stat st;

    return stat(path, &st) ? 0 : st.st_ino;
}

static ino_t ino_at(int dfd, const char *path)
{
    struct stat st;

    return fstatat(dfd, path, &st, 0) ? 0 : st.st_ino;
}

static const char *P(const char *fmt, const char *a)
{
    static char buf[4][PATH_MAX];
    static int k;
    char *b = buf[k++ & 3];

    snprintf(b, PATH_MAX, "%s/", base);
    snprintf(b + strlen(b), PATH_MAX - strlen(b), fmt, a ? a : "");
    return b;
}

static void touch(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT, 0644);

    if (fd >= 0)
        close(fd);
}

/* a rename done by another guest process */
static int rename_by_child(const char *from, const char *to)
{
    int st;
    pid_t pid = fork();

    if (pid == 0)
        _exit(rename(from, to) ? 1 : 0);
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void want_cwd(const char *want, const char *what)
{
    char cwd[PATH_MAX] = "", link[PATH_MAX] = "";
    ssize_t n;

    check(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, want),
          "%s: getcwd is %s (got %s)", what, want, cwd);
    n = readlink("/proc/self/cwd", link, sizeof(link) - 1);
    if (n >= 0)
        link[n] = '\0';
    check(n >= 0 && !strcmp(link, want), "%s: /proc/self/cwd is %s (got %s)",
          what, want, link);
}

static void want_fdpath(int dfd, const char *want, const char *what)
{
    char l[64], t[PATH_MAX] = "";
    ssize_t n;

    snprintf(l, sizeof(l), "/proc/self/fd/%d", dfd);
    n = readlink(l, t, sizeof(t) - 1);
    if (n >= 0)
        t[n] = '\0';
    check(n >= 0 && !strcmp(t, want), "%s: fd link is %s (got %s)", what, want,
          t);
}

/* relative calls from a live directory @dfd (AT_FDCWD: the cwd) whose
 * current path is @now */
static void live_calls(int dfd, const char *now, const char *what)
{
    char p[PATH_MAX];
    int fd;

    check(ino_at(dfd, "f") != 0, "%s: stat f", what);
    fd = openat(dfd, "g", O_WRONLY | O_CREAT, 0644);
    check(fd >= 0, "%s: create g", what);
    if (fd >= 0)
        close(fd);
    snprintf(p, sizeof(p), "%s/g", now);
    check(ino_of(p) != 0, "%s: g made in %s", what, now);
    check(mkdirat(dfd, "d", 0755) == 0, "%s: mkdir d", what);
    snprintf(p, sizeof(p), "%s/d", now);
    check(ino_of(p) != 0, "%s: d made in %s", what, now);
    check(unlinkat(dfd, "g", 0) == 0 && unlinkat(dfd, "d", AT_REMOVEDIR) == 0,
          "%s: unlink g, rmdir d", what);
    {
        int dirfd = openat(dfd, ".", O_RDONLY | O_DIRECTORY);
        DIR *d = dirfd >= 0 ? fdopendir(dirfd) : NULL;
        struct dirent *e;
        int seen = 0;

        while (d && (e = readdir(d)))
            seen |= !strcmp(e->d_name, "f");
        check(seen, "%s: listing of . shows f", what);
        if (d)
            closedir(d);
    }
}

/* calls from removed directory @dfd (AT_FDCWD: the cwd), inode @ino,
 * once beneath directory @parent */
static void gone_calls(int dfd, ino_t ino, const char *parent, const char *what)
{
    struct stat st;
    char buf[256];
    int fd;

    check(fstatat(dfd, ".", &st, 0) == 0 && st.st_ino == ino &&
              st.st_nlink == 0,
          "%s: stat . is the removed directory", what);
    fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY);
    check(fd >= 0, "%s: open .", what);
    if (fd >= 0) {
        WANT(syscall(SYS_getdents64, fd, buf, sizeof(buf)), ENOENT,
             "getdents64 of a removed directory");
        close(fd);
    }
    check(ino_at(dfd, "..") == ino_of(parent) && ino_of(parent), "%s: .. is %s",
          what, parent);
    check(ino_at(dfd, "./..") == ino_of(parent), "%s: ./.. is %s", what,
          parent);
    WANT(openat(dfd, "new", O_WRONLY | O_CREAT, 0644), ENOENT,
         "create in a removed directory");
    WANT(mkdirat(dfd, "x", 0755), ENOENT, "mkdir in a removed directory");
    WANT(fstatat(dfd, "newf", &st, 0), ENOENT,
         "stat of a name in a removed directory");
}

static void case_rename_self(void)
{
    int dfd;

    mkdir(P("a", NULL), 0755);
    mkdir(P("a/x", NULL), 0755);
    touch(P("a/x/f", NULL));
    check(chdir(P("a/x", NULL)) == 0, "a: chdir a/x");
    dfd = open(P("a/x", NULL), O_RDONLY | O_DIRECTORY);
    check(rename_by_child(P("a/x", NULL), P("a/y", NULL)) == 0,
          "a: another process renames a/x to a/y");
    want_cwd(P("a/y", NULL), "a");
    want_fdpath(dfd, P("a/y", NULL), "a");
    check(ino_of("/proc/self/cwd/f") == ino_of(P("a/y/f", NULL)) &&
              ino_of(P("a/y/f", NULL)),
          "a: /proc/self/cwd/f is a/y/f");
    live_calls(AT_FDCWD, P("a/y", NULL), "a cwd");
    live_calls(dfd, P("a/y", NULL), "a dirfd");
    check(ino_of("..") == ino_of(P("a", NULL)), "a: .. is a");
    /* mv ../y ../z from inside */
    check(rename("../y", "../z") == 0, "a: rename ../y ../z");
    want_cwd(P("a/z", NULL), "a after ../z");
    check(ino_of("f") != 0, "a: f after ../z");
    close(dfd);
}

static void case_rename_parent(void)
{
    int dfd;

    mkdir(P("b", NULL), 0755);
    mkdir(P("b/p", NULL), 0755);
    mkdir(P("b/p/q", NULL), 0755);
    touch(P("b/p/q/f", NULL));
    check(chdir(P("b/p/q", NULL)) == 0, "b: chdir b/p/q");
    dfd = open(".", O_RDONLY | O_DIRECTORY);
    check(rename(P("b/p", NULL), P("b/p2", NULL)) == 0, "b: rename b/p b/p2");
    want_cwd(P("b/p2/q", NULL), "b");
    want_fdpath(dfd, P("b/p2/q", NULL), "b");
    live_calls(AT_FDCWD, P("b/p2/q", NULL), "b cwd");
    live_calls(dfd, P("b/p2/q", NULL), "b dirfd");
    check(ino_of("..") == ino_of(P("b/p2", NULL)), "b: .. is b/p2");
    check(ino_of("../..") == ino_of(P("b", NULL)), "b: ../.. is b");
    /* up to and across the top of DIR (a bind's root under kbox) */
    check(ino_of("../../..") == ino_of(base), "b: ../../.. is DIR");
    check(ino_of("../../../..") == ino_of(P("..", NULL)),
          "b: ../../../.. is DIR/..");
    check(ino_at(dfd, "../../../..") == ino_of(P("..", NULL)),
          "b: dirfd ../../../.. is DIR/..");
    /* a second rename of a directory above, by another process */
    check(rename_by_child(P("b/p2", NULL), P("b/p3", NULL)) == 0,
          "b: another process renames b/p2 to b/p3");
    want_cwd(P("b/p3/q", NULL), "b after p3");
    check(chdir("..") == 0, "b: chdir ..");
    want_cwd(P("b/p3", NULL), "b after chdir ..");
    close(dfd);
}

static void case_removed(void)
{
    ino_t ino;
    int dfd;

    mkdir(P("c", NULL), 0755);
    mkdir(P("c/d", NULL), 0755);
    ino = ino_of(P("c/d", NULL));
    check(chdir(P("c/d", NULL)) == 0, "c: chdir c/d");
    dfd = open(".", O_RDONLY | O_DIRECTORY);
    check(rmdir(P("c/d", NULL)) == 0, "c: rmdir c/d");
    {
        char cwd[PATH_MAX], link[PATH_MAX] = "", want[PATH_MAX];
        ssize_t n = readlink("/proc/self/cwd", link, sizeof(link) - 1);

        WANT(getcwd(cwd, sizeof(cwd)) ? 0 : -1, ENOENT,
             "getcwd in a removed directory");
        if (n >= 0)
            link[n] = '\0';
        snprintf(want, sizeof(want), "%s (deleted)", P("c/d", NULL));
        check(n >= 0 && !strcmp(link, want), "c: /proc/self/cwd is %s (got %s)",
              want, link);
    }
    gone_calls(AT_FDCWD, ino, P("c", NULL), "c cwd");
    gone_calls(dfd, ino, P("c", NULL), "c dirfd");
    check(ino_of("/proc/self/cwd") == ino,
          "c: /proc/self/cwd is the removed one");
    check(ino_of("/proc/self/cwd/..") == ino_of(P("c", NULL)),
          "c: /proc/self/cwd/.. is c");
    {
        struct stat st;

        WANT(stat("/proc/self/cwd/x", &st), ENOENT,
             "/proc/self/cwd/x of a removed cwd");
    }
    /* on up, to the top of DIR and across it (a bind's place) */
    check(ino_of("../..") == ino_of(base), "c: ../.. is DIR");
    check(ino_of("../../..") == ino_of(P("..", NULL)), "c: ../../.. is DIR/..");
    check(ino_at(dfd, ".././../..") == ino_of(P("..", NULL)),
          "c: dirfd .././../.. is DIR/..");
    check(ino_of("../../c") == ino_of(P("c", NULL)), "c: ../../c is c");
    check(chdir("/") == 0 && fchdir(dfd) == 0, "c: fchdir to the removed one");
    {
        char cwd[PATH_MAX];
        struct stat st;

        WANT(getcwd(cwd, sizeof(cwd)) ? 0 : -1, ENOENT,
             "getcwd after fchdir to a removed directory");
        check(stat(".", &st) == 0 && st.st_ino == ino,
              "c: stat . after fchdir");
    }
    check(chdir("..") == 0, "c: chdir .. from the removed one");
    want_cwd(P("c", NULL), "c after chdir ..");
    close(dfd);
}

static void case_made_again(void)
{
    struct stat st;
    ino_t ino;
    int dfd;

    mkdir(P("e", NULL), 0755);
    mkdir(P("e/d", NULL), 0755);
    ino = ino_of(P("e/d", NULL));
    check(chdir(P("e/d", NULL)) == 0, "e: chdir e/d");
    dfd = open(".", O_RDONLY | O_DIRECTORY);
    check(rmdir(P("e/d", NULL)) == 0 && mkdir(P("e/d", NULL), 0755) == 0,
          "e: rmdir and mkdir e/d");
    touch(P("e/d/newf", NULL));
    check(stat(".", &st) == 0 && st.st_ino == ino, "e: . is the old one");
    WANT(stat("newf", &st), ENOENT, "new directory's file from the old cwd");
    WANT(fstatat(dfd, "newf", &st, 0), ENOENT,
         "new directory's file from the old dirfd");
    WANT(open("x", O_WRONLY | O_CREAT, 0644), ENOENT,
         "create from the old cwd");
    check(ino_of(P("e/d/x", NULL)) == 0, "e: nothing made in the new one");
    gone_calls(AT_FDCWD, ino, P("e", NULL), "e cwd");
    gone_calls(dfd, ino, P("e", NULL), "e dirfd");
    close(dfd);
}

/* shows DIR/@ready, then waits (up to a minute) for DIR/@go */
/* a removed directory right at the top of DIR */
static void case_removed_top(void)
{
    ino_t ino;
    int dfd;

    mkdir(P("t", NULL), 0755);
    ino = ino_of(P("t", NULL));
    check(chdir(P("t", NULL)) == 0, "t: chdir t");
    dfd = open(".", O_RDONLY | O_DIRECTORY);
    check(rmdir(P("t", NULL)) == 0, "t: rmdir t");
    gone_calls(AT_FDCWD, ino, base, "t cwd");
    gone_calls(dfd, ino, base, "t dirfd");
    check(ino_of("../..") == ino_of(P("..", NULL)), "t: ../.. is DIR/..");
    check(ino_at(dfd, "../..") == ino_of(P("..", NULL)),
          "t: dirfd ../.. is DIR/..");
    check(chdir("../..") == 0, "t: chdir ../..");
    {
        char want[PATH_MAX];

        snprintf(want, sizeof(want), "%s", base);
        *strrchr(want, '/') = '\0';
        want_cwd(want[0] ? want : "/", "t after chdir ../..");
    }
    close(dfd);
}

static void wait_for(const char *ready, const char *go)
{
    struct timespec ts = { 0, 50 * 1000 * 1000 };

    touch(P("%s", ready));
    for (int i = 0; i < 1200 && access(P("%s", go), F_OK); i++)
        nanosleep(&ts, NULL);
}

static void case_host(void)
{
    ino_t ino;
    int dfd;

    mkdir(P("h", NULL), 0755);
    mkdir(P("h/in", NULL), 0755);
    touch(P("h/in/f", NULL));
    ino = ino_of(P("h/in", NULL));
    check(chdir(P("h/in", NULL)) == 0, "host: chdir h/in");
    dfd = open(".", O_RDONLY | O_DIRECTORY);
    wait_for("ready", "go"); /* mv DIR/h DIR/h2 */
    want_cwd(P("h2/in", NULL), "host");
    want_fdpath(dfd, P("h2/in", NULL), "host");
    live_calls(AT_FDCWD, P("h2/in", NULL), "host cwd");
    live_calls(dfd, P("h2/in", NULL), "host dirfd");
    check(ino_of("..") == ino_of(P("h2", NULL)), "host: .. is h2");
    wait_for("ready2", "go2"); /* rm -r DIR/h2/in */
    {
        char cwd[PATH_MAX];

        WANT(getcwd(cwd, sizeof(cwd)) ? 0 : -1, ENOENT,
             "getcwd after the host removed it");
    }
    gone_calls(AT_FDCWD, ino, P("h2", NULL), "host gone cwd");
    gone_calls(dfd, ino, P("h2", NULL), "host gone dirfd");
    close(dfd);
}

/*
 * kbox only: DIR/o/in is moved by the host out of the bind's source,
 * next to a file "secret" (after DIR/ready, then DIR/go). Whatever the
 * cwd and dir fd still name, nothing beside them on the host is reached.
 */
static void case_host_out(void)
{
    char buf[64];
    struct stat st;
    long n;
    int dfd;

    mkdir(P("o", NULL), 0755);
    mkdir(P("o/in", NULL), 0755);
    check(chdir(P("o/in", NULL)) == 0, "out: chdir o/in");
    dfd = open(".", O_RDONLY | O_DIRECTORY);
    wait_for("ready", "go");
    WANT(stat("../../secret", &st), ENOENT, "cwd ../../secret");
    WANT(stat("../secret", &st), ENOENT, "cwd ../secret");
    WANT(fstatat(dfd, "../../secret", &st, 0), ENOENT, "dirfd ../../secret");
    WANT(open("../../secret", O_RDONLY), ENOENT, "open cwd ../../secret");
    WANT(openat(dfd, "../../secret", O_RDONLY), ENOENT,
         "open dirfd ../../secret");
    WANT(mkdir("../../made", 0755), ENOENT, "mkdir cwd ../../made");
    WANT(getcwd(buf, sizeof(buf)) ? 0 : -1, ENOENT, "getcwd out of the bind");
    /* Linux's answers for a cwd not beneath the root: they name nothing
     * outside the source (glibc's getcwd makes the first ENOENT) */
    n = syscall(SYS_getcwd, buf, sizeof(buf));
    check(n == 15 && !strcmp(buf, "(unreachable)/"),
          "raw getcwd out of the bind: \"(unreachable)/\" (got %ld \"%.*s\")",
          n, n > 0 ? (int)n : 0, buf);
    n = readlink("/proc/self/cwd", buf, sizeof(buf));
    check(n == 1 && buf[0] == '/',
          "readlink /proc/self/cwd out of the bind: \"/\" (got %ld \"%.*s\")",
          n, n > 0 ? (int)n : 0, buf);
    close(dfd);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    base = argv[1];
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 2 && !strcmp(argv[2], "hostwait")) {
        case_host();
    } else if (argc > 2 && !strcmp(argv[2], "hostout")) {
        case_host_out();
    } else {
        case_removed_top();
        case_rename_self();
        case_rename_parent();
        case_removed();
        case_made_again();
    }
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
