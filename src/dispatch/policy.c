/* SPDX-License-Identifier: MIT */
/* The seccomp filter policy (host x86_64 syscall numbers). */
#define _GNU_SOURCE
#include <linux/audit.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "kbox/policy.h"

/* Host-only syscalls: ALLOWed in the filter, no notification cost. */
static const int allow_list[] = {
    /* memory */
    SYS_mprotect,
    SYS_munmap,
    SYS_brk,
    SYS_mremap,
    SYS_madvise,
    SYS_mlock,
    SYS_munlock,
    SYS_mlockall,
    SYS_munlockall,
    SYS_mincore,
    SYS_membarrier,
    SYS_mlock2,
    /* msync is notified: write-back */ SYS_pkey_mprotect,
    SYS_pkey_alloc,
    SYS_pkey_free,
    SYS_mbind,
    SYS_get_mempolicy,
    SYS_set_mempolicy,
    SYS_remap_file_pages,
    /* System V segments: attached by the host once checked (ipc.c) */
    SYS_shmdt,
#ifdef SYS_set_mempolicy_home_node
    SYS_set_mempolicy_home_node,
#endif
    /* 32-bit TLS descriptors of the calling thread */
    SYS_set_thread_area,
    SYS_get_thread_area,
    /* scheduling, threads */
    SYS_sched_yield,
    SYS_sched_get_priority_max,
    SYS_sched_get_priority_min,
    SYS_getcpu,
    SYS_futex,
    SYS_set_robust_list,
    SYS_set_tid_address,
    SYS_arch_prctl,
    SYS_prctl /* but PR_SET_DUMPABLE */,
    SYS_seccomp /* but SECCOMP_SET_MODE_FILTER */,
    SYS_restart_syscall,
    SYS_exit,
#ifdef SYS_rseq
    SYS_rseq,
#endif
#ifdef SYS_futex_waitv
    SYS_futex_waitv,
#endif
    /* signals */
    SYS_rt_sigaction,
    SYS_rt_sigprocmask,
    SYS_rt_sigreturn,
    SYS_rt_sigpending,
    SYS_rt_sigtimedwait,
    SYS_rt_sigsuspend,
    SYS_sigaltstack,
    SYS_pause,
    SYS_alarm,
    SYS_getitimer,
    SYS_setitimer,
    /* time */
    SYS_nanosleep,
    SYS_clock_nanosleep,
    SYS_clock_gettime,
    SYS_clock_getres,
    SYS_gettimeofday,
    SYS_time,
    SYS_times,
    SYS_timer_create,
    SYS_timer_settime,
    SYS_timer_gettime,
    SYS_timer_getoverrun,
    SYS_timer_delete,
    /* processes (host pids are the guest's pids) */
    SYS_wait4,
    SYS_waitid,
    SYS_getpid,
    SYS_gettid,
    SYS_getppid,
    SYS_getpgrp,
    SYS_setsid,
    SYS_getrusage,
    SYS_getrlimit,
    SYS_sysinfo,
    /*
     * Calls naming another process (kill, sched_*, prlimit64, ...) are
     * notified: the target must be a guest process (target.c). Rules
     * below ALLOW them on the caller itself.
     */
    /* host objects created natively (they become host fds) */
    SYS_pipe,
    SYS_pipe2,
    SYS_socket,
    SYS_socketpair,
    SYS_eventfd,
    SYS_eventfd2,
    SYS_timerfd_create,
    SYS_timerfd_settime,
    SYS_timerfd_gettime,
    SYS_signalfd,
    SYS_signalfd4,
    SYS_epoll_create,
    SYS_epoll_create1,
    SYS_epoll_ctl,
    SYS_epoll_wait,
    SYS_epoll_pwait,
    SYS_epoll_pwait2,
    SYS_poll,
    SYS_ppoll,
    SYS_select,
    SYS_pselect6,
    SYS_memfd_create,
#ifdef SYS_memfd_secret
    SYS_memfd_secret,
#endif
    /* socket calls without a path (bind/connect/send* are notified;
     * accept, accept4 and recvfrom asking for the peer's address too:
     * rules below) */
    SYS_listen,
    SYS_shutdown,
    /* getsockname/getpeername are notified: unix socket paths (sys.c) */
    /* recvmsg and recvmmsg are notified: fds may arrive by SCM_RIGHTS */
    SYS_setsockopt,
    SYS_getsockopt,
};

