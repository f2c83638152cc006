/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: the BPF filter builder. A small interpreter checks every
 * syscall number against the policy; real filters are installed in forked
 * children to check the host kernel agrees.
 */
#define _GNU_SOURCE
#define KTEST_IMPLEMENTATION
#include "ktest.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <sched.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kbox/bpf.h"
#include "kbox/policy.h"

static struct sock_filter prog[KBOX_BPF_MAX_INSNS];

/* Minimal classic-BPF interpreter for the instructions the builder emits. */
static uint32_t run(const struct sock_filter *p, int n,
                    const struct seccomp_data *d)
{
    uint32_t a = 0;
    int pc = 0;

    while (pc < n) {
        const struct sock_filter *f = &p[pc];

        switch (f->code) {
        case BPF_LD | BPF_W | BPF_ABS:
            if (f->k + 4 > sizeof(*d))
                return 0xdeadbeef;
            memcpy(&a, (const char *)d + f->k, 4);
            pc++;
            break;
        case BPF_ALU | BPF_AND | BPF_K:
            a &= f->k;
            pc++;
            break;
        case BPF_JMP | BPF_JA:
            pc += 1 + (int)f->k;
            break;
        case BPF_JMP | BPF_JEQ | BPF_K:
            pc += 1 + (a == f->k ? f->jt : f->jf);
            break;
        case BPF_JMP | BPF_JGE | BPF_K:
            pc += 1 + (a >= f->k ? f->jt : f->jf);
            break;
        case BPF_RET | BPF_K:
            return f->k;
        default:
            return 0xbadc0de;
        }
    }
    return 0xfa11;
}

/* one call: arch, number and the arguments a[0..5] */
static uint32_t eval_call(int n, uint32_t arch, uint32_t nr,
                          const uint64_t a[6])
{
    struct seccomp_data d;

    memset(&d, 0, sizeof(d));
    d.arch = arch;
    d.nr = (int)nr;
    memcpy(d.args, a, sizeof(d.args));
    return run(prog, n, &d);
}

static uint32_t eval(int n, uint32_t arch, uint32_t nr, uint64_t a0,
                     uint64_t a3)
{
    const uint64_t a[6] = { a0, 0, 0, a3, 0, 0 };

    return eval_call(n, arch, nr, a);
}

/* x86_64 call with its first three arguments */
static uint32_t eval012(int n, uint32_t nr, uint64_t a0, uint64_t a1,
                        uint64_t a2)
{
    const uint64_t a[6] = { a0, a1, a2, 0, 0, 0 };

    return eval_call(n, AUDIT_ARCH_X86_64, nr, a);
}

static uint32_t eval01(int n, uint32_t nr, uint64_t a0, uint64_t a1)
{
    return eval012(n, nr, a0, a1, 0);
}

KTEST(policy_every_number)
{
    struct kbox_bpf_spec s;
    int n;

    kbox_policy_spec(&s);
    n = kbox_bpf_build(&s, prog, KBOX_BPF_MAX_INSNS);
    KT_ASSERT(n > 0);
    for (int nr = 0; nr < KBOX_NR_COUNT + 100; nr++) {
        uint32_t got = eval(n, AUDIT_ARCH_X86_64, (uint32_t)nr, 0, 0);
        uint32_t want = kbox_bpf_ret(kbox_policy_act(nr));

        /* a number with an argument rule: all arguments are 0 here */
        for (int i = 0; i < s.nrules; i++)
            if (s.rules[i].nr == nr)
                want = kbox_bpf_ret(kbox_bpf_rule_matches(&s.rules[i], 0)
                                        ? s.rules[i].match
                                        : s.rules[i].nomatch);
        if (got != want)
            KT_FAIL("nr %d (%s): got %#x want %#x", nr, kbox_syscall_name(nr),
                    got, want);
    }
}

