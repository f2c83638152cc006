/* SPDX-License-Identifier: MIT */
/* Unit tests: ABI converters (stat layout, sign extension, legacy calls). */
#define _GNU_SOURCE
#define KTEST_IMPLEMENTATION
#include "ktest.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kbox/abi.h"

KTEST(stat_generic_to_host)
{
    struct kbox_gstat g;
    struct kbox_hstat h;
    struct stat st;

    memset(&g, 0xa5, sizeof(g));
    g.st_dev = 0x0801;
    g.st_ino = 1234567890123ull;
    g.st_mode = S_IFREG | 0644;
    g.st_nlink = 3;
    g.st_uid = 1000;
    g.st_gid = 100;
    g.st_rdev = 0;
    g.st_size = 1ll << 40;
    g.st_blksize = 4096;
    g.st_blocks = 8;
    g.st_atime_sec = 1700000000;
    g.st_atime_nsec = 1;
    g.st_mtime_sec = -5; /* before the epoch */
    g.st_mtime_nsec = 999999999;
    g.st_ctime_sec = 1700000002;
    g.st_ctime_nsec = 3;
    kbox_abi_stat_to_host(&g, &h);
    /* The host struct is glibc's struct stat on x86_64. */
    memcpy(&st, &h, sizeof(st));
    KT_EQ(st.st_dev, 0x0801);
    KT_EQ(st.st_ino, 1234567890123ll);
    KT_EQ(st.st_mode, S_IFREG | 0644);
    KT_EQ(st.st_nlink, 3);
    KT_EQ(st.st_uid, 1000);
    KT_EQ(st.st_gid, 100);
    KT_EQ(st.st_size, 1ll << 40);
    KT_EQ(st.st_blksize, 4096);
    KT_EQ(st.st_blocks, 8);
    KT_EQ(st.st_atim.tv_sec, 1700000000);
    KT_EQ(st.st_atim.tv_nsec, 1);
    KT_EQ(st.st_mtim.tv_sec, -5);
    KT_EQ(st.st_mtim.tv_nsec, 999999999);
    KT_EQ(st.st_ctim.tv_sec, 1700000002);
    KT_EQ(st.st_ctim.tv_nsec, 3);
    KT_EQ(h.pad0, 0);
    KT_EQ(h.unused[0], 0);
}

KTEST(stat_round_trip_real_file)
{
    struct stat st;
    struct kbox_hstat h, h2;
    struct kbox_gstat g;

    KT_EQ(stat("/proc/self/exe", &st), 0);
    memcpy(&h, &st, sizeof(h));
    kbox_abi_stat_to_generic(&h, &g);
    KT_EQ(g.st_mode, st.st_mode);
    KT_EQ(g.st_size, st.st_size);
    kbox_abi_stat_to_host(&g, &h2);
    KT_EQ(memcmp(&h, &h2, sizeof(h)), 0);
}

KTEST(statfs_to_host)
{
    struct kbox_gstatfs g;
    struct kbox_hstatfs h;

    memset(&g, 0, sizeof(g));
    g.f_type = 0xEF53;
    g.f_bsize = 4096;
    g.f_blocks = 1000;
    g.f_bfree = 10;
    g.f_bavail = 9;
    g.f_files = 77;
    g.f_ffree = 66;
    g.f_fsid[0] = -1;
    g.f_fsid[1] = 7;
    g.f_namelen = 255;
    g.f_frsize = 4096;
    g.f_flags = 0x20;
    kbox_abi_statfs_to_host(&g, &h);
    KT_EQ(h.f_type, 0xEF53);
    KT_EQ(h.f_blocks, 1000);
    KT_EQ(h.f_bavail, 9);
    KT_EQ(h.f_fsid[0], -1);
    KT_EQ(h.f_fsid[1], 7);
    KT_EQ(h.f_namelen, 255);
    KT_EQ(h.f_flags, 0x20);
}

