/* SPDX-License-Identifier: MIT */
/*
 * Core dumps of guest processes. The host kernel writes a core where the
 * process's host cwd is when core_pattern is a relative name ("core",
 * "core.%p"), and a guest's host cwd is kbox's private directory: the
 * core was deleted with it when kbox exited, and the cores of different
 * processes overwrote each other there. When a guest process that did not
 * exit by itself is gone, kbox moves the core files there into the
 * process's cwd in the guest, under the same name, created as the kernel
 * creates a core: by the process (its right to write there, its ids as
 * owner), mode 0600, an older file of that name replaced. A pattern that
 * is a path or a pipe (systemd-coredump, apport) is the host's business.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/cli.h"
#include "kbox/dispatch.h"
#include "kbox/path.h"

#include "route.h"

static long tsys(struct lx_task *t, long nr, long a0, long a1, long a2, long a3)
{
    long args[6] = { a0, a1, a2, a3, 0, 0 };

    return lx_task_syscall(t, nr, args);
}

/* Do core names carry the pid (%p, %P, %i, %I, or core_uses_pid)? */
static bool names_carry_pid(void)
{
    char pat[256] = "", up[8] = "";
    FILE *f = fopen("/proc/sys/kernel/core_pattern", "re");

    if (f) {
        if (!fgets(pat, sizeof(pat), f))
            pat[0] = '\0';
        fclose(f);
    }
    f = fopen("/proc/sys/kernel/core_uses_pid", "re");
    if (f) {
        if (!fgets(up, sizeof(up), f))
            up[0] = '\0';
        fclose(f);
    }
    return strstr(pat, "%p") || strstr(pat, "%P") || strstr(pat, "%i") ||
           strstr(pat, "%I") || atoi(up) == 1;
}

/* Does @name hold @pid as a whole number? */
static bool has_number(const char *name, long pid)
{
    for (const char *s = name; *s; s++) {
        if (isdigit((unsigned char)*s) && (s == name || !isdigit(s[-1])) &&
            strtol(s, NULL, 10) == pid)
            return true;
    }
    return false;
}

/* One write of @n bytes to the core: to lx's file @out, or host fd @hout. */
static long core_write(struct lx_task *t, long out, int hout, const char *p,
                       size_t n)
{
    if (hout >= 0)
        return write(hout, p, n) < 0 ? -errno : (long)n;
    return tsys(t, LX__NR_write, out, (long)p, (long)n, 0);
}

/* Copy host file @name in @dir to the same name in @t's cwd, or in host
 * directory @hdir (a cwd in a bind), owned by the process's ids there
 * when kbox may give them. */
static void move_core(int dir, const char *name, struct lx_task *t, int hdir)
{
    static char buf[1 << 20];
    int in = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), hout = -1;
    long out = -1;
    ssize_t n = 0;

    if (in >= 0 && hdir >= 0) {
        unsigned int uid, gid;

        unlinkat(hdir, name, 0);
        hout =
            openat(hdir, name,
                   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (hout >= 0 && geteuid() == 0 && lx_task_ids(t, &uid, &gid) == 0 &&
            fchown(hout, uid, gid)) {
            /* the host refused: kbox's ids stay */
        }
        out = hout >= 0 ? 0 : -1;
    } else if (in >= 0) {
        tsys(t, LX__NR_unlinkat, AT_FDCWD, (long)name, 0, 0);
        out = tsys(t, LX__NR_openat, AT_FDCWD, (long)name,
                   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    }
    while (out >= 0 && (n = read(in, buf, sizeof(buf))) > 0) {
        for (ssize_t off = 0; off < n;) {
            long w = core_write(t, out, hout, buf + off, (size_t)(n - off));

            if (w <= 0) {
                n = -1;
                break;
            }
            off += w;
        }
        if (n < 0)
            break;
    }
    if (hout >= 0)
        close(hout);
    else if (out >= 0)
        tsys(t, LX__NR_close, out, 0, 0, 0);
    if (in >= 0)
        close(in);
    unlinkat(dir, name, 0);
}

void kbox_core_collect(pid_t tgid, struct lx_task *t, const char *bind_cwd)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    int hdir = -1;
    bool by_pid;
    DIR *d;
    struct dirent *de;

    if (!t || !kbox_sup.exec_dir[0])
        return;
    pthread_mutex_lock(&lock);
    d = opendir(kbox_sup.exec_dir);
    by_pid = d && names_carry_pid();
    while (d && (de = readdir(d))) {
        /* kbox's own entries are directories (aliases) and sockets */
        if (de->d_type != DT_REG || (by_pid && !has_number(de->d_name, tgid)))
            continue;
        if (hdir < 0)
            /* the cwd's directory in a bind, beneath its source (until
             * the sixteenth session the core went into the image
             * directory the bind hides) */
            hdir = kbox_bind_text_dir(bind_cwd);
        move_core(dirfd(d), de->d_name, t, hdir);
    }
    if (d)
        closedir(d);
    if (hdir >= 0)
        close(hdir);
    pthread_mutex_unlock(&lock);
}
