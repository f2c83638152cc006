/* SPDX-License-Identifier: MIT */
/*
 * The guard: what ends the guest when kbox itself is killed.
 *
 * kbox serves and reaps every guest process (it is their subreaper). If
 * kbox is killed (SIGKILL, the OOM killer), they ran on against a closed
 * listener: every supervised call failed with ENOSYS and a shell blocked
 * reading the terminal stayed for ever. The guard is a small process that
 * shares kbox's fd table (CLONE_FILES), so it holds the pidfd kbox keeps
 * of each guest process (src/dispatch/proc.c) as they come and go. When
 * kbox's main thread has ended (its parent-death signal), it sends
 * SIGKILL through every pidfd in that table and exits. A normal exit,
 * once every guest process is gone, stops it first (kbox_guard_stop).
 *
 * It has a process group of its own: a SIGKILL to kbox's group (timeout
 * -s KILL, kill -9 -PGID) took the guard down with kbox, and the guest's
 * daemons, which had left that group (setsid), ran on half-dead (nginx
 * held its port and answered nothing).
 *
 * Its command line is "kbox-guard", not a copy of kbox's: `pkill -9 -f
 * 'kbox -S img'`, or any kill by kbox's command line, matched both, and
 * the guest's daemons ran on half-dead after it (nginx, postgres, redis
 * with the image gone).
 *
 * Its exit signal is 0, so kbox's waits for guest processes (waitid
 * without __WALL) never see it. It makes raw system calls only: it is a
 * copy of kbox's memory taken at any point, locks and all.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kbox/guard.h"

#define GUARD_SIG SIGUSR2

struct dirent64_hdr {
    unsigned long long ino;
    long long off;
    unsigned short reclen;
    unsigned char type;
    char name[];
};

static long rsys(long nr, long a, long b, long c, long d)
{
    return syscall(nr, a, b, c, d);
}

static int is_pidfd(int fd)
{
    char link[64], target[32];
    long n;

    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    n = rsys(SYS_readlink, (long)link, (long)target, sizeof(target) - 1, 0);
    if (n <= 0)
        return 0;
    target[n] = '\0';
    return !strcmp(target, "anon_inode:[pidfd]");
}

/* SIGKILL through every pidfd in the (shared) fd table. */
static void kill_all(void)
{
    char buf[4096];
    long dir = rsys(SYS_open, (long)"/proc/self/fd",
                    O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, 0);
    long n;

    if (dir < 0)
        return;
    while ((n = rsys(SYS_getdents64, dir, (long)buf, sizeof(buf), 0)) > 0) {
        for (long off = 0; off < n;) {
            struct dirent64_hdr *d = (struct dirent64_hdr *)(buf + off);
            int fd = 0;
            const char *p = d->name;

            off += d->reclen;
            if (*p < '0' || *p > '9')
                continue;
            for (; *p >= '0' && *p <= '9'; p++)
                fd = fd * 10 + (*p - '0');
            if (fd != dir && is_pidfd(fd))
                rsys(SYS_pidfd_send_signal, fd, SIGKILL, 0, 0);
        }
    }
    rsys(SYS_close, dir, 0, 0, 0);
}

/* Field N (1-based, N >= 3) of /proc/self/stat as a number, or 0. */
static unsigned long stat_field(const char *stat, int n)
{
    const char *p = strrchr(stat, ')');
    unsigned long v = 0;
    int f = 2;

    if (!p)
        return 0;
    for (p++; *p && f < n; p++)
        if (*p == ' ')
            f++;
    for (; *p >= '0' && *p <= '9'; p++)
        v = v * 10 + (unsigned long)(*p - '0');
    return f == n ? v : 0;
}

/*
 * Overwrite our copy of kbox's argument strings (our memory is our own):
 * /proc/<pid>/cmdline reads them, so a kill by kbox's command line no
 * longer matches the process that cleans up after kbox.
 */
static void set_title(void)
{
    static const char title[] = "kbox-guard";
    char stat[1024];
    unsigned long start, end, len;
    long fd =
        rsys(SYS_open, (long)"/proc/self/stat", O_RDONLY | O_CLOEXEC, 0, 0);
    long n;

    if (fd < 0)
        return;
    n = rsys(SYS_read, fd, (long)stat, sizeof(stat) - 1, 0);
    rsys(SYS_close, fd, 0, 0, 0);
    if (n <= 0)
        return;
    stat[n] = '\0';
    start = stat_field(stat, 48); /* arg_start */
    end = stat_field(stat, 49);   /* arg_end */
    if (!start || end <= start)
        return;
    len = end - start;
    memset((void *)start, 0, len);
    memcpy((void *)start, title,
           len - 1 < sizeof(title) - 1 ? len - 1 : sizeof(title) - 1);
}

static void guard_main(pid_t kbox)
{
    sigset_t all, one;

    /* Ctrl-C, SIGTERM to the process group: for kbox, not for us. */
    sigfillset(&all);
    rsys(SYS_rt_sigprocmask, SIG_SETMASK, (long)&all, 0, sizeof(long));
    rsys(SYS_setpgid, 0, 0, 0, 0); /* kbox sets it too: either is first */
    rsys(SYS_prctl, PR_SET_NAME, (long)"kbox-guard", 0, 0);
    set_title();
    rsys(SYS_prctl, PR_SET_PDEATHSIG, GUARD_SIG, 0, 0);
    sigemptyset(&one);
    sigaddset(&one, GUARD_SIG);
    /* a GUARD_SIG someone else sent while kbox lives is ignored */
    while (rsys(SYS_getppid, 0, 0, 0, 0) == kbox)
        rsys(SYS_rt_sigtimedwait, (long)&one, 0, 0, sizeof(long));
    kill_all();
    rsys(SYS_exit, 0, 0, 0, 0);
}

static pid_t guard_pid;

int kbox_guard_pid(void)
{
    return (int)guard_pid;
}

int kbox_guard_start(void)
{
    pid_t kbox = getpid();
    long pid = rsys(SYS_clone, CLONE_FILES, 0, 0, 0);

    if (pid < 0)
        return -errno;
    if (pid == 0)
        guard_main(kbox); /* does not return */
    setpgid((pid_t)pid, (pid_t)pid);
    guard_pid = (pid_t)pid;
    return 0;
}

void kbox_guard_stop(void)
{
    siginfo_t si;

    if (guard_pid <= 0)
        return;
    kill(guard_pid, SIGKILL);
    while (waitid(P_PID, (id_t)guard_pid, &si, WEXITED | __WALL) < 0 &&
           errno == EINTR)
        ;
    guard_pid = 0;
}
