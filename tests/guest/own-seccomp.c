/* SPDX-License-Identifier: MIT */
/*
 * A guest's own seccomp state, not kbox's: PR_GET_SECCOMP and the
 * Seccomp/Seccomp_filters/NoNewPrivs lines of /proc/self/status said
 * 2/1/1 in a process that installed no filter (kbox's filter is on every
 * guest thread), so man-db skipped its sandbox ("seccomp already
 * enabled"); and a user without no_new_privs installed a filter Linux
 * refuses with EACCES (the host task always has no_new_privs). Root has
 * CAP_SYS_ADMIN and needs no no_new_privs. A filter survives exec.
 * Landlock's ABI query is answered as Linux may (kbox said EPERM).
 * Usage: own-seccomp (as root or a user); it runs itself again after exec.
 * Filters of the host's that kbox itself runs under (a container's)
 * are the guest's too, as they would be natively: counted from the start.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static struct sock_filter insns[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 77),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};
static struct sock_fprog prog = { 4, insns };

/* The number after @key in /proc/self/status, or -1. */
static long status_val(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    char l[256];
    long v = -1;
    size_t kl = strlen(key);

    if (!f)
        return -1;
    while (fgets(l, sizeof(l), f))
        if (!strncmp(l, key, kl) && l[kl] == ':')
            v = strtol(l + kl + 1, NULL, 10);
    fclose(f);
    return v;
}

static void check_state(const char *when, int mode, long filters, int nnp)
{
    check(prctl(PR_GET_SECCOMP) == mode, "%s: PR_GET_SECCOMP is %d", when,
          mode);
    check(status_val("Seccomp") == mode, "%s: status Seccomp %d", when, mode);
    check(status_val("Seccomp_filters") == filters,
          "%s: status Seccomp_filters %ld", when, filters);
    check(status_val("NoNewPrivs") == nnp &&
              prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == nnp,
          "%s: NoNewPrivs %d in status and prctl", when, nnp);
}

/* Filters there before ours: an outer sandbox's (argv[2] after exec). */
static long base;

static int finish(void)
{
    printf("%d ok, %d failed\n", n_ok, n_fail);
    fflush(stdout);
    return n_fail ? 1 : 0;
}

int main(int argc, char **argv)
{
    int root = geteuid() == 0, st;
    pid_t p;
    long r;

    if (argc > 2 && !strcmp(argv[1], "after-exec")) {
        base = strtol(argv[2], NULL, 10);
        check_state("after exec", 2, base + 1, 1);
        errno = 0;
        r = syscall(SYS_getppid);
        check(r == -1 && errno == 77, "after exec: the filter still applies");
        return finish();
    }
    base = status_val("Seccomp_filters");
    if (base > 0)
        printf("# %ld filters of an outer sandbox\n", base);
    else
        check_state("start", 0, 0, 0);
    if (base < 0)
        base = 0;
    /* Landlock: there (its ABI version) or not (ENOSYS, EOPNOTSUPP);
     * kbox said EPERM, which Linux never answers this with */
    errno = 0;
    r = syscall(SYS_landlock_create_ruleset, NULL, 0,
                1 /* LANDLOCK_CREATE_RULESET_VERSION */);
    check(r >= 1 || (r == -1 && (errno == ENOSYS || errno == EOPNOTSUPP)),
          "landlock's ABI query: a version, ENOSYS or EOPNOTSUPP (%ld)", r);

    fflush(stdout);
    p = fork();
    if (p == 0) {
        errno = 0;
        r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, NULL);
        check(r == -1 && errno == EFAULT,
              "no program: EFAULT before the privilege check");
        errno = 0;
        r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
        if (root)
            check(r == 0, "root installs a filter without no_new_privs");
        else
            check(r == -1 && errno == EACCES,
                  "a user without no_new_privs: seccomp() is EACCES");
        errno = 0;
        r = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
        if (root)
            check(r == 0, "root: PR_SET_SECCOMP without no_new_privs");
        else
            check(r == -1 && errno == EACCES,
                  "a user without no_new_privs: PR_SET_SECCOMP is EACCES");
        if (!root) {
            errno = 0;
            r = syscall(SYS_getppid);
            check(r > 0, "no filter was installed");
        }
        _exit(finish());
    }
    check(waitpid(p, &st, 0) == p && WIFEXITED(st) && !WEXITSTATUS(st),
          "no_new_privs child passed");

    fflush(stdout);
    p = fork();
    if (p == 0) {
        check(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, "no_new_privs set");
        check(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0,
              "filter installed");
        errno = 0;
        r = syscall(SYS_getppid);
        check(r == -1 && errno == 77, "the filter applies");
        check_state("own filter", 2, base + 1, 1);
        fflush(stdout);
        {
            char b[32];

            snprintf(b, sizeof(b), "%ld", base);
            execl(argv[0], argv[0], "after-exec", b, (char *)NULL);
        }
        check(0, "exec");
        _exit(finish());
    }
    check(waitpid(p, &st, 0) == p && WIFEXITED(st) && !WEXITSTATUS(st),
          "filtered child passed");
    return finish();
}