KTEST(sign_extension)
{
    /* AT_FDCWD as a 32-bit value in a 64-bit register, upper half junk. */
    KT_EQ(kbox_arg_int(0x00000000ffffff9cull), AT_FDCWD);
    KT_EQ(kbox_arg_int(0xdeadbeefffffff9cull), AT_FDCWD);
    KT_EQ(kbox_arg_int(0xffffffffffffff9cull), -100);
    KT_EQ(kbox_arg_int(3), 3);
    KT_EQ(kbox_arg_int(0x100000003ull), 3);
    KT_EQ(kbox_arg_int(0x7fffffff), 2147483647);
    KT_EQ(kbox_arg_int(0x80000000), -2147483648ll);
    KT_EQ(kbox_arg_uint(0xffffffffffffffffull), 0xffffffffu);
}

KTEST(legacy_calls)
{
    uint64_t in[6] = { 0x1000, 0x2000, 0x3000, 0, 0, 0 }, out[6];
    long nr;

    KT_EQ(kbox_abi_legacy_to_at(SYS_open, in, &nr, out), 1);
    KT_EQ(nr, SYS_openat);
    KT_EQ(kbox_arg_int(out[0]), AT_FDCWD);
    KT_EQ(out[1], 0x1000);
    KT_EQ(out[2], 0x2000);
    KT_EQ(out[3], 0x3000);

    KT_EQ(kbox_abi_legacy_to_at(SYS_lstat, in, &nr, out), 1);
    KT_EQ(nr, SYS_newfstatat);
    KT_EQ(out[3], AT_SYMLINK_NOFOLLOW);
    KT_EQ(kbox_abi_legacy_to_at(SYS_stat, in, &nr, out), 1);
    KT_EQ(out[3], 0);

    KT_EQ(kbox_abi_legacy_to_at(SYS_rmdir, in, &nr, out), 1);
    KT_EQ(nr, SYS_unlinkat);
    KT_EQ(out[2], AT_REMOVEDIR);

    KT_EQ(kbox_abi_legacy_to_at(SYS_rename, in, &nr, out), 1);
    KT_EQ(nr, SYS_renameat2);
    KT_EQ(out[1], 0x1000);
    KT_EQ(kbox_arg_int(out[2]), AT_FDCWD);
    KT_EQ(out[3], 0x2000);

    KT_EQ(kbox_abi_legacy_to_at(SYS_symlink, in, &nr, out), 1);
    KT_EQ(nr, SYS_symlinkat);
    KT_EQ(out[0], 0x1000);
    KT_EQ(kbox_arg_int(out[1]), AT_FDCWD);
    KT_EQ(out[2], 0x2000);

    KT_EQ(kbox_abi_legacy_to_at(SYS_creat, in, &nr, out), 1);
    KT_EQ(nr, SYS_openat);
    KT_EQ(out[2], O_CREAT | O_WRONLY | O_TRUNC);
    KT_EQ(out[3], 0x2000);

    KT_EQ(kbox_abi_legacy_to_at(SYS_lchown, in, &nr, out), 1);
    KT_EQ(nr, SYS_fchownat);
    KT_EQ(out[4], AT_SYMLINK_NOFOLLOW);

    KT_EQ(kbox_abi_legacy_to_at(SYS_readlink, in, &nr, out), 1);
    KT_EQ(nr, SYS_readlinkat);
    KT_EQ(out[3], 0x3000);

    KT_EQ(kbox_abi_legacy_to_at(SYS_read, in, &nr, out), 0);
    KT_EQ(kbox_abi_legacy_to_at(SYS_openat, in, &nr, out), 0);
}

