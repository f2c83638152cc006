/* SPDX-License-Identifier: MIT */
/*
 * path-escape: try to leave the guest root and check we stay inside.
 *
 * Usage: path-escape [-c] [-m MARKER] [-e EXPECTED] [-d SCRATCH_BASE]
 *                    [HOST_ONLY_PATH...]
 *
 * MARKER (default /etc/hostname) is a file that exists only in the image
 * root and whose first line is EXPECTED (default "kbox"). Every escape
 * route (.. above /, symlinks to / and /.., /proc/self/root, /proc/self/cwd,
 * fchdir to a root fd, openat with "..") must lead to the same marker, and
 * every HOST_ONLY_PATH (a path that exists on the host but not in the
 * image) must stay invisible through all of them.
 *
 * -c also tries the classic double-chroot escape (needs root inside the
 * guest; reported as skip otherwise). In a plain host chroot(2) jail that
 * escape works for root, so -c is expected to FAIL there: it is meant for
 * kbox, whose boundary does not depend on chroot.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int n_ok, n_fail, n_skip;
static const char *marker = "/etc/hostname";
static const char *expected = "kbox";
static char scratch[1024];

static void check(int cond, const char *fmt, ...)
{
    va_list ap;
    int e = errno;

    printf("%s - ", cond ? "ok" : "FAIL");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    if (!cond && e)
        printf(" (errno %d %s)", e, strerror(e));
    printf("\n");
    if (cond)
        n_ok++;
    else
        n_fail++;
}

static void skip(const char *what, const char *why)
{
    printf("skip - %s: %s\n", what, why);
    n_skip++;
}

/* 1 if the file at dirfd/p exists and its first line == expected */
static int marker_at(int dirfd, const char *p, char *got, size_t gotsz)
{
    char buf[256];
    int fd = openat(dirfd, p, O_RDONLY);
    ssize_t n;

    got[0] = 0;
    if (fd < 0) {
        snprintf(got, gotsz, "<%s>", strerror(errno));
        return 0;
    }
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n < 0) {
        snprintf(got, gotsz, "<read: %s>", strerror(errno));
        return 0;
    }
    buf[n] = 0;
    buf[strcspn(buf, "\n")] = 0;
    snprintf(got, gotsz, "%s", buf);
    return strcmp(buf, expected) == 0;
}

static void check_marker_at(int dirfd, const char *p, const char *how)
{
    char got[300];
    int r;

    errno = 0;
    r = marker_at(dirfd, p, got, sizeof(got));
    check(r, "%s: %s reads \"%s\" (got \"%s\")", how, p, expected, got);
}

static void check_marker(const char *p, const char *how)
{
    check_marker_at(AT_FDCWD, p, how);
}

/* marker path without its leading slash, e.g. "etc/hostname" */
static const char *rel_marker(void)
{
    const char *m = marker;

    while (*m == '/')
        m++;
    return m;
}

static void check_hidden(const char *p, const char *how)
{
    struct stat st;
    int r;

    errno = 0;
    r = lstat(p, &st);
    check(r == -1 && (errno == ENOENT || errno == ENOTDIR),
          "%s: host-only %s is invisible", how, p);
}

static void check_host_only(int n, char **paths)
{
    char p[PATH_MAX * 2];
    char cwd[PATH_MAX];

    for (int i = 0; i < n; i++) {
        const char *h = paths[i];

        while (*h == '/')
            h++;
        snprintf(p, sizeof(p), "/%s", h);
        check_hidden(p, "absolute");
        snprintf(p, sizeof(p), "/../../../../%s", h);
        check_hidden(p, "dotdot");
        snprintf(p, sizeof(p), "%s/up/%s", scratch, h);
        check_hidden(p, "symlink ../../..");
        snprintf(p, sizeof(p), "%s/root/%s", scratch, h);
        check_hidden(p, "symlink /");
        snprintf(p, sizeof(p), "%s/rootdotdot/%s", scratch, h);
        check_hidden(p, "symlink /..");
        snprintf(p, sizeof(p), "/proc/self/root/../%s", h);
        check_hidden(p, "/proc/self/root");
        snprintf(p, sizeof(p), "/proc/self/cwd/../../../../../../%s", h);
        check_hidden(p, "/proc/self/cwd");
        if (getcwd(cwd, sizeof(cwd))) {
            snprintf(p, sizeof(p), "../../../../../../../../%s", h);
            check_hidden(p, "relative from cwd");
        }
    }
}

