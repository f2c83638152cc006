/* SPDX-License-Identifier: MIT */
/* kbox: run a program from a filesystem image against in-process Linux. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lx/lx.h>

#include "kbox/cli.h"
#include "kbox/dispatch.h"
#include "kbox/exec.h"
#include "kbox/image.h"
#include "kbox/path.h"
#include "kbox/seccomp.h"

extern char **environ;

static volatile pid_t child_pid;

static void forward_signal(int sig)
{
    if (child_pid > 0)
        kill(child_pid, sig);
}

static void remove_exec_dir(void)
{
    DIR *d;
    struct dirent *de;
    int dfd;

    if (!kbox_sup.exec_dir[0])
        return;
    d = opendir(kbox_sup.exec_dir);
    if (d) {
        dfd = dirfd(d);
        while ((de = readdir(d)))
            if (de->d_name[0] != '.')
                unlinkat(dfd, de->d_name, 0);
        closedir(d);
    }
    rmdir(kbox_sup.exec_dir);
    kbox_sup.exec_dir[0] = '\0';
}

static int make_exec_dir(void)
{
    const char *tmp = getenv("TMPDIR");

    if (!tmp || tmp[0] != '/' || strlen(tmp) > 200)
        tmp = "/tmp";
    snprintf(kbox_sup.exec_dir, sizeof(kbox_sup.exec_dir), "%s/kbox-XXXXXX",
             tmp);
    if (!mkdtemp(kbox_sup.exec_dir)) {
        fprintf(stderr, "kbox: cannot create a private directory in %s: %s\n",
                tmp, strerror(errno));
        kbox_sup.exec_dir[0] = '\0';
        return -1;
    }
    return 0;
}

static const char *env_path(void)
{
    for (char **e = environ; *e; e++)
        if (!strncmp(*e, "PATH=", 5))
            return *e + 5;
    return NULL;
}

int main(int argc, char **argv)
{
    static struct kbox_opts o;
    char err[512], cmd[KBOX_PATH_MAX];
    int rc, img_fd, booted = 0, listener = -1, pidfd = -1, status = 1;
    struct lx_task *task;
    pid_t pid;

    rc = kbox_cli_parse(argc, argv, &o, stdout, err, sizeof(err));
    if (rc == KBOX_CLI_EXIT0)
        return 0;
    if (rc != KBOX_CLI_OK) {
        fprintf(stderr, "kbox: %s\n", err);
        return 2;
    }
    kbox_sup.opts = &o;
    kbox_sup.verbose = o.verbose;
    kbox_sup.hostdev_dir = -1;

    /* Host-side resources first: fail before touching the image. */
    kbox_sup.bind_dirs = calloc((size_t)o.nbinds + 1, sizeof(int));
    for (int i = 0; i < o.nbinds; i++) {
        int fd = open(o.binds[i].host_src, O_PATH | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0) {
            fprintf(stderr, "kbox: bind source '%s': %s\n", o.binds[i].host_src,
                    strerror(errno));
            return 1;
        }
        kbox_sup.bind_dirs[i] = fd;
    }
    kbox_sup.hostdev_dir = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
    kbox_sup.placeholder_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (kbox_sup.placeholder_fd < 0) {
        fprintf(stderr, "kbox: cannot open /dev/null: %s\n", strerror(errno));
        return 1;
    }

    img_fd = kbox_image_open(&o);
    if (img_fd < 0)
        return 1;
    if (kbox_image_setup(&o, img_fd, &booted))
        goto out;
    task = kbox_image_guest_task(&o);
    if (!task)
        goto out;

    rc = kbox_exec_resolve(task, o.argv[0], env_path(), cmd, sizeof(cmd));
    if (rc == -ENOENT && strchr(o.argv[0], '/') && o.nbinds) {
        /* A command inside a bind: the exec handler resolves it. */
        char g[2 * KBOX_PATH_MAX + 2], norm[KBOX_PATH_MAX];

        if (o.argv[0][0] == '/')
            snprintf(g, sizeof(g), "%s", o.argv[0]);
        else
            snprintf(g, sizeof(g), "%s/%s", o.work_dir ? o.work_dir : "/",
                     o.argv[0]);
        if (kbox_path_normalize(g, norm, sizeof(norm), false, NULL) > 0 &&
            kbox_path_route(norm, o.binds, o.nbinds, false).route ==
                KBOX_ROUTE_BIND) {
            snprintf(cmd, sizeof(cmd), "%s", o.argv[0]);
            rc = 0;
        }
    }
    if (rc) {
        fprintf(stderr, "kbox: %s: %s\n", o.argv[0],
                rc == -ENOENT ? "not found" : strerror(-rc));
        status = rc == -ENOENT ? 127 : 126;
        lx_task_exit(task);
        goto out;
    }
    if (make_exec_dir())
        goto out;

    pid = kbox_seccomp_launch(cmd, o.argv, environ, kbox_sup.exec_dir,
                              &listener, &pidfd);
    if (pid < 0) {
        if (pid == -EOPNOTSUPP || pid == -ENOSYS)
            fprintf(stderr, "kbox: the host kernel does not support seccomp "
                            "user notification\n");
        else
            fprintf(stderr, "kbox: cannot start the guest: %s\n",
                    strerror((int)-pid));
        lx_task_exit(task);
        goto out;
    }
    child_pid = pid;
    kbox_sup.main_pid = pid;
    {
        struct kbox_proc *p = kbox_proc_add(pid, task);

        if (p && kbox_image_workdir_in_bind(&o))
            kbox_path_normalize(o.work_dir, p->bind_cwd, sizeof(p->bind_cwd),
                                false, NULL);
    }

    /* The terminal's signals are the guest's business; kbox reports. */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, forward_signal);
    signal(SIGHUP, forward_signal);

    status = kbox_seccomp_serve(listener, pidfd, pid);
    if (status < 0) {
        fprintf(stderr, "kbox: supervisor failed: %s\n", strerror(-status));
        status = 1;
    }
    close(listener);
    if (o.verbose) {
        for (int i = 0; i < 512; i++)
            if (kbox_sup.unknown_count[i])
                fprintf(stderr, "kbox: unimplemented syscall %d: %lu calls\n",
                        i, kbox_sup.unknown_count[i]);
    }
    while (kbox_sup.procs)
        kbox_proc_remove(kbox_sup.procs);
out:
    remove_exec_dir();
    fflush(stdout);
    if (booted && kbox_image_halt(o.verbose) && status == 0)
        status = 1;
    kbox_cli_free(&o);
    return status;
}