KTEST(policy_specifics)
{
    struct kbox_bpf_spec s;
    int n;

    kbox_policy_spec(&s);
    n = kbox_bpf_build(&s, prog, KBOX_BPF_MAX_INSNS);
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_getpid, 0, 0), SECCOMP_RET_ALLOW);
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_openat, 0, 0), SECCOMP_RET_USER_NOTIF);
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_ptrace, 0, 0),
          SECCOMP_RET_ERRNO | EPERM);
    /* clone3's flags are in memory: the supervisor reads them */
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_clone3, 0, 0), SECCOMP_RET_USER_NOTIF);
    /* calls naming a process: the caller itself (0) allowed, others
     * notified (the supervisor lets only guest targets through) */
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_kill, 0, 0), SECCOMP_RET_USER_NOTIF);
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_kill, 1, 0), SECCOMP_RET_USER_NOTIF);
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_kill, (uint32_t)-1, 0),
          SECCOMP_RET_USER_NOTIF);
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_tgkill, 0, 0), SECCOMP_RET_USER_NOTIF);
    /* prlimit64 and setrlimit setting a limit on itself too: RLIMIT_FSIZE
     * goes to lx; a query of its own limits (new NULL) is allowed */
    KT_EQ(eval012(n, SYS_prlimit64, 0, RLIMIT_STACK, 0), SECCOMP_RET_ALLOW);
    KT_EQ(eval012(n, SYS_prlimit64, 0, RLIMIT_FSIZE, 0x7ffd1000),
          SECCOMP_RET_USER_NOTIF);
    /* a pointer whose low word is 0 is not NULL */
    KT_EQ(eval012(n, SYS_prlimit64, 0, RLIMIT_FSIZE, 0x7f0000000000ull),
          SECCOMP_RET_USER_NOTIF);
    KT_EQ(eval012(n, SYS_prlimit64, 4242, RLIMIT_STACK, 0),
          SECCOMP_RET_USER_NOTIF);
    KT_EQ(eval012(n, SYS_prlimit64, (uint64_t)1 << 32, RLIMIT_STACK, 0),
          SECCOMP_RET_ALLOW); /* pid_t is the low word, as for kill */
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_setrlimit, RLIMIT_FSIZE, 0),
          SECCOMP_RET_USER_NOTIF);
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_getrlimit, RLIMIT_FSIZE, 0),
          SECCOMP_RET_ALLOW);
    /* prctl: PR_SET_DUMPABLE and the options on credentials notified
     * (a rule with several values), the rest allowed */
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_prctl, PR_SET_DUMPABLE, 0),
          SECCOMP_RET_USER_NOTIF);
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_prctl, PR_SET_KEEPCAPS, 0),
          SECCOMP_RET_USER_NOTIF);
    /* lx's task answers it (a rootless kbox keeps the host's at 1) */
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_prctl, PR_GET_DUMPABLE, 0),
          SECCOMP_RET_USER_NOTIF);
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_prctl, PR_CAP_AMBIENT, 0),
          SECCOMP_RET_USER_NOTIF);
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_prctl, PR_GET_NO_NEW_PRIVS, 0),
          SECCOMP_RET_USER_NOTIF);
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_prctl, PR_SET_NAME, 0),
          SECCOMP_RET_ALLOW);
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_prctl, PR_SET_TIMERSLACK, 0),
          SECCOMP_RET_ALLOW);
    /* the first process's parent-death signal is emulated (sys.c) */
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_prctl, PR_SET_PDEATHSIG, 0),
          SECCOMP_RET_USER_NOTIF);
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_prctl, PR_GET_PDEATHSIG, 0),
          SECCOMP_RET_USER_NOTIF);
    /* personality: a query is the host's, a change is lx's too */
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_personality, 0xffffffffu, 0),
          SECCOMP_RET_ALLOW);
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_personality, 0x0040000, 0),
          SECCOMP_RET_USER_NOTIF);
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_sched_setaffinity, 7, 0),
          SECCOMP_RET_USER_NOTIF);
    /* datagram, raw and packet sockets are looked at (NETLINK_AUDIT,
     * CAP_NET_RAW, netlink's CAP_NET_ADMIN), stream sockets allowed */
    KT_EQ(eval01(n, SYS_socket, AF_NETLINK, SOCK_RAW), SECCOMP_RET_USER_NOTIF);
    KT_EQ(eval01(n, SYS_socket, AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC),
          SECCOMP_RET_USER_NOTIF);
    KT_EQ(eval01(n, SYS_socket, AF_PACKET, SOCK_PACKET),
          SECCOMP_RET_USER_NOTIF);
    /* setsockopt numbers that may need CAP_NET_ADMIN/RAW are looked at */
    KT_EQ(eval012(n, SYS_setsockopt, 3, SOL_SOCKET, SO_MARK),
          SECCOMP_RET_USER_NOTIF);
    KT_EQ(eval012(n, SYS_setsockopt, 3, SOL_SOCKET, SO_PRIORITY),
          SECCOMP_RET_USER_NOTIF);
    KT_EQ(eval012(n, SYS_setsockopt, 3, SOL_SOCKET, SO_RCVBUFFORCE),
          SECCOMP_RET_USER_NOTIF);
    KT_EQ(eval012(n, SYS_setsockopt, 3, SOL_IP, 19 /* IP_TRANSPARENT */),
          SECCOMP_RET_USER_NOTIF);
    KT_EQ(eval012(n, SYS_setsockopt, 3, SOL_SOCKET, SO_REUSEADDR),
          SECCOMP_RET_ALLOW);
    KT_EQ(eval012(n, SYS_setsockopt, 3, IPPROTO_TCP, 1 /* TCP_NODELAY */),
          SECCOMP_RET_ALLOW);
    KT_EQ(eval01(n, SYS_socket, AF_INET, SOCK_STREAM), SECCOMP_RET_ALLOW);
    KT_EQ(eval01(n, SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK),
          SECCOMP_RET_ALLOW);
    /* raising a priority is checked in guest terms, also on the caller */
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_sched_setscheduler, 0, 0),
          SECCOMP_RET_USER_NOTIF);
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_setpriority, 0, 0),
          SECCOMP_RET_USER_NOTIF);
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_getpriority, 0, 0), SECCOMP_RET_ALLOW);
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_pidfd_open, 0, 0),
          SECCOMP_RET_USER_NOTIF);
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_get_robust_list, 0, 0),
          SECCOMP_RET_ALLOW);
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_get_robust_list, 1, 0),
          SECCOMP_RET_USER_NOTIF);
    /* mmap: anonymous allowed, file-backed notified. */
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_mmap, 0, MAP_PRIVATE | MAP_ANONYMOUS),
          SECCOMP_RET_ALLOW);
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_mmap, 0,
               0xffffffff00000000ull | MAP_PRIVATE),
          SECCOMP_RET_USER_NOTIF);
    /* clone: namespaces denied, plain fork/thread notified. */
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_clone, CLONE_NEWUSER | SIGCHLD, 0),
          SECCOMP_RET_ERRNO | EPERM);
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, SYS_clone,
               CLONE_VM | CLONE_THREAD | CLONE_SIGHAND, 0),
          SECCOMP_RET_USER_NOTIF);
    /* x32 and wrong arch. */
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, 0x40000000u | SYS_openat, 0, 0),
          SECCOMP_RET_ERRNO | ENOSYS);
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, 0xffffffffu, 0, 0),
          SECCOMP_RET_ERRNO | ENOSYS);
    KT_EQ(eval(n, AUDIT_ARCH_I386, SYS_getpid, 0, 0),
          SECCOMP_RET_ERRNO | ENOSYS);
    KT_EQ(eval(n, AUDIT_ARCH_I386, 20 /* i386 getpid */, 0, 0),
          SECCOMP_RET_ERRNO | ENOSYS);
    /* Beyond the table: notified (the dispatcher answers ENOSYS). */
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, 1000, 0, 0), SECCOMP_RET_USER_NOTIF);
}