KTEST(oflags)
{
    unsigned long f = O_RDWR | O_CREAT | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

    /* x86_64 host: identity. */
    KT_EQ(kbox_abi_oflags_to_generic(f, KBOX_ARCH_X86_64), f);
    KT_EQ(kbox_abi_oflags_to_host(f, KBOX_ARCH_X86_64), f);
    /* aarch64 values (octal) -> asm-generic. */
    KT_EQ(kbox_abi_oflags_to_generic(040000, KBOX_ARCH_AARCH64), 0200000);
    KT_EQ(kbox_abi_oflags_to_generic(0100000, KBOX_ARCH_AARCH64), 0400000);
    KT_EQ(kbox_abi_oflags_to_generic(0200000, KBOX_ARCH_AARCH64), 040000);
    KT_EQ(kbox_abi_oflags_to_generic(0400000, KBOX_ARCH_AARCH64), 0100000);
    KT_EQ(kbox_abi_oflags_to_generic(02 | 0100 | 02000000, KBOX_ARCH_AARCH64),
          02 | 0100 | 02000000);
    for (unsigned long x = 0; x < (1ul << 22); x += 0x1235)
        KT_EQ(kbox_abi_oflags_to_host(
                  kbox_abi_oflags_to_generic(x, KBOX_ARCH_AARCH64),
                  KBOX_ARCH_AARCH64),
              x);
}

KTEST(dirent_conversion)
{
    unsigned char in[256], out[256];
    size_t ip = 0, consumed = 0;
    const char *names[] = { ".", "..", "hello.txt" };
    long n;

    memset(in, 0, sizeof(in));
    for (int i = 0; i < 3; i++) {
        size_t rec = (19 + strlen(names[i]) + 1 + 7) & ~7ul;
        uint64_t ino = 10 + i;
        int64_t off = i + 1;
        uint16_t rl = (uint16_t)rec;

        memcpy(in + ip, &ino, 8);
        memcpy(in + ip + 8, &off, 8);
        memcpy(in + ip + 16, &rl, 2);
        in[ip + 18] = i == 2 ? 8 : 4; /* DT_REG / DT_DIR */
        strcpy((char *)in + ip + 19, names[i]);
        ip += rec;
    }
    n = kbox_abi_dirent64_to_dirent(in, ip, out, sizeof(out), &consumed);
    KT_ASSERT(n > 0);
    KT_EQ(consumed, ip);
    {
        size_t op = 0;
        for (int i = 0; i < 3; i++) {
            unsigned long ino;
            unsigned short rl;

            memcpy(&ino, out + op, 8);
            memcpy(&rl, out + op + 16, 2);
            KT_EQ(ino, 10 + i);
            KT_STREQ((char *)out + op + 18, names[i]);
            KT_EQ(out[op + rl - 1], i == 2 ? 8 : 4);
            op += rl;
        }
        KT_EQ(op, (size_t)n);
    }
    /* Too small for even one record. */
    KT_EQ(kbox_abi_dirent64_to_dirent(in, ip, out, 8, &consumed), -1);
    /* Room for exactly one. */
    n = kbox_abi_dirent64_to_dirent(in, ip, out, 24, &consumed);
    KT_EQ(n, 24);
    KT_EQ(consumed, 24);
}

KTEST(signal_changes_state_by_disposition_and_state)
{
    /* a sleeping process that catches SIGTERM (bit 14) and SIGCONT (bit
     * 17), ignores SIGHUP (bit 0), blocks SIGUSR1 (bit 9) */
    static const char base[] = "Name:\tsleep\nState:\t%s\nPPid:\t7\n"
                               "SigBlk:\t0000000000000200\n"
                               "SigIgn:\t0000000000000001\n"
                               "SigCgt:\t0000000000014000\n";
    char s[512];

    snprintf(s, sizeof(s), base, "S (sleeping)");
    KT_ASSERT(kbox_abi_signal_changes_state(s, SIGKILL));
    KT_ASSERT(kbox_abi_signal_changes_state(s, SIGSTOP));
    KT_ASSERT(kbox_abi_signal_changes_state(s, SIGTSTP));
    KT_ASSERT(kbox_abi_signal_changes_state(s, SIGINT));   /* default: ends */
    KT_ASSERT(!kbox_abi_signal_changes_state(s, SIGTERM)); /* caught */
    KT_ASSERT(!kbox_abi_signal_changes_state(s, SIGHUP));  /* ignored */
    KT_ASSERT(!kbox_abi_signal_changes_state(s, SIGUSR1)); /* blocked */
    KT_ASSERT(!kbox_abi_signal_changes_state(s, SIGCHLD)); /* default: none */
    KT_ASSERT(!kbox_abi_signal_changes_state(s, SIGWINCH));
    KT_ASSERT(!kbox_abi_signal_changes_state(s, SIGCONT)); /* not stopped */
    KT_ASSERT(!kbox_abi_signal_changes_state(s, 0));
    KT_ASSERT(!kbox_abi_signal_changes_state(s, 65));
    snprintf(s, sizeof(s), base, "T (stopped)");
    KT_ASSERT(kbox_abi_signal_changes_state(s, SIGCONT)); /* caught: still */
    KT_ASSERT(!kbox_abi_signal_changes_state(s, SIGSTOP));
    KT_ASSERT(!kbox_abi_signal_changes_state(s, SIGTSTP));
    KT_ASSERT(kbox_abi_signal_changes_state(s, SIGKILL));
    snprintf(s, sizeof(s), base, "Z (zombie)");
    KT_ASSERT(!kbox_abi_signal_changes_state(s, SIGKILL));
    KT_EQ(kbox_abi_status_mask(s, "SigCgt:"), 0x14000ull);
    KT_EQ(kbox_abi_status_mask(s, "NoSuch:"), 0ull);
}

