/* SPDX-License-Identifier: MIT */
/*
 * signal-targets: calls that name another process reach guest processes
 * only. A host process (HOSTPID, given by the caller, not in the guest)
 * cannot be signalled, reniced, re-limited or pinned: ESRCH, as for a pid
 * that does not exist, which is what the guest's /proc says of it. Guest
 * processes can, with the kernel's permission check in guest terms (run
 * as root: a child that became uid 1000 may not signal its root parent).
 *
 * Usage: signal-targets HOSTPID
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static volatile sig_atomic_t got_usr1, got_usr2;

static void on_usr1(int s)
{
    (void)s;
    got_usr1++;
}

static void on_usr2(int s)
{
    (void)s;
    got_usr2++;
}

static int fails_esrch(long rc)
{
    int ok = rc == -1 && errno == ESRCH;

    errno = 0;
    return ok;
}

static void host_process(pid_t host)
{
    struct rlimit rl;
    struct stat st;
    cpu_set_t set;
    char path[64];

    snprintf(path, sizeof(path), "/proc/%d", (int)host);
    check(stat(path, &st) != 0, "/proc has no entry for host pid %d",
          (int)host);
    check(fails_esrch(kill(host, 0)), "kill(host, 0): ESRCH");
    check(fails_esrch(kill(host, SIGTERM)), "kill(host, SIGTERM): ESRCH");
    check(fails_esrch(syscall(SYS_tgkill, host, host, SIGTERM)),
          "tgkill(host): ESRCH");
    check(fails_esrch(syscall(SYS_tkill, host, SIGTERM)), "tkill(host): ESRCH");
    check(fails_esrch(syscall(SYS_pidfd_open, host, 0)),
          "pidfd_open(host): ESRCH");
    check(fails_esrch(prlimit(host, RLIMIT_NOFILE, NULL, &rl)),
          "prlimit(host): ESRCH");
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    check(fails_esrch(sched_setaffinity(host, sizeof(set), &set)),
          "sched_setaffinity(host): ESRCH");
    check(fails_esrch(setpriority(PRIO_PROCESS, (id_t)host, 10)),
          "setpriority(host): ESRCH");
    check(fails_esrch(getpgid(host)), "getpgid(host): ESRCH");
    check(fails_esrch(syscall(SYS_ioprio_get, 1, host)),
          "ioprio_get(host): ESRCH");
    check(fails_esrch(syscall(SYS_ioprio_set, 1, host, 0)),
          "ioprio_set(host): ESRCH");
    {
        void *head;
        size_t len;

        check(fails_esrch(syscall(SYS_get_robust_list, host, &head, &len)),
              "get_robust_list(host): ESRCH");
    }
    check(fails_esrch(kill(-getpgid(host), 0)) || getpgid(0) == getpgid(host),
          "kill(-hostgroup, 0): ESRCH");
}

static void *thread_main(void *arg)
{
    (void)arg;
    pause();
    return NULL;
}

static void guest_processes(void)
{
    struct rlimit rl = { 100, 200 }, got;
    pthread_t th;
    pid_t child, me = getpid();
    int st, pfd;

    /* a child: signalled, limited, grouped, by pidfd */
    child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    check(kill(child, 0) == 0, "kill(child, 0)");
    check(prlimit(child, RLIMIT_NOFILE, &rl, NULL) == 0 &&
              prlimit(child, RLIMIT_NOFILE, NULL, &got) == 0 &&
              got.rlim_cur == 100,
          "prlimit on the child");
    check(setpgid(child, child) == 0 && getpgid(child) == child,
          "setpgid/getpgid of the child");
    /* I/O priority: IOPRIO_WHO_PROCESS (1), best-effort class (2) level 7 */
    check(syscall(SYS_ioprio_set, 1, child, (2 << 13) | 7) == 0 &&
              syscall(SYS_ioprio_get, 1, child) == ((2 << 13) | 7),
          "ioprio_set/ioprio_get of the child (was ENOSYS)");
    check(syscall(SYS_ioprio_get, 1, 0) >= 0, "ioprio_get of itself");
    /* personality: asking works (it was EPERM) */
    check(syscall(SYS_personality, 0xffffffffUL) >= 0, "personality query");
    check(kill(-child, 0) == 0, "kill(-childgroup, 0)");
    pfd = (int)syscall(SYS_pidfd_open, child, 0);
    check(pfd >= 0 &&
              syscall(SYS_pidfd_send_signal, pfd, SIGTERM, NULL, 0) == 0,
          "pidfd_open + pidfd_send_signal to the child");
    check(waitpid(child, &st, 0) == child && WIFSIGNALED(st) &&
              WTERMSIG(st) == SIGTERM,
          "the child died of it");
    if (pfd >= 0)
        close(pfd);

    /* its own threads and itself */
    check(pthread_create(&th, NULL, thread_main, NULL) == 0, "a thread");
    check(pthread_kill(th, SIGUSR2) == 0, "pthread_kill (tgkill) of it");
    while (!got_usr2)
        usleep(1000);
    check(raise(SIGUSR1) == 0 && got_usr1 == 1, "raise");

    /* kill(-1) from a child reaches this process, not the host's */
    child = fork();
    if (child == 0)
        _exit(kill(-1, SIGUSR1) == 0 ? 0 : 1);
    check(waitpid(child, &st, 0) == child && WIFEXITED(st) && !WEXITSTATUS(st),
          "kill(-1, SIGUSR1) in a child succeeds");
    while (got_usr1 < 2)
        usleep(1000);
    check(got_usr1 == 2, "and reaches its parent");

    /* permission in guest terms: a uid 1000 child and its root parent */
    if (getuid() == 0) {
        child = fork();
        if (child == 0) {
            if (setuid(1000))
                _exit(2);
            errno = 0;
            _exit(kill(me, SIGUSR1) == -1 && errno == EPERM ? 0 : 1);
        }
        check(waitpid(child, &st, 0) == child && WIFEXITED(st) &&
                  !WEXITSTATUS(st),
              "a uid 1000 child may not signal its root parent: EPERM");
    }
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGUSR1, on_usr1);
    signal(SIGUSR2, on_usr2);
    if (argc > 1)
        host_process((pid_t)atoi(argv[1]));
    guest_processes();
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