/* Dangerous: EPERM in the filter itself. */
static const int deny_list[] = {
    SYS_ptrace,
    SYS_process_vm_readv,
    SYS_process_vm_writev,
    SYS_kexec_load,
    SYS_kexec_file_load,
    SYS_init_module,
    SYS_finit_module,
    SYS_delete_module,
    SYS_bpf,
    SYS_perf_event_open,
    SYS_setns,
    SYS_keyctl,
    SYS_add_key,
    SYS_request_key,
    SYS_io_uring_setup,
    SYS_io_uring_enter,
    SYS_io_uring_register,
    SYS_userfaultfd,
    SYS_pidfd_getfd,
    SYS_fsopen,
    SYS_fsconfig,
    SYS_fsmount,
    SYS_fspick,
    SYS_open_tree,
    SYS_move_mount,
    SYS_mount_setattr,
    SYS_pivot_root,
    SYS_swapon,
    SYS_swapoff,
    SYS_reboot,
    SYS_clock_settime,
    SYS_settimeofday,
    /* adjtimex and clock_adjtime are notified: reads are answered */
    SYS_iopl,
    SYS_ioperm,
    SYS_modify_ldt,
    SYS_acct,
    SYS_quotactl,
    SYS_vhangup,
    SYS_syslog,
    SYS_kcmp,
    SYS_uselib,
    SYS_migrate_pages,
    SYS_move_pages,
    SYS_process_madvise,
    SYS_fanotify_init,
    SYS_fanotify_mark,
#ifdef SYS_quotactl_fd
    SYS_quotactl_fd,
#endif
#ifdef SYS_process_mrelease
    SYS_process_mrelease,
#endif
};

#define CLONE_NS_MASK                                            \
    (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | \
     CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)

/* prctl options the credentials in lx answer, the guest's own seccomp
 * state and the first process's parent-death signal (src/dispatch/sys.c) */
static const uint32_t prctl_lx_options[] = {
    PR_GET_KEEPCAPS,     PR_SET_KEEPCAPS,     PR_CAPBSET_READ,
    PR_CAPBSET_DROP,     PR_GET_SECUREBITS,   PR_SET_SECUREBITS,
    PR_GET_NO_NEW_PRIVS, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT,
    PR_GET_SECCOMP,      PR_SET_SECCOMP,      PR_GET_PDEATHSIG,
    PR_SET_PDEATHSIG,    PR_GET_DUMPABLE,
};

static const uint32_t setsockopt_priv_names[] = {
    SO_PRIORITY,
    SO_RCVBUFFORCE,
    SO_SNDBUFFORCE,
    19 /* IP_TRANSPARENT */,
    75 /* IPV6_TRANSPARENT */,
};

static const uint32_t socket_notify_types[] = { SOCK_DGRAM, SOCK_PACKET };

/* CLOCK_REALTIME_ALARM's partner: CAP_WAKE_ALARM is the guest's (sys.c) */
static const uint32_t peer_opts_more[] = { SO_PEERGROUPS };
static const uint32_t alarm_clocks_more[] = { 9 /* CLOCK_BOOTTIME_ALARM */ };