KTEST(status_signal_pending_and_unblocked)
{
    static const char base[] = "Name:\tpython3\nThreads:\t%d\n"
                               "SigQ:\t1/7823\nSigPnd:\t%s\nShdPnd:\t%s\n"
                               "SigBlk:\t%s\nSigIgn:\t0000000001001000\n"
                               "SigCgt:\t0000000100000002\n";
    char s[512];

    snprintf(s, sizeof(s), base, 1, "0000000000000000", "0000000000000000",
             "0000000000000000");
    KT_EQ(kbox_abi_status_signal(s), 0);
    /* SIGINT (bit 1) to the process, one thread: it will take it */
    snprintf(s, sizeof(s), base, 1, "0000000000000000", "0000000000000002",
             "0000000000000000");
    KT_EQ(kbox_abi_status_signal(s), 1);
    /* ... several threads: another one may */
    snprintf(s, sizeof(s), base, 3, "0000000000000000", "0000000000000002",
             "0000000000000000");
    KT_EQ(kbox_abi_status_signal(s), 2);
    /* ... blocked in this thread: not now */
    snprintf(s, sizeof(s), base, 1, "0000000000000000", "0000000000000002",
             "0000000000000002");
    KT_EQ(kbox_abi_status_signal(s), 0);
    /* to this thread (tgkill), several threads: only it can take it */
    snprintf(s, sizeof(s), base, 3, "0000000000000400", "0000000000000000",
             "0000000000000002");
    KT_EQ(kbox_abi_status_signal(s), 1);
    /* a high real-time signal, above 32 bits */
    snprintf(s, sizeof(s), base, 1, "8000000000000000", "0000000000000000",
             "0000000000000000");
    KT_EQ(kbox_abi_status_signal(s), 1);
    KT_EQ(kbox_abi_status_signal(""), 0);
}

