/* SPDX-License-Identifier: MIT */
/*
 * ABI translation between the guest (host ABI, x86_64) and the kernel
 * library (asm-generic ABI). The structures below are written out field by
 * field from the kernel's uapi headers; src/abi/lx_check.c asserts at
 * compile time that they match <lx/uapi.h> when the kernel is built, and
 * the _Static_asserts here pin the host side.
 */
#ifndef KBOX_ABI_H
#define KBOX_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* asm-generic struct stat (64-bit): 128 bytes, st_mode at offset 16. */
struct kbox_gstat {
    uint64_t st_dev;
    uint64_t st_ino;
    uint32_t st_mode;
    uint32_t st_nlink;
    uint32_t st_uid;
    uint32_t st_gid;
    uint64_t st_rdev;
    uint64_t pad1;
    int64_t st_size;
    int32_t st_blksize;
    int32_t pad2;
    int64_t st_blocks;
    int64_t st_atime_sec;
    uint64_t st_atime_nsec;
    int64_t st_mtime_sec;
    uint64_t st_mtime_nsec;
    int64_t st_ctime_sec;
    uint64_t st_ctime_nsec;
    uint32_t unused4;
    uint32_t unused5;
};
_Static_assert(sizeof(struct kbox_gstat) == 128, "generic stat size");
_Static_assert(offsetof(struct kbox_gstat, st_mode) == 16, "generic st_mode");
_Static_assert(offsetof(struct kbox_gstat, st_size) == 48, "generic st_size");
_Static_assert(offsetof(struct kbox_gstat, st_atime_sec) == 72, "atime");

/* x86_64 struct stat (arch/x86/include/uapi/asm/stat.h): 144 bytes. */
struct kbox_hstat {
    uint64_t st_dev;
    uint64_t st_ino;
    uint64_t st_nlink;
    uint32_t st_mode;
    uint32_t st_uid;
    uint32_t st_gid;
    uint32_t pad0;
    uint64_t st_rdev;
    int64_t st_size;
    int64_t st_blksize;
    int64_t st_blocks;
    uint64_t st_atime_sec;
    uint64_t st_atime_nsec;
    uint64_t st_mtime_sec;
    uint64_t st_mtime_nsec;
    uint64_t st_ctime_sec;
    uint64_t st_ctime_nsec;
    int64_t unused[3];
};
_Static_assert(sizeof(struct kbox_hstat) == 144, "x86_64 stat size");
_Static_assert(offsetof(struct kbox_hstat, st_mode) == 24, "x86_64 st_mode");
_Static_assert(offsetof(struct kbox_hstat, st_size) == 48, "x86_64 st_size");

/* asm-generic struct statfs on 64-bit (__statfs_word = long). */
struct kbox_gstatfs {
    int64_t f_type;
    int64_t f_bsize;
    uint64_t f_blocks;
    uint64_t f_bfree;
    uint64_t f_bavail;
    uint64_t f_files;
    uint64_t f_ffree;
    int32_t f_fsid[2];
    int64_t f_namelen;
    int64_t f_frsize;
    int64_t f_flags;
    int64_t f_spare[4];
};
_Static_assert(sizeof(struct kbox_gstatfs) == 120, "generic statfs size");

/* The kernel's struct sigaction for the raw rt_sigaction (8-byte mask):
 * glibc's sigaction refuses its own signals 32 and 33. */
struct kbox_ksigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    uint64_t mask;
};

/* x86_64 struct statfs (same words, spelled out separately on purpose). */
struct kbox_hstatfs {
    int64_t f_type;
    int64_t f_bsize;
    uint64_t f_blocks;
    uint64_t f_bfree;
    uint64_t f_bavail;
    uint64_t f_files;
    uint64_t f_ffree;
    int32_t f_fsid[2];
    int64_t f_namelen;
    int64_t f_frsize;
    int64_t f_flags;
    int64_t f_spare[4];
};
_Static_assert(sizeof(struct kbox_hstatfs) == 120, "x86_64 statfs size");

void kbox_abi_stat_to_host(const struct kbox_gstat *g, struct kbox_hstat *h);
void kbox_abi_stat_to_generic(const struct kbox_hstat *h, struct kbox_gstat *g);
void kbox_abi_statfs_to_host(const struct kbox_gstatfs *g,
                             struct kbox_hstatfs *h);

/* A 32-bit int argument (fd, AT_FDCWD, flags) from a 64-bit seccomp arg. */
static inline long kbox_arg_int(uint64_t a)
{
    return (long)(int)(uint32_t)a;
}
static inline unsigned int kbox_arg_uint(uint64_t a)
{
    return (unsigned int)(uint32_t)a;
}

/*
 * Legacy x86_64 path calls (open, stat, lstat, mkdir, ...) rewritten onto
 * their *at forms (host x86_64 numbers in and out). Returns 1 and fills
 * @out_nr/@out when @nr is such a call, 0 otherwise (out untouched).
 */
int kbox_abi_legacy_to_at(long nr, const uint64_t in[6], long *out_nr,
                          uint64_t out[6]);

/* O_* flag translation host <-> asm-generic, for a given host arch. */
enum kbox_arch { KBOX_ARCH_X86_64 = 0, KBOX_ARCH_AARCH64 };
#if defined(__aarch64__)
#define KBOX_HOST_ARCH KBOX_ARCH_AARCH64
#else
#define KBOX_HOST_ARCH KBOX_ARCH_X86_64
#endif
unsigned long kbox_abi_oflags_to_generic(unsigned long f, enum kbox_arch a);
unsigned long kbox_abi_oflags_to_host(unsigned long f, enum kbox_arch a);