static const struct kbox_bpf_rule rules[] = {
    /* Anonymous mappings never need a look; file mappings do. */
    { SYS_mmap, 3, MAP_ANONYMOUS, MAP_ANONYMOUS, KBOX_BPF_ALLOW,
      KBOX_BPF_NOTIFY, NULL, 0, 0 },
    /* Namespaces are refused; other clones are noted by the supervisor. */
    { SYS_clone, 0, CLONE_NS_MASK, 0, KBOX_BPF_NOTIFY, KBOX_BPF_EPERM, NULL, 0,
      0 },
    /* unshare likewise: CLONE_FS, CLONE_FILES, CLONE_SYSVSEM go to lx */
    { SYS_unshare, 0, CLONE_NS_MASK | CLONE_NEWTIME, 0, KBOX_BPF_NOTIFY,
      KBOX_BPF_EPERM, NULL, 0, 0 },
    /* pid 0 is the caller (kill(0) is notified: kbox is in the group).
     * setrlimit and prlimit64 setting a limit are notified: RLIMIT_FSIZE
     * goes to lx too (target.c). prlimit64(0, res, NULL, old), glibc's
     * getrlimit (every dynamic program's start asks RLIMIT_STACK), only
     * reads the caller's own host limit, which the guest's are. */
    { SYS_prlimit64, 0, ~0u, 0, KBOX_BPF_ALLOW, KBOX_BPF_NOTIFY, NULL, 0, 3 },
    { SYS_sched_getaffinity, 0, ~0u, 0, KBOX_BPF_ALLOW, KBOX_BPF_NOTIFY, NULL,
      0, 0 },
    { SYS_sched_setaffinity, 0, ~0u, 0, KBOX_BPF_ALLOW, KBOX_BPF_NOTIFY, NULL,
      0, 0 },
    { SYS_sched_getparam, 0, ~0u, 0, KBOX_BPF_ALLOW, KBOX_BPF_NOTIFY, NULL, 0,
      0 },
    { SYS_sched_getscheduler, 0, ~0u, 0, KBOX_BPF_ALLOW, KBOX_BPF_NOTIFY, NULL,
      0, 0 },
    { SYS_sched_getattr, 0, ~0u, 0, KBOX_BPF_ALLOW, KBOX_BPF_NOTIFY, NULL, 0,
      0 },
    { SYS_sched_rr_get_interval, 0, ~0u, 0, KBOX_BPF_ALLOW, KBOX_BPF_NOTIFY,
      NULL, 0, 0 },
    { SYS_getpgid, 0, ~0u, 0, KBOX_BPF_ALLOW, KBOX_BPF_NOTIFY, NULL, 0, 0 },
    { SYS_getsid, 0, ~0u, 0, KBOX_BPF_ALLOW, KBOX_BPF_NOTIFY, NULL, 0, 0 },
    { SYS_setpgid, 0, ~0u, 0, KBOX_BPF_ALLOW, KBOX_BPF_NOTIFY, NULL, 0, 0 },
    { SYS_get_robust_list, 0, ~0u, 0, KBOX_BPF_ALLOW, KBOX_BPF_NOTIFY, NULL, 0,
      0 },
    /* getpriority(which, who): who 0 is the caller's own. setpriority
     * and sched_setscheduler/setparam/setattr are all notified: raising
     * a priority is checked in the guest's identity (target.c) */
    { SYS_getpriority, 1, ~0u, 0, KBOX_BPF_ALLOW, KBOX_BPF_NOTIFY, NULL, 0, 0 },
    /* ioprio_get(which, who): likewise. ioprio_set is all notified: who
     * 0 is the caller only for IOPRIO_WHO_PROCESS, and for WHO_PGRP and
     * WHO_USER names kbox's group or every host process of the caller's
     * host uid (a guest root of a root kbox made every root process on
     * the host idle) (target.c) */
    { SYS_ioprio_get, 1, ~0u, 0, KBOX_BPF_ALLOW, KBOX_BPF_NOTIFY, NULL, 0, 0 },
    /* PR_SET_DUMPABLE: a rootless kbox must still read the caller, and
     * lx's /proc must know (PR_GET_DUMPABLE asks lx); the options on
     * capabilities and no_new_privs go to lx (sys.c) */
    { SYS_prctl, 0, ~0u, PR_SET_DUMPABLE, KBOX_BPF_NOTIFY, KBOX_BPF_ALLOW,
      prctl_lx_options, sizeof(prctl_lx_options) / sizeof(prctl_lx_options[0]),
      0 },
    /* a guest's own filter needs its no_new_privs or CAP_SYS_ADMIN (sys.c);
     * the other operations are queries */
    { SYS_seccomp, 0, ~0u, 1 /* SECCOMP_SET_MODE_FILTER */, KBOX_BPF_NOTIFY,
      KBOX_BPF_ALLOW, NULL, 0, 0 },
    /* datagram, raw and packet sockets (netlink's types among them):
     * NETLINK_AUDIT is refused, raw and packet sockets need the guest's
     * CAP_NET_RAW (net.c); stream sockets stay the host's alone */
    { SYS_socket, 1, 0xf, SOCK_RAW, KBOX_BPF_NOTIFY, KBOX_BPF_ALLOW,
      socket_notify_types,
      sizeof(socket_notify_types) / sizeof(socket_notify_types[0]), 0 },
    /* options that need CAP_NET_ADMIN/CAP_NET_RAW, at any level (net.c) */
    { SYS_setsockopt, 2, ~0u, SO_MARK, KBOX_BPF_NOTIFY, KBOX_BPF_ALLOW,
      setsockopt_priv_names,
      sizeof(setsockopt_priv_names) / sizeof(setsockopt_priv_names[0]), 0 },
    /* SO_PEERCRED, SO_PEERGROUPS: the peer's guest ids, pid and groups
     * (peercred.c) */
    { SYS_getsockopt, 2, ~0u, SO_PEERCRED, KBOX_BPF_NOTIFY, KBOX_BPF_ALLOW,
      peer_opts_more, 1, 0 },
    /* accept and recvfrom naming the peer: a unix peer's address is
     * the guest's name for it (sockrecv.c). Only the low half of the
     * pointer is looked at: one with it 0 goes to the host as NULL. */
    { SYS_accept, 1, ~0u, 0, KBOX_BPF_ALLOW, KBOX_BPF_NOTIFY, NULL, 0, 0 },
    { SYS_accept4, 1, ~0u, 0, KBOX_BPF_ALLOW, KBOX_BPF_NOTIFY, NULL, 0, 0 },
    { SYS_recvfrom, 4, ~0u, 0, KBOX_BPF_ALLOW, KBOX_BPF_NOTIFY, NULL, 0, 0 },
    /* the alarm clocks need the guest's CAP_WAKE_ALARM (sys.c) */
    { SYS_timerfd_create, 0, ~0u, 8 /* CLOCK_REALTIME_ALARM */, KBOX_BPF_NOTIFY,
      KBOX_BPF_ALLOW, alarm_clocks_more, 1, 0 },
    { SYS_timer_create, 0, ~0u, 8, KBOX_BPF_NOTIFY, KBOX_BPF_ALLOW,
      alarm_clocks_more, 1, 0 },
    { SYS_clock_nanosleep, 0, ~0u, 8, KBOX_BPF_NOTIFY, KBOX_BPF_ALLOW,
      alarm_clocks_more, 1, 0 },
    /* personality: asking is the host's; a change goes to lx too (sys.c) */
    { SYS_personality, 0, ~0u, ~0u, KBOX_BPF_ALLOW, KBOX_BPF_NOTIFY, NULL, 0,
      0 },
};