static void test_dotdot(void)
{
    char cwd[PATH_MAX], p[PATH_MAX];
    struct stat a, b;
    int fd;

    check_marker(marker, "absolute");
    snprintf(p, sizeof(p), "/../../../../../../%s", rel_marker());
    check_marker(p, "leading ..");
    snprintf(p, sizeof(p), "/etc/../../../..%s", marker);
    check_marker(p, "embedded ..");
    snprintf(p, sizeof(p), "//.//..//.%s", marker);
    check_marker(p, "doubled slashes");

    check(stat("/", &a) == 0 && stat("/..", &b) == 0 && a.st_ino == b.st_ino &&
              a.st_dev == b.st_dev,
          "/.. is / (same dev and inode)");
    check(stat("/../../..", &b) == 0 && a.st_ino == b.st_ino &&
              a.st_dev == b.st_dev,
          "/../../.. is /");

    /* chdir up from a deep directory */
    if (chdir(scratch) == 0) {
        for (int i = 0; i < 64; i++)
            if (chdir("..") != 0)
                break;
        check(getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/") == 0,
              "64 x chdir(\"..\") ends at / (cwd \"%s\")", cwd);
        check_marker(rel_marker(), "relative after chdir(..)");
    }
    if (chdir(scratch) == 0) {
        snprintf(p, sizeof(p), "../../../../../../../../../../%s",
                 rel_marker());
        check_marker(p, "relative ../.. from scratch");
    }

    /* openat from a root fd */
    fd = open("/", O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        int up = openat(fd, "..", O_RDONLY | O_DIRECTORY);

        check(up >= 0 && fstat(up, &b) == 0 && a.st_ino == b.st_ino &&
                  a.st_dev == b.st_dev,
              "openat(rootfd, \"..\") is /");
        if (up >= 0) {
            check_marker_at(up, rel_marker(), "openat(.. of /)");
            close(up);
        }
        check(fchdir(fd) == 0 && chdir("../..") == 0 &&
                  getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/") == 0,
              "fchdir(rootfd) + chdir(../..) stays at /");
        close(fd);
    }

    /* listing of /.. equals listing of / */
    {
        DIR *d1 = opendir("/"), *d2 = opendir("/..");
        int n1 = 0, n2 = 0;

        if (d1 && d2) {
            while (readdir(d1))
                n1++;
            while (readdir(d2))
                n2++;
        }
        check(d1 && d2 && n1 == n2 && n1 > 2,
              "readdir(/..) has the entries of / (%d vs %d)", n1, n2);
        if (d1)
            closedir(d1);
        if (d2)
            closedir(d2);
    }
}

static void test_symlinks(void)
{
    char p[PATH_MAX * 2], l[PATH_MAX];
    static const struct {
        const char *name, *target;
    } links[] = {
        { "up", "../../../../../../../../../.." },
        { "root", "/" },
        { "rootdotdot", "/.." },
        { "rootdotdot2", "/../../.." },
        { "procroot", "/proc/self/root" },
        { "procrootup", "/proc/self/root/.." },
    };

    for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
        snprintf(l, sizeof(l), "%s/%s", scratch, links[i].name);
        if (symlink(links[i].target, l) != 0) {
            check(0, "symlink %s -> %s", l, links[i].target);
            continue;
        }
        if (!strncmp(links[i].target, "/proc", 5) &&
            access("/proc/self", F_OK) != 0)
            continue;
        snprintf(p, sizeof(p), "%s/%s", l, rel_marker());
        check_marker(p, links[i].target);
    }
    /* a symlink chain: a -> b/.. -> .. */
    snprintf(l, sizeof(l), "%s/chain", scratch);
    if (symlink("up/../../..", l) == 0) {
        snprintf(p, sizeof(p), "%s/%s", l, rel_marker());
        check_marker(p, "symlink chain up/../../..");
    }
    /* symlink inside a subdirectory pointing far up */
    snprintf(l, sizeof(l), "%s/sub", scratch);
    mkdir(l, 0755);
    snprintf(l, sizeof(l), "%s/sub/deep", scratch);
    if (symlink("../../../../../../../../../../../../../../..", l) == 0) {
        snprintf(p, sizeof(p), "%s/%s", l, rel_marker());
        check_marker(p, "sub/deep -> ../..x15");
    }
    /* readlink must show what we stored, unchanged */
    snprintf(l, sizeof(l), "%s/rootdotdot", scratch);
    {
        char buf[64];
        ssize_t n = readlink(l, buf, sizeof(buf) - 1);

        if (n >= 0)
            buf[n] = 0;
        check(n == 3 && strcmp(buf, "/..") == 0,
              "readlink returns the stored target \"/..\"");
    }
}

