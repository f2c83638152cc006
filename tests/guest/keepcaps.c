/* SPDX-License-Identifier: MIT */
/*
 * prctl on credentials and what exec does to them, as root: with
 * PR_SET_KEEPCAPS a setresuid away from root keeps the permitted set
 * (`setpriv --reuid` failed with "reactivate capabilities": the flag
 * stayed on the host and lx dropped the set); exec then drops it again,
 * keeps ambient capabilities, clears the flag and makes the saved uid
 * the effective one; PR_CAPBSET_DROP and PR_GET_NO_NEW_PRIVS are the
 * guest's own (the latter said 1: kbox's filter sets it on the host).
 * Usage: keepcaps (as root); it runs itself again with a phase argument.
 */
#define _GNU_SOURCE
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

#define BIT(c) (1ull << (c))

struct caps {
    uint64_t eff, perm, inh;
};

static int get_caps(struct caps *c)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];

    if (syscall(SYS_capget, &h, d))
        return -1;
    c->eff = d[0].effective | (uint64_t)d[1].effective << 32;
    c->perm = d[0].permitted | (uint64_t)d[1].permitted << 32;
    c->inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
    return 0;
}

static int set_caps(const struct caps *c)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2] = {
        { (uint32_t)c->eff, (uint32_t)c->perm, (uint32_t)c->inh },
        { (uint32_t)(c->eff >> 32), (uint32_t)(c->perm >> 32),
          (uint32_t)(c->inh >> 32) },
    };

    return (int)syscall(SYS_capset, &h, d);
}

static const char *self;

/* Run @fn in a child; its checks print there; 0 if all passed. */
static int in_child(int (*fn)(void))
{
    int st = 0;
    pid_t p;

    fflush(stdout);
    p = fork();
    if (p == 0) {
        int rc;

        n_ok = n_fail = 0; /* the child's own checks */
        rc = fn();

        fflush(stdout);
        _exit(rc);
    }
    return p > 0 && waitpid(p, &st, 0) == p && WIFEXITED(st) ? WEXITSTATUS(st)
                                                             : 99;
}

static int run_self(const char *phase)
{
    fflush(stdout);
    execl(self, self, phase, (char *)NULL);
    printf("FAIL - exec %s\n", self);
    return 1;
}

static int keep_then_exec(void)
{
    struct caps c = { 0, 0, 0 };

    int got;

    check(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == 0 &&
              prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 1,
          "PR_SET_KEEPCAPS reads back");
    check(setresuid(1000, 1000, 1000) == 0, "setresuid to 1000");
    got = get_caps(&c);
    check(got == 0 && (c.perm & BIT(CAP_NET_BIND_SERVICE)) && c.eff == 0,
          "keepcaps: permitted kept, effective cleared (perm %#llx)",
          (unsigned long long)c.perm);
    c.eff = BIT(CAP_NET_BIND_SERVICE);
    c.inh = BIT(CAP_NET_BIND_SERVICE);
    check(set_caps(&c) == 0, "capset raises one of them again");
    check(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0,
                0) == 0,
          "PR_CAP_AMBIENT_RAISE");
    return n_fail ? 1 : run_self("after-keepcaps");
}

static int after_keepcaps(void)
{
    struct caps c = { 0, 0, 0 };

    int got = get_caps(&c);

    check(got == 0 && c.perm == BIT(CAP_NET_BIND_SERVICE) &&
              c.eff == BIT(CAP_NET_BIND_SERVICE),
          "after exec as 1000: only the ambient capability (perm %#llx)",
          (unsigned long long)c.perm);
    check(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 0, "exec cleared keepcaps");
    return n_fail != 0;
}

static int no_keep(void)
{
    struct caps c = { 0, 0, 0 };

    check(setresuid(1000, 1000, 1000) == 0, "setresuid without keepcaps");
    check(get_caps(&c) == 0 && c.perm == 0, "permitted dropped");
    return n_fail != 0;
}

static int saved_root_then_exec(void)
{
    check(setresuid(1000, 1000, 0) == 0, "setresuid(1000, 1000, 0)");
    return n_fail ? 1 : run_self("after-saved-root");
}

static int after_saved_root(void)
{
    uid_t ru = 0, eu = 0, su = 0;

    int got = getresuid(&ru, &eu, &su);

    check(got == 0 && su == 1000,
          "exec made the saved uid the effective one (%u)", (unsigned)su);
    check(setuid(0) == -1, "root cannot be had back");
    return n_fail != 0;
}

static int drop_bounding(void)
{
    check(prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) == 1,
          "CAP_SYS_ADMIN in the bounding set");
    check(prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) == 0 &&
              prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) == 0,
          "PR_CAPBSET_DROP");
    return n_fail ? 1 : run_self("after-drop");
}

static int after_drop(void)
{
    struct caps c = { 0, 0, 0 };

    check(get_caps(&c) == 0 && !(c.perm & BIT(CAP_SYS_ADMIN)) &&
              (c.perm & BIT(CAP_CHOWN)),
          "root's exec gets the bounding set only");
    return n_fail != 0;
}

static int no_new_privs(void)
{
    check(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0,
          "no_new_privs is not set");
    check(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
              prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1,
          "PR_SET_NO_NEW_PRIVS reads back");
    return n_fail != 0;
}

int main(int argc, char **argv)
{
    self = argv[0];
    if (argc == 2) {
        if (!strcmp(argv[1], "after-keepcaps"))
            return after_keepcaps();
        if (!strcmp(argv[1], "after-saved-root"))
            return after_saved_root();
        if (!strcmp(argv[1], "after-drop"))
            return after_drop();
        return 2;
    }
    if (getuid() != 0 || self[0] != '/') {
        fprintf(stderr, "usage: /ABSOLUTE/PATH/keepcaps (as root)\n");
        return 2;
    }
    check(in_child(keep_then_exec) == 0, "keepcaps across setresuid");
    check(in_child(no_keep) == 0, "no keepcaps");
    check(in_child(saved_root_then_exec) == 0, "saved uid across exec");
    check(in_child(drop_bounding) == 0, "bounding set");
    check(in_child(no_new_privs) == 0, "no_new_privs");
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
