/* SPDX-License-Identifier: MIT */
/*
 * zombie-target: each call that names a process, on an unreaped zombie
 * child (exited, held by waitid(WNOWAIT)). Prints "name ok" or
 * "name <errno name>" per call, for comparison with Linux: a zombie is
 * still a process there until its parent reaps it.
 *
 * zombie-target other: run as root; the parent becomes uid 1000 once
 * its root child is a zombie, so Linux's permission checks (kept
 * credentials of the zombie) refuse the changes and signals with EPERM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *name, long rc)
{
    if (rc < 0)
        printf("%s %s\n", name, strerrorname_np(errno));
    else
        printf("%s ok\n", name);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    pid_t pid = fork();
    siginfo_t si;
    struct sched_param sp = { 0 };
    struct rlimit rl;
    cpu_set_t set;
    struct timespec ts;
    uint32_t attr[14] = { 0 };
    long pidfd;
    pid_t live = 0;
    int rc, livew = -1;

    if (pid < 0)
        return 1;
    if (!pid)
        _exit(3);
    if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT))
        return 1;
    if (argc > 1 && !strcmp(argv[1], "other")) {
        /* and a live root child, which ends when the pipe closes */
        int pfd[2];
        char c;

        if (pipe(pfd) || (live = fork()) < 0)
            return 1;
        if (!live) {
            close(pfd[1]);
            _exit(read(pfd[0], &c, 1) == 0 ? 0 : 1);
        }
        close(pfd[0]);
        livew = pfd[1];
        if (setresuid(1000, 1000, 1000))
            return 1;
    }

    errno = 0;
    rc = getpriority(PRIO_PROCESS, (id_t)pid);
    show("getpriority", errno ? -1 : rc);
    show("setpriority", setpriority(PRIO_PROCESS, (id_t)pid, 5));
    show("sched_getparam", sched_getparam(pid, &sp));
    show("sched_getscheduler", sched_getscheduler(pid));
    show("sched_getaffinity", sched_getaffinity(pid, sizeof(set), &set));
    show("sched_rr_get_interval", sched_rr_get_interval(pid, &ts));
    show("sched_getattr",
         syscall(SYS_sched_getattr, pid, attr, sizeof(attr), 0));
    show("getpgid", getpgid(pid));
    show("getsid", getsid(pid));
    show("prlimit_get", prlimit(pid, RLIMIT_NOFILE, NULL, &rl));
    show("ioprio_get", syscall(SYS_ioprio_get, 1, pid));
    show("ioprio_set", syscall(SYS_ioprio_set, 1, pid, (2 << 13) | 4));
    show("rt_sigqueueinfo0", ({
             siginfo_t q = { .si_signo = 0, .si_code = SI_QUEUE };
             syscall(SYS_rt_sigqueueinfo, pid, 0, &q);
         }));
    show("rt_sigqueueinfo", ({
             siginfo_t q = { .si_signo = SIGTERM, .si_code = SI_QUEUE };
             syscall(SYS_rt_sigqueueinfo, pid, SIGTERM, &q);
         }));
    show("tgkill0", syscall(SYS_tgkill, pid, pid, 0));
    show("tgkill", syscall(SYS_tgkill, pid, pid, SIGTERM));
    show("tkill0", syscall(SYS_tkill, pid, 0));
    show("rt_tgsigqueueinfo", ({
             siginfo_t q = { .si_signo = SIGTERM, .si_code = SI_QUEUE };
             syscall(SYS_rt_tgsigqueueinfo, pid, pid, SIGTERM, &q);
         }));
    show("kill0", kill(pid, 0));
    pidfd = syscall(SYS_pidfd_open, pid, 0);
    show("pidfd_open", pidfd);
    if (pidfd >= 0) {
        show("pidfd_send_signal0",
             syscall(SYS_pidfd_send_signal, (int)pidfd, 0, NULL, 0));
        memset(&si, 0, sizeof(si));
        rc = waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED | WNOWAIT);
        show("waitid_pidfd", rc);
        if (!rc && (si.si_pid != pid || si.si_status != 3))
            printf("waitid_pidfd wrong %d %d\n", si.si_pid, si.si_status);
    }
    show("sched_setaffinity", sched_setaffinity(pid, sizeof(set), &set));
    sp.sched_priority = 0;
    show("sched_setscheduler", sched_setscheduler(pid, SCHED_OTHER, &sp));
    show("sched_setparam", sched_setparam(pid, &sp));
    show("setpgid", setpgid(pid, pid));
    show("get_robust_list", ({
             void *h;
             size_t l;
             syscall(SYS_get_robust_list, pid, &h, &l);
         }));
    if (live) {
        pidfd = syscall(SYS_pidfd_open, live, 0);
        show("live_pidfd_open", pidfd);
        show("live_pidfd_send_signal",
             syscall(SYS_pidfd_send_signal, (int)pidfd, SIGTERM, NULL, 0));
        close(livew);
        if (waitpid(live, &rc, 0) != live || !WIFEXITED(rc) || WEXITSTATUS(rc))
            printf("live child wrong\n");
    }
    if (waitpid(pid, &rc, 0) != pid || !WIFEXITED(rc) || WEXITSTATUS(rc) != 3)
        printf("reap wrong\n");
    show("after_reap_getpriority",
         (errno = 0, getpriority(PRIO_PROCESS, (id_t)pid), errno ? -1 : 0));
    show("after_reap_getsid", getsid(pid));
    printf("done\n");
    return 0;
}
