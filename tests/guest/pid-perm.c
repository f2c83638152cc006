/* SPDX-License-Identifier: MIT */
/*
 * pid-perm: the calls that change or read another process by pid and
 * check the caller's credentials against the target's, between guest
 * users. Run as root: it makes targets with chosen ids (live, and
 * zombies held by waitid(WNOWAIT)), then callers with chosen ids, and
 * prints "caller target call result" per call, for comparison with
 * Linux (each call's rule: prlimit64 check_prlimit_permission,
 * get_robust_list ptrace_may_access, the sched_* calls and setpriority
 * check_same_owner/set_one_prio_perm, ioprio_set set_task_ioprio).
 * Every change asked is to the value the target already has.
 *
 * Callers: u1000 (uid, euid, suid and gids 1000), e1000 (uid 0, euid
 * 1000, suid 0, gids 0). Targets: root (all 0), mix (uid 2000, euid
 * 1000, suid 2000, gids 0), u1000 (all 1000); l = live, z = zombie.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct target {
    const char *name;
    pid_t pid;
    int ioprio; /* its ioprio_get, read as root */
};

static void show(const char *who, const char *tname, const char *call, long rc)
{
    printf("%s %s %s %s\n", who, tname, call,
           rc < 0 ? strerrorname_np(errno) : "ok");
    fflush(stdout);
}

static int set_ids(uid_t r, uid_t e, uid_t s, gid_t g)
{
    gid_t gl[1] = { g };

    return setgroups(1, gl) || setresgid(g, g, g) || setresuid(r, e, s);
}

/* A child with the ids given that waits for @fd[0] to close (@zombie: that
 * exits at once and is left unreaped). */
static pid_t make_target(uid_t r, uid_t e, uid_t s, gid_t g, const int *fd,
                         bool zombie)
{
    siginfo_t si;
    char c;
    int ready[2];
    pid_t pid;

    if (pipe(ready) || (pid = fork()) < 0)
        exit(1);
    if (!pid) {
        close(fd[1]);
        if (set_ids(r, e, s, g))
            _exit(2);
        if (zombie)
            _exit(0);
        if (write(ready[1], "r", 1) != 1)
            _exit(3);
        _exit(read(fd[0], &c, 1) == 0 ? 0 : 1);
    }
    close(ready[1]);
    /* its ids are set before any caller looks */
    if (!zombie && read(ready[0], &c, 1) != 1)
        exit(1);
    close(ready[0]);
    if (zombie && waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT))
        exit(1);
    return pid;
}

static void calls(const char *who, const struct target *t)
{
    struct rlimit rl;
    cpu_set_t set;
    struct sched_param sp = { 0 };
    uint32_t attr[12] = { 48, SCHED_OTHER, 0x18 /* KEEP_POLICY|PARAMS */ };
    long head, len;
    int nice;

    getrlimit(RLIMIT_NOFILE, &rl); /* the same in every process here */
    show(who, t->name, "prlimit_get",
         prlimit(t->pid, RLIMIT_NOFILE, NULL, &rl));
    getrlimit(RLIMIT_NOFILE, &rl);
    show(who, t->name, "prlimit_set",
         prlimit(t->pid, RLIMIT_NOFILE, &rl, NULL));
    show(who, t->name, "get_robust_list",
         syscall(SYS_get_robust_list, t->pid, &head, &len));
    CPU_ZERO(&set);
    sched_getaffinity(0, sizeof(set), &set);
    show(who, t->name, "sched_setaffinity",
         sched_setaffinity(t->pid, sizeof(set), &set));
    show(who, t->name, "sched_setscheduler",
         sched_setscheduler(t->pid, SCHED_OTHER, &sp));
    show(who, t->name, "sched_setparam", sched_setparam(t->pid, &sp));
    show(who, t->name, "sched_setattr",
         syscall(SYS_sched_setattr, t->pid, attr, 0));
    errno = 0;
    nice = getpriority(PRIO_PROCESS, (id_t)t->pid);
    show(who, t->name, "setpriority",
         errno ? -1 : setpriority(PRIO_PROCESS, (id_t)t->pid, nice));
    show(who, t->name, "ioprio_set",
         t->ioprio < 0 ? -1 : syscall(SYS_ioprio_set, 1, t->pid, t->ioprio));
}

int main(void)
{
    struct target t[6] = {
        { "root-l", 0, 0 }, { "root-z", 0, 0 },  { "mix-l", 0, 0 },
        { "mix-z", 0, 0 },  { "u1000-l", 0, 0 }, { "u1000-z", 0, 0 },
    };
    static const struct {
        const char *name;
        uid_t r, e, s;
        gid_t g;
        int first, n; /* targets */
    } callers[] = {
        { "u1000", 1000, 1000, 1000, 1000, 0, 6 },
        { "e1000", 0, 1000, 0, 0, 0, 2 },
    };
    int hold[2], status;

    if (getuid() != 0) {
        printf("FAIL - run as root\n");
        return 1;
    }
    if (pipe(hold))
        return 1;
    t[0].pid = make_target(0, 0, 0, 0, hold, false);
    t[1].pid = make_target(0, 0, 0, 0, hold, true);
    t[2].pid = make_target(2000, 1000, 2000, 0, hold, false);
    t[3].pid = make_target(2000, 1000, 2000, 0, hold, true);
    t[4].pid = make_target(1000, 1000, 1000, 1000, hold, false);
    t[5].pid = make_target(1000, 1000, 1000, 1000, hold, true);
    close(hold[0]);
    for (int i = 0; i < 6; i++)
        t[i].ioprio = (int)syscall(SYS_ioprio_get, 1, t[i].pid);

    for (size_t c = 0; c < sizeof(callers) / sizeof(callers[0]); c++) {
        pid_t pid = fork();

        if (pid < 0)
            return 1;
        if (!pid) {
            if (set_ids(callers[c].r, callers[c].e, callers[c].s,
                        callers[c].g)) {
                printf("FAIL - %s: cannot set ids\n", callers[c].name);
                _exit(1);
            }
            for (int i = callers[c].first; i < callers[c].first + callers[c].n;
                 i++)
                calls(callers[c].name, &t[i]);
            _exit(0);
        }
        if (waitpid(pid, &status, 0) != pid || status) {
            printf("FAIL - caller %s ended with status %#x\n", callers[c].name,
                   status);
            return 1;
        }
    }
    close(hold[1]);
    for (int i = 0; i < 6; i++)
        if (waitpid(t[i].pid, &status, 0) != t[i].pid || status) {
            printf("FAIL - target %s ended with status %#x\n", t[i].name,
                   status);
            return 1;
        }
    printf("done\n");
    return 0;
}
