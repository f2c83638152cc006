/* SPDX-License-Identifier: MIT */
/*
 * execveat with a real directory fd: an absolute path (dirfd ignored), a
 * relative one from an image directory, a #! script relative to /tmp.
 * kbox refused every such call with ENAMETOOLONG (nix's execveat tests).
 * Short paths ("true", "/tmp/s") too: the host resolves kbox's alias from
 * the directory fd, and "/dev/fd/N" does not fit in them.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

/* The child's exit status, or -errno of its execveat. */
static int run(int dfd, const char *path, const char *arg)
{
    int p[2], st = 0, err = 0;
    pid_t pid;

    if (pipe2(p, O_CLOEXEC))
        return -1000;
    pid = fork();
    if (pid == 0) {
        char *argv[] = { "prog", (char *)arg, NULL }, *envp[] = { NULL };

        syscall(SYS_execveat, dfd, path, argv, envp, 0);
        err = errno;
        if (write(p[1], &err, sizeof(err)) != sizeof(err))
            _exit(99);
        _exit(127);
    }
    close(p[1]);
    if (read(p[0], &err, sizeof(err)) != sizeof(err))
        err = 0;
    close(p[0]);
    waitpid(pid, &st, 0);
    if (err)
        return -err;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + WTERMSIG(st);
}

int main(void)
{
    int usr = open("/usr", O_RDONLY | O_DIRECTORY);
    int etc = open("/etc", O_RDONLY | O_DIRECTORY);
    int tmp = open("/tmp", O_RDONLY | O_DIRECTORY);
    int bin = open("/usr/bin", O_RDONLY | O_DIRECTORY);
    int rc, fd;

    setvbuf(stdout, NULL, _IOLBF, 0);
    check(usr >= 0 && etc >= 0 && tmp >= 0, "directory fds");
    rc = run(etc, "/usr/bin/false", NULL);
    check(rc == 1, "absolute path with a dirfd ran /usr/bin/false (%d)", rc);
    rc = run(usr, "./bin/true", NULL);
    check(rc == 0, "./bin/true relative to /usr (%d)", rc);
    rc = run(etc, "../usr/bin/false", NULL);
    check(rc == 1, "../usr/bin/false relative to /etc (%d)", rc);
    fd = open("/tmp/execveat-script.sh", O_WRONLY | O_CREAT | O_TRUNC, 0755);
    check(fd >= 0 && write(fd, "#!/bin/sh\nexit 7\n", 17) == 17 && !close(fd),
          "a script in /tmp");
    rc = run(tmp, "./execveat-script.sh", NULL);
    check(rc == 7, "the script relative to /tmp (%d)", rc);
    rc = run(bin, "true", NULL);
    check(rc == 0, "\"true\" relative to /usr/bin (%d)", rc);
    rc = run(bin, "./false", NULL);
    check(rc == 1, "\"./false\" relative to /usr/bin (%d)", rc);
    rc = run(bin, "true", NULL);
    check(rc == 0, "and again from the same fd (%d)", rc);
    fd = open("/tmp/s", O_WRONLY | O_CREAT | O_TRUNC, 0755);
    check(fd >= 0 && write(fd, "#!/bin/sh\nexit 5\n", 17) == 17 && !close(fd),
          "a script /tmp/s");
    rc = run(etc, "/tmp/s", NULL);
    check(rc == 5, "\"/tmp/s\" with a dirfd of /etc (%d)", rc);
    unlink("/tmp/s");
    rc = run(tmp, "./no-such-program", NULL);
    check(rc == -ENOENT, "a missing one is ENOENT (%d)", rc);
    unlink("/tmp/execveat-script.sh");
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