KTEST(small_and_degenerate_specs)
{
    uint8_t acts[4] = { KBOX_BPF_ALLOW, KBOX_BPF_ALLOW, KBOX_BPF_ALLOW,
                        KBOX_BPF_ALLOW };
    struct kbox_bpf_spec s = { AUDIT_ARCH_X86_64, 4,    acts,
                               KBOX_BPF_ALLOW,    NULL, 0 };
    int n = kbox_bpf_build(&s, prog, KBOX_BPF_MAX_INSNS);

    KT_ASSERT(n > 0);
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, 2, 0, 0), SECCOMP_RET_ALLOW);
    KT_EQ(eval(n, AUDIT_ARCH_X86_64, 4000, 0, 0), SECCOMP_RET_ALLOW);
    /* Too small an output buffer fails cleanly. */
    KT_EQ(kbox_bpf_build(&s, prog, 3), -1);
    /* Alternating actions: worst case for range compression. */
    {
        static uint8_t alt[KBOX_NR_COUNT];
        struct kbox_bpf_spec s2 = { AUDIT_ARCH_X86_64, KBOX_NR_COUNT, alt,
                                    KBOX_BPF_ENOSYS,   NULL,          0 };

        for (int i = 0; i < KBOX_NR_COUNT; i++)
            alt[i] = (i & 1) ? KBOX_BPF_ALLOW : KBOX_BPF_EPERM;
        n = kbox_bpf_build(&s2, prog, KBOX_BPF_MAX_INSNS);
        KT_ASSERT(n > 0);
        for (int i = 0; i < KBOX_NR_COUNT + 5; i++) {
            uint32_t want = i >= KBOX_NR_COUNT ? SECCOMP_RET_ERRNO | ENOSYS
                            : (i & 1)          ? SECCOMP_RET_ALLOW
                                               : SECCOMP_RET_ERRNO | EPERM;
            KT_EQ(eval(n, AUDIT_ARCH_X86_64, (uint32_t)i, 0, 0), want);
        }
    }
}