static uint8_t acts[KBOX_NR_COUNT];
static int acts_ready;

static void init_acts(void)
{
    if (acts_ready)
        return;
    for (int i = 0; i < KBOX_NR_COUNT; i++)
        acts[i] = KBOX_BPF_NOTIFY;
    for (size_t i = 0; i < sizeof(allow_list) / sizeof(allow_list[0]); i++)
        acts[allow_list[i]] = KBOX_BPF_ALLOW;
    for (size_t i = 0; i < sizeof(deny_list) / sizeof(deny_list[0]); i++)
        acts[deny_list[i]] = KBOX_BPF_EPERM;
    /*
     * Landlock would restrict only what the host does for the guest
     * process, not its files, which kbox serves: as on a kernel without
     * it (ENOSYS), so programs go on without it; EPERM, which Linux never
     * answers the ABI query with, made them fail.
     */
    acts[SYS_landlock_create_ruleset] = KBOX_BPF_ENOSYS;
    acts[SYS_landlock_add_rule] = KBOX_BPF_ENOSYS;
    acts[SYS_landlock_restrict_self] = KBOX_BPF_ENOSYS;
    /*
     * Numbers Linux 6.12 has no call behind (removed: _sysctl in 5.5,
     * lookup_dcookie in 6.10; never there: create_module and the rest):
     * ENOSYS as on any kernel; they were EPERM among the dangerous ones.
     */
    acts[SYS__sysctl] = acts[SYS_lookup_dcookie] = KBOX_BPF_ENOSYS;
    acts[SYS_create_module] = acts[SYS_get_kernel_syms] = KBOX_BPF_ENOSYS;
    acts[SYS_query_module] = acts[SYS_nfsservctl] = KBOX_BPF_ENOSYS;
    acts[SYS_vserver] = KBOX_BPF_ENOSYS;
    /* Newer than the libc headers: futex2, shadow stacks, mseal. */
    acts[453] = acts[454] = acts[455] = acts[456] = KBOX_BPF_ALLOW;
    acts[462] = KBOX_BPF_ALLOW;
    /* statmount/listmount/open_tree_attr: host mount API. */
    acts[457] = acts[458] = acts[467] = KBOX_BPF_EPERM;
    acts_ready = 1;
}

void kbox_policy_spec(struct kbox_bpf_spec *spec)
{
    init_acts();
    spec->arch = AUDIT_ARCH_X86_64;
    spec->nr_count = KBOX_NR_COUNT;
    spec->acts = acts;
    spec->beyond = KBOX_BPF_NOTIFY;
    spec->rules = rules;
    spec->nrules = (int)(sizeof(rules) / sizeof(rules[0]));
}

enum kbox_bpf_act kbox_policy_act(long nr)
{
    init_acts();
    if (nr < 0 || nr >= KBOX_NR_COUNT)
        return KBOX_BPF_NOTIFY;
    return (enum kbox_bpf_act)acts[nr];
}