static void test_proc(void)
{
    char buf[PATH_MAX], p[PATH_MAX];
    ssize_t n;

    if (access("/proc/self", F_OK) != 0) {
        skip("/proc/self checks", "no /proc in this root");
        return;
    }
    n = readlink("/proc/self/root", buf, sizeof(buf) - 1);
    if (n >= 0)
        buf[n] = 0;
    check(n == 1 && buf[0] == '/',
          "readlink /proc/self/root is \"/\" (got \"%s\")",
          n >= 0 ? buf : "<error>");
    snprintf(p, sizeof(p), "/proc/self/root/%s", rel_marker());
    check_marker(p, "/proc/self/root");
    snprintf(p, sizeof(p), "/proc/self/root/../../%s", rel_marker());
    check_marker(p, "/proc/self/root/../..");
    snprintf(p, sizeof(p), "/proc/%d/root/%s", (int)getpid(), rel_marker());
    check_marker(p, "/proc/PID/root");

    if (chdir(scratch) == 0) {
        n = readlink("/proc/self/cwd", buf, sizeof(buf) - 1);
        if (n >= 0)
            buf[n] = 0;
        check(n >= 0 && strcmp(buf, scratch) == 0,
              "readlink /proc/self/cwd is the guest path \"%s\" (got "
              "\"%s\")",
              scratch, n >= 0 ? buf : "<error>");
        snprintf(p, sizeof(p), "/proc/self/cwd/../../../../../../../../%s",
                 rel_marker());
        check_marker(p, "/proc/self/cwd/../..");
    }
    /* the parent's root (the guest's shell or kbox's first guest) */
    snprintf(p, sizeof(p), "/proc/%d/root/%s", (int)getppid(), rel_marker());
    {
        char got[300];
        int r;

        errno = 0;
        r = marker_at(AT_FDCWD, p, got, sizeof(got));
        if (!r && got[0] == '<')
            skip("/proc/PPID/root", got);
        else
            check(r,
                  "/proc/PPID/root: %s reads \"%s\" (got "
                  "\"%s\")",
                  p, expected, got);
    }
    /* /proc/1/root: if it can be read at all it must be our root */
    snprintf(p, sizeof(p), "/proc/1/root/%s", rel_marker());
    {
        char got[300];
        int r;

        errno = 0;
        r = marker_at(AT_FDCWD, p, got, sizeof(got));
        if (!r && got[0] == '<')
            printf("ok - /proc/1/root is not readable %s\n", got), n_ok++;
        else
            check(r, "/proc/1/root: %s reads \"%s\" (got \"%s\")", p, expected,
                  got);
    }
}

static void test_chroot_escape(int nhost, char **host)
{
    char p[PATH_MAX];
    pid_t pid;
    int st;

    if (geteuid() != 0) {
        skip("double-chroot escape", "needs root in the guest");
        return;
    }
    snprintf(p, sizeof(p), "%s/jail", scratch);
    mkdir(p, 0755);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        int bad = 0, fd = open("/", O_RDONLY | O_DIRECTORY);

        if (chroot(p) != 0) {
            printf("skip - double-chroot escape: chroot: %s\n",
                   strerror(errno));
            _exit(77);
        }
        /* still holding an fd to the old root */
        if (fchdir(fd) != 0)
            _exit(2);
        for (int i = 0; i < 64; i++)
            if (chdir("..") != 0)
                break;
        if (chroot(".") != 0)
            _exit(3);
        for (int i = 0; i < nhost; i++) {
            struct stat sb;

            if (lstat(host[i], &sb) == 0) {
                printf("FAIL - double-chroot escape reaches "
                       "host path %s\n",
                       host[i]);
                bad = 1;
            }
        }
        _exit(bad);
    }
    if (pid < 0) {
        check(0, "fork for the chroot escape");
        return;
    }
    waitpid(pid, &st, 0);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
        n_skip++;
    else
        check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
              "double-chroot escape does not reach host-only paths "
              "(status 0x%x)",
              st);
}

static void rm_tree(const char *p)
{
    DIR *d = opendir(p);
    struct dirent *de;
    char sub[PATH_MAX];

    if (!d) {
        unlink(p);
        return;
    }
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", p, de->d_name);
        if (de->d_type == DT_DIR)
            rm_tree(sub);
        else
            unlink(sub);
    }
    closedir(d);
    rmdir(p);
}

int main(int argc, char **argv)
{
    const char *base = getenv("TMPDIR");
    int opt, do_chroot = 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    while ((opt = getopt(argc, argv, "cm:e:d:")) != -1) {
        switch (opt) {
        case 'c':
            do_chroot = 1;
            break;
        case 'm':
            marker = optarg;
            break;
        case 'e':
            expected = optarg;
            break;
        case 'd':
            base = optarg;
            break;
        default:
            fprintf(stderr,
                    "usage: %s [-c] [-m MARKER] [-e EXPECTED] "
                    "[-d DIR] [HOST_ONLY...]\n",
                    argv[0]);
            return 2;
        }
    }
    if (!base || !*base)
        base = "/tmp";
    if (marker[0] != '/') {
        fprintf(stderr, "MARKER must be absolute\n");
        return 2;
    }
    snprintf(scratch, sizeof(scratch), "%s/path-escape-XXXXXX", base);
    if (!mkdtemp(scratch)) {
        printf("FAIL - mkdtemp in %s: %s\n", base, strerror(errno));
        return 1;
    }
    /* make scratch canonical so /proc/self/cwd can be compared */
    {
        char real[PATH_MAX];

        if (realpath(scratch, real) && strlen(real) < sizeof(scratch))
            memcpy(scratch, real, strlen(real) + 1);
    }
    test_dotdot();
    test_symlinks();
    test_proc();
    check_host_only(argc - optind, argv + optind);
    if (do_chroot)
        test_chroot_escape(argc - optind, argv + optind);
    if (chdir("/") != 0)
        check(0, "chdir /");
    rm_tree(scratch);
    printf("# path-escape: %d ok, %d failed, %d skipped\n", n_ok, n_fail,
           n_skip);
    return n_fail ? 1 : 0;
}