KTEST(status_signal_process_directed_several_threads)
{
    static const char base[] =
        "Name:\tt\nState:\tS (sleeping)\nTgid:\t%d\n"
        "Pid:\t%d\nThreads:\t3\nSigPnd:\t0000000000000000\n"
        "ShdPnd:\t%s\nSigBlk:\t%s\n";
    char s[512], o[512];

    /* SIGUSR1 (bit 9) to the process; the leader waits: it was flagged */
    snprintf(s, sizeof(s), base, 10, 10, "0000000000000200",
             "0000000000000000");
    KT_EQ(kbox_abi_status_signal(s), 1);
    /* ... another thread waits: it may not have been */
    snprintf(s, sizeof(s), base, 10, 11, "0000000000000200",
             "0000000000000000");
    KT_EQ(kbox_abi_status_signal(s), 2);
    /* SIGCHLD (bit 16) goes to the thread that forked, even the leader */
    snprintf(s, sizeof(s), base, 10, 10, "0000000000010000",
             "0000000000000000");
    KT_EQ(kbox_abi_status_signal(s), 2);
    /* SIGSTOP (19, bit 18) alone: wait for the group stop */
    snprintf(s, sizeof(s), base, 10, 11, "0000000000040000",
             "0000000000000000");
    KT_EQ(kbox_abi_status_signal(s), 0);
    KT_EQ(kbox_abi_status_threads(s), 3ul);
    KT_EQ(kbox_abi_status_state(s), 'S');
    /* another thread blocking SIGUSR1 leaves it to this one */
    snprintf(s, sizeof(s), base, 10, 11, "0000000000000200",
             "0000000000000000");
    snprintf(o, sizeof(o), base, 10, 10, "0000000000000000",
             "0000000000000200");
    KT_ASSERT(kbox_abi_others_block(s, o));
    snprintf(o, sizeof(o), base, 10, 10, "0000000000000000",
             "0000000000000001");
    KT_ASSERT(!kbox_abi_others_block(s, o));
}

KTEST(status_merge_takes_guest_credentials)
{
    const char *host = "Name:\tsleep\nUmask:\t0022\nState:\tS (sleeping)\n"
                       "Pid:\t500\nPPid:\t499\nUid:\t1000\t1000\t1000\t1000\n"
                       "Gid:\t1000\t1000\t1000\t1000\nGroups:\t1000 \n"
                       "VmRSS:\t  1024 kB\nThreads:\t3\n"
                       "CapEff:\t0000000000000000\nNoNewPrivs:\t1\n";
    const char *kern = "Name:\tsleep\nUmask:\t0077\nPid:\t7\nPPid:\t6\n"
                       "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t0 \n"
                       "Threads:\t1\nCapEff:\t000001ffffffffff\n"
                       "NoNewPrivs:\t0\n";
    char out[1024];
    long n = kbox_abi_status_merge(host, kern, out, sizeof(out));

    KT_ASSERT(n > 0);
    KT_EQ((size_t)n, strlen(out));
    KT_STREQ(out, "Name:\tsleep\nUmask:\t0077\nState:\tS (sleeping)\n"
                  "Pid:\t500\nPPid:\t499\nUid:\t0\t0\t0\t0\n"
                  "Gid:\t0\t0\t0\t0\nGroups:\t0 \nVmRSS:\t  1024 kB\n"
                  "Threads:\t3\nCapEff:\t000001ffffffffff\nNoNewPrivs:\t0\n");
    /* no kernel view: the host's text unchanged */
    n = kbox_abi_status_merge(host, "", out, sizeof(out));
    KT_STREQ(out, host);
    /* does not fit */
    KT_EQ(kbox_abi_status_merge(host, kern, out, 40), -1);
}

KTEST(status_seccomp_counts_the_guest_filters)
{
    const char *one = "Name:\tsh\nNoNewPrivs:\t1\nSeccomp:\t2\n"
                      "Seccomp_filters:\t1\nSpeculation_Store_Bypass:\tx\n";
    const char *three = "Seccomp:\t2\nSeccomp_filters:\t3\n";
    char out[512];
    long n = -1;

    /* kbox's own filter is not the guest's */
    KT_EQ(kbox_abi_guest_seccomp(one, &n), 0);
    KT_EQ(n, 0);
    KT_EQ(kbox_abi_guest_seccomp(three, &n), 2);
    KT_EQ(n, 2);
    /* no Seccomp_filters line (Linux before 5.9): unknown */
    KT_EQ(kbox_abi_guest_seccomp("Seccomp:\t2\n", NULL), -1);
    KT_ASSERT(kbox_abi_status_merge(one, "NoNewPrivs:\t0\n", out, sizeof(out)) >
              0);
    KT_STREQ(out, "Name:\tsh\nNoNewPrivs:\t0\nSeccomp:\t0\n"
                  "Seccomp_filters:\t0\nSpeculation_Store_Bypass:\tx\n");
    KT_ASSERT(kbox_abi_status_merge(three, "", out, sizeof(out)) > 0);
    KT_STREQ(out, "Seccomp:\t2\nSeccomp_filters:\t2\n");
}