/* Install a filter in a child; return the child's exit code. */
static int in_child(int n, int (*body)(void))
{
    pid_t pid = fork();
    int st;

    if (pid == 0) {
        struct sock_fprog fp = { (unsigned short)n, prog };

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
            _exit(90);
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp))
            _exit(91);
        _exit(body());
    }
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    if (WIFSIGNALED(st))
        return 1000 + WTERMSIG(st);
    return WEXITSTATUS(st);
}

static int body_denied(void)
{
    /* getppid EPERM, getpid allowed, unknown -> ENOSYS, mmap rule. */
    void *p;

    errno = 0;
    if (syscall(SYS_getppid) != -1 || errno != EPERM)
        return 1;
    if (syscall(SYS_getpid) <= 0)
        return 2;
    errno = 0;
    if (syscall(SYS_getuid) != -1 || errno != ENOSYS)
        return 3;
    p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 4;
    errno = 0;
    p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 0, 0);
    if (p != MAP_FAILED || errno != EPERM)
        return 5;
    return 0;
}

KTEST(real_filter_in_child)
{
    static uint8_t acts[KBOX_NR_COUNT];
    struct kbox_bpf_rule rule = { SYS_mmap,
                                  3,
                                  MAP_ANONYMOUS,
                                  MAP_ANONYMOUS,
                                  KBOX_BPF_ALLOW,
                                  KBOX_BPF_EPERM,
                                  NULL,
                                  0,
                                  0 };
    struct kbox_bpf_spec s = { AUDIT_ARCH_X86_64, KBOX_NR_COUNT, acts,
                               KBOX_BPF_ENOSYS,   &rule,         1 };
    int n;

    for (int i = 0; i < KBOX_NR_COUNT; i++)
        acts[i] = KBOX_BPF_ALLOW;
    acts[SYS_getppid] = KBOX_BPF_EPERM;
    acts[SYS_getuid] = KBOX_BPF_ENOSYS;
    n = kbox_bpf_build(&s, prog, KBOX_BPF_MAX_INSNS);
    KT_ASSERT(n > 0);
    KT_EQ(in_child(n, body_denied), 0);
}

static int body_ptrace(void)
{
    errno = 0;
    if (syscall(SYS_ptrace, 0, 0, 0, 0) != -1 || errno != EPERM)
        return 1;
    errno = 0;
    if (syscall(SYS_unshare, CLONE_NEWUSER) != -1 || errno != EPERM)
        return 2;
    if (syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0) != -1 ||
        errno != EPERM)
        return 3;
    return 0;
}

KTEST(real_policy_denies)
{
    /* The real policy, with notifications turned into ALLOW (no
     * supervisor here) so the child can run. */
    struct kbox_bpf_spec s;
    static uint8_t acts[KBOX_NR_COUNT];
    static struct kbox_bpf_rule rules[64];
    int n;

    kbox_policy_spec(&s);
    KT_ASSERT(s.nrules <= 64);
    for (int i = 0; i < KBOX_NR_COUNT; i++)
        acts[i] = s.acts[i] == KBOX_BPF_NOTIFY ? KBOX_BPF_ALLOW : s.acts[i];
    for (int i = 0; i < s.nrules && i < 64; i++) {
        rules[i] = s.rules[i];
        if (rules[i].match == KBOX_BPF_NOTIFY)
            rules[i].match = KBOX_BPF_ALLOW;
        if (rules[i].nomatch == KBOX_BPF_NOTIFY)
            rules[i].nomatch = KBOX_BPF_ALLOW;
    }
    s.acts = acts;
    s.rules = rules;
    s.beyond = KBOX_BPF_ALLOW;
    n = kbox_bpf_build(&s, prog, KBOX_BPF_MAX_INSNS);
    KT_ASSERT(n > 0);
    KT_EQ(in_child(n, body_ptrace), 0);
}

KTEST(names)
{
    KT_STREQ(kbox_syscall_name(SYS_openat), "openat");
    KT_STREQ(kbox_syscall_name(-1), "?");
    KT_STREQ(kbox_syscall_name(100000), "?");
}

int main(int argc, char **argv)
{
    return ktest_main(argc, argv);
}
