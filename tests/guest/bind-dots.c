/* SPDX-License-Identifier: MIT */
/*
 * "." and ".." are names the filesystem resolves, not text to fold: ".."
 * after a symlink goes up from the link's target, and the names before
 * one must exist and be directories. In a bind kbox folded them by
 * their text: `rm sl/../f` removed the wrong file, mkdir("nosuch/..")
 * said EEXIST, access("nosuch/../f") found f, mkdir("nd/.//") made nd,
 * rmdir(".") of an empty cwd was not EINVAL, getcwd after chdir through
 * a link named the link (gnulib's test-mkdir,
 * test-rename, test-rmdir). Usage: bind-dots DIR (an empty directory,
 * in a bind under kbox)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest-check.h"

static int put(const char *path, const char *s)
{
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    int ok = fd >= 0 && write(fd, s, strlen(s)) == (ssize_t)strlen(s);

    return fd >= 0 && close(fd) == 0 && ok ? 0 : -1;
}

static const char *get(const char *path)
{
    static char buf[16];
    int fd = open(path, O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

    if (fd >= 0)
        close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

static int fails(int rc, int err)
{
    return rc == -1 && errno == err;
}

int main(int argc, char **argv)
{
    char cwd[PATH_MAX], want[PATH_MAX];
    struct stat a, b;

    if (argc != 2 || chdir(argv[1])) {
        fprintf(stderr, "usage: bind-dots DIR\n");
        return 2;
    }
    check(mkdir("t", 0755) == 0 && mkdir("t/sub", 0755) == 0 &&
              mkdir("t/sub/deep", 0755) == 0 && put("t/f", "TOP") == 0 &&
              put("t/sub/f", "SUB") == 0 && put("t/reg", "REG") == 0 &&
              symlink("sub/deep", "t/sl") == 0 && mkdir("d2", 0755) == 0,
          "a tree with a symlink t/sl -> sub/deep");
    check(!strcmp(get("t/sl/../f"), "SUB"), "t/sl/../f is t/sub/f (%s)",
          get("t/sl/../f"));
    check(unlink("t/sl/../f") == 0 && access("t/f", F_OK) == 0 &&
              access("t/sub/f", F_OK) == -1,
          "unlink(t/sl/../f) removes t/sub/f, not t/f");
    check(fails(mkdir("nosuch/..", 0755), ENOENT), "mkdir(nosuch/..): ENOENT");
    check(fails(access("nosuch/../t", F_OK), ENOENT),
          "access(nosuch/../t): ENOENT");
    check(fails(access("t/reg/../f", F_OK), ENOTDIR),
          "access(t/reg/../f): ENOTDIR");
    check(fails(mkdir("nd/.//", 0755), ENOENT) && access("nd", F_OK) == -1,
          "mkdir(nd/.//): ENOENT, nothing made");
    check(fails(rename("d2", "nd2/.//"), ENOENT) && access("d2", F_OK) == 0,
          "rename(d2, nd2/.//): ENOENT, d2 stays");
    check(fails(mkdir("t/.", 0755), EEXIST), "mkdir(t/.): EEXIST");
    check(stat("t/sub/..", &a) == 0 && stat("t", &b) == 0 &&
              a.st_ino == b.st_ino,
          "stat(t/sub/..) is t");
    check(stat("t/sl/..", &a) == 0 && stat("t/sub", &b) == 0 &&
              a.st_ino == b.st_ino,
          "stat(t/sl/..) is t/sub");
    snprintf(want, sizeof(want), "%s/t/sub/deep", argv[1]);
    check(chdir("t/sl") == 0 && getcwd(cwd, sizeof(cwd)) &&
              !strcmp(cwd, want) && chdir(argv[1]) == 0,
          "chdir(t/sl) is t/sub/deep to getcwd (%s)", cwd);
    snprintf(want, sizeof(want), "%s/t/sub", argv[1]);
    check(chdir("t/sl/..") == 0 && getcwd(cwd, sizeof(cwd)) &&
              !strcmp(cwd, want),
          "chdir(t/sl/..) goes to t/sub (%s)", cwd);
    check(chdir("deep") == 0 && fails(rmdir("."), EINVAL) &&
              fails(rmdir(".."), ENOTEMPTY) && access(".", F_OK) == 0,
          "rmdir(.): EINVAL, rmdir(..): ENOTEMPTY, the cwd stays");
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