/*
 * Convert a buffer of linux_dirent64 records (as getdents64 returns) into
 * legacy struct linux_dirent records (getdents). Stops before the record
 * that does not fit; returns bytes written and sets *consumed to the input
 * bytes converted (so the caller can seek back), or -1 if not even the
 * first record fits.
 */
long kbox_abi_dirent64_to_dirent(const void *in, size_t inlen, void *out,
                                 size_t outlen, size_t *consumed);

/*
 * /proc/<pid>/status as the guest should see it: the host's text (state,
 * memory, threads, signals, pids) with the credential lines (Umask, Uid,
 * Gid, Groups, Cap*, NoNewPrivs) taken from the kernel library's, which
 * holds the guest's identity. A credential line missing from @kern stays
 * the host's. Seccomp and Seccomp_filters count only the guest's own
 * filters (kbox_abi_guest_seccomp). Returns the length written to @out
 * (NUL-terminated), or -1 when it does not fit.
 */
long kbox_abi_status_merge(const char *host, const char *kern, char *out,
                           size_t outlen);

/*
 * The guest's own seccomp mode (0 or SECCOMP_MODE_FILTER) from a host
 * /proc/<tid>/status, and in *@filters (if not NULL) how many filters it
 * installed: every guest thread carries kbox's filter, one more than its
 * own, so Linux's answers said mode 2 to a guest that installed none
 * (man-db then skipped its own sandbox: "seccomp already enabled"). -1
 * when the host has no Seccomp_filters line (before Linux 5.9).
 */
int kbox_abi_guest_seccomp(const char *host, long *filters);

/*
 * From a thread's /proc/<tid>/status: would it take a signal now, that
 * is, is one pending (to the thread, SigPnd, or to the process, ShdPnd)
 * and not blocked (SigBlk)? 0: no; 1: yes, and the thread goes through
 * the signal path on its way back even if another thread takes it first
 * (thread-directed, one thread, or a process-directed signal other than
 * SIGCHLD and the thread is the leader); 2: yes, but another thread
 * might take it and this one not be flagged (see kbox_abi_others_block).
 */
int kbox_abi_status_signal(const char *status);

/*
 * For a thread whose status (@status) gave 2 above: does the thread
 * whose status is @other block every process-directed signal it would
 * take (or is it exiting)? When all the others do, only this thread can
 * take them, and the kernel flags it.
 */
bool kbox_abi_others_block(const char *status, const char *other);

/* The state letter of a /proc status text (R, S, T, t, Z...), or '?';
 * its thread count (Threads:), or 0. */
char kbox_abi_status_state(const char *status);
unsigned long kbox_abi_status_threads(const char *status);

/* The first @len - 1 bytes of the host's /proc/@pid/@name, NUL-ended:
 * their count, or -1 when it cannot be read. */
int kbox_abi_proc_text(pid_t pid, const char *name, char *buf, size_t len);
/* A pidfd of process @tid when @tid is a thread-group leader, its parent
 * in *@ppid (PIDFD_GET_INFO); -1 for other threads, a gone process, or a
 * host without that ioctl (then /proc/@tid/status must tell). */
int kbox_abi_leader_pidfd(pid_t tid, pid_t *ppid);
/* All of /proc/@pid/@name, NUL-terminated, in @buf (@len bytes) or, when
 * longer, in a malloc'd buffer returned instead (the caller frees what is
 * not @buf); NULL if it cannot be opened. Usually one read. */
char *kbox_abi_proc_all(pid_t pid, const char *name, char *buf, size_t len);

/* Read /proc/@pid/status (a thread id works too) into @buf; false if
 * it is gone. */
bool kbox_abi_read_status(pid_t pid, char *buf, size_t len);

/* The hex mask after @key ("SigCgt:", "ShdPnd:", ...) in a status text. */
unsigned long long kbox_abi_status_mask(const char *status, const char *key);

/*
 * Would @sig, sent to the process whose /proc/<pid>/status is @status,
 * stop, continue or end it (the changes its parent hears of by SIGCHLD)?
 * Not when it catches, ignores or blocks @sig, nor for signals ignored by
 * default; SIGKILL, SIGSTOP and SIGCONT by the process's state.
 */
bool kbox_abi_signal_changes_state(const char *status, int sig);

/*
 * clone3's struct clone_args (uapi linux/sched.h, version 2: 88 bytes).
 * The supervisor reads it to see the flags legacy clone has in a register.
 */
struct kbox_clone_args {
    uint64_t flags;
    uint64_t pidfd;
    uint64_t child_tid;
    uint64_t parent_tid;
    uint64_t exit_signal;
    uint64_t stack;
    uint64_t stack_size;
    uint64_t tls;
    uint64_t set_tid;
    uint64_t set_tid_size;
    uint64_t cgroup;
};
_Static_assert(sizeof(struct kbox_clone_args) == 88, "clone_args v2");
#define KBOX_CLONE_ARGS_SIZE_VER0 64
#define KBOX_CLONE_ARGS_SIZE_VER2 88

/*
 * The error Linux 6.12's clone3 gives for arguments @a (the caller passed
 * @size bytes, any beyond the struct zero) before it creates anything or
 * looks at privileges, or 0: the checks of copy_clone_args_from_user,
 * clone3_args_valid and copy_process's flag rules, in their order.
 */
int kbox_abi_clone3_check(const struct kbox_clone_args *a, size_t size);

#endif