KTEST(clone3_argument_errors_are_linux_order)
{
    struct kbox_clone_args a = { .exit_signal = SIGCHLD };

    KT_EQ(kbox_abi_clone3_check(&a, sizeof(a)), 0);
    KT_EQ(kbox_abi_clone3_check(&a, 64), 0);
    KT_EQ(kbox_abi_clone3_check(&a, 63), -EINVAL);
    KT_EQ(kbox_abi_clone3_check(&a, 4097), -E2BIG);
    /* a thread: glibc's pthread_create */
    a = (struct kbox_clone_args){ .flags = CLONE_VM | CLONE_FS | CLONE_FILES |
                                           CLONE_SIGHAND | CLONE_THREAD |
                                           CLONE_SYSVSEM | CLONE_SETTLS,
                                  .stack = 0x10000,
                                  .stack_size = 0x1000 };
    KT_EQ(kbox_abi_clone3_check(&a, sizeof(a)), 0);
    a.exit_signal = SIGCHLD; /* a thread sends none */
    KT_EQ(kbox_abi_clone3_check(&a, sizeof(a)), -EINVAL);
    a.exit_signal = 0;
    a.stack_size = 0;
    KT_EQ(kbox_abi_clone3_check(&a, sizeof(a)), -EINVAL);
    a = (struct kbox_clone_args){ .flags = CLONE_THREAD | CLONE_VM };
    KT_EQ(kbox_abi_clone3_check(&a, sizeof(a)), -EINVAL);
    a = (struct kbox_clone_args){ .flags = CLONE_SIGHAND };
    KT_EQ(kbox_abi_clone3_check(&a, sizeof(a)), -EINVAL);
    /* CLONE_CLEAR_SIGHAND (bit 32) alone is fine, with CLONE_SIGHAND not */
    a = (struct kbox_clone_args){ .flags = 1ull << 32 };
    KT_EQ(kbox_abi_clone3_check(&a, sizeof(a)), 0);
    a.flags |= CLONE_SIGHAND | CLONE_VM;
    KT_EQ(kbox_abi_clone3_check(&a, sizeof(a)), -EINVAL);
    /* unknown high bits; the legacy CSIGNAL and CLONE_DETACHED bits */
    a = (struct kbox_clone_args){ .flags = 1ull << 34 };
    KT_EQ(kbox_abi_clone3_check(&a, sizeof(a)), -EINVAL);
    a.flags = SIGCHLD;
    KT_EQ(kbox_abi_clone3_check(&a, sizeof(a)), -EINVAL);
    a.flags = 0x00400000;
    KT_EQ(kbox_abi_clone3_check(&a, sizeof(a)), -EINVAL);
    /* CLONE_NEWTIME's bit is in CSIGNAL but is clone3's to use */
    a.flags = 0x80;
    KT_EQ(kbox_abi_clone3_check(&a, sizeof(a)), 0);
    a = (struct kbox_clone_args){ .exit_signal = 65 };
    KT_EQ(kbox_abi_clone3_check(&a, sizeof(a)), -EINVAL);
    a.exit_signal = 1ull << 40;
    KT_EQ(kbox_abi_clone3_check(&a, sizeof(a)), -EINVAL);
    /* set_tid and its size come together, at most 32 levels */
    a = (struct kbox_clone_args){ .set_tid_size = 1 };
    KT_EQ(kbox_abi_clone3_check(&a, sizeof(a)), -EINVAL);
    a = (struct kbox_clone_args){ .set_tid = 0x1000 };
    KT_EQ(kbox_abi_clone3_check(&a, sizeof(a)), -EINVAL);
    a.set_tid_size = 33;
    KT_EQ(kbox_abi_clone3_check(&a, sizeof(a)), -EINVAL);
    a.set_tid_size = 32;
    KT_EQ(kbox_abi_clone3_check(&a, sizeof(a)), 0);
    /* CLONE_INTO_CGROUP needs the version-2 struct and an int fd */
    a = (struct kbox_clone_args){ .flags = 1ull << 33, .cgroup = 3 };
    KT_EQ(kbox_abi_clone3_check(&a, sizeof(a)), 0);
    KT_EQ(kbox_abi_clone3_check(&a, 80), -EINVAL);
    a.cgroup = 1ull << 31;
    KT_EQ(kbox_abi_clone3_check(&a, sizeof(a)), -EINVAL);
    /* namespace rules that come before any privilege check */
    a = (struct kbox_clone_args){ .flags = CLONE_NEWUSER | CLONE_FS };
    KT_EQ(kbox_abi_clone3_check(&a, sizeof(a)), -EINVAL);
    a.flags = CLONE_NEWNS | CLONE_FS;
    KT_EQ(kbox_abi_clone3_check(&a, sizeof(a)), -EINVAL);
    a.flags = CLONE_NEWPID | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
    KT_EQ(kbox_abi_clone3_check(&a, sizeof(a)), -EINVAL);
    a.flags = CLONE_NEWUSER;
    KT_EQ(kbox_abi_clone3_check(&a, sizeof(a)), 0);
    /* one address for the pidfd and the parent's tid */
    a = (struct kbox_clone_args){ .flags = CLONE_PIDFD | CLONE_PARENT_SETTID,
                                  .pidfd = 0x2000,
                                  .parent_tid = 0x2000 };
    KT_EQ(kbox_abi_clone3_check(&a, sizeof(a)), -EINVAL);
    a.parent_tid = 0x2008;
    KT_EQ(kbox_abi_clone3_check(&a, sizeof(a)), 0);
}

KTEST(proc_all_reads_the_whole_file_into_a_grown_buffer)
{
    char small[16], big[65536], *got;
    ssize_t n;
    int fd = open("/proc/self/status", O_RDONLY);

    KT_ASSERT(fd >= 0);
    n = read(fd, big, sizeof(big) - 1);
    close(fd);
    KT_ASSERT(n > 200);
    big[n] = '\0';
    /* status of a stopped-in-time process: the same text both ways,
     * up to the lines that change between reads */
    got = kbox_abi_proc_all(getpid(), "status", small, sizeof(small));
    KT_ASSERT(got != NULL);
    KT_ASSERT(got != small); /* longer than 15 bytes: malloc'd */
    KT_ASSERT(strlen(got) > 200);
    KT_EQ(strncmp(got, big, 100), 0);
    free(got);
    got = kbox_abi_proc_all(getpid(), "comm", big, sizeof(big));
    KT_ASSERT(got == big); /* it fits: the caller's buffer */
    KT_ASSERT(strchr(got, '\n') != NULL);
    KT_ASSERT(kbox_abi_proc_all(getpid(), "no-such-file", small,
                                sizeof(small)) == NULL);
}

static void *thread_tid(void *arg)
{
    *(pid_t *)arg = (pid_t)syscall(SYS_gettid);
    return NULL;
}

KTEST(leader_pidfd_names_the_parent_of_processes_only)
{
    pid_t child, ppid = 0, tid = 0;
    pthread_t t;
    int fd;

    child = fork();
    KT_ASSERT(child >= 0);
    if (child == 0) {
        pause();
        _exit(0);
    }
    fd = kbox_abi_leader_pidfd(child, &ppid);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    if (fd < 0 && errno == ENOTTY)
        return; /* a host before Linux 6.13: callers read status */
    KT_ASSERT(fd >= 0);
    KT_EQ(ppid, getpid());
    close(fd);
    /* a thread that is not its group's leader has no such pidfd */
    KT_EQ(pthread_create(&t, NULL, thread_tid, &tid), 0);
    pthread_join(t, NULL);
    KT_ASSERT(tid > 0);
    KT_EQ(kbox_abi_leader_pidfd(tid, &ppid), -1);
    /* nor a reaped process */
    KT_EQ(kbox_abi_leader_pidfd(child, &ppid), -1);
}

int main(int argc, char **argv)
{
    return ktest_main(argc, argv);
}
