/* SPDX-License-Identifier: MIT */
/*
 * The dispatch engine: legacy-call rewriting, process lookup, and the
 * per-syscall disposition table built from the handler families.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/abi.h"
#include "kbox/dispatch.h"
#include "kbox/path.h"
#include "kbox/policy.h"

struct kbox_sup kbox_sup;

static kbox_handler table[KBOX_NR_COUNT];
static int table_ready;

static void build_table(void)
{
    for (long nr = 0; nr < KBOX_NR_COUNT; nr++) {
        kbox_handler h = kbox_fd_handler(nr);

        if (!h)
            h = kbox_fs_handler(nr);
        if (!h)
            h = kbox_id_handler(nr);
        if (!h)
            h = kbox_proc_handler(nr);
        if (!h)
            h = kbox_net_handler(nr);
        if (!h)
            h = kbox_xattr_handler(nr);
        if (!h)
            h = kbox_watch_handler(nr);
        if (!h)
            h = kbox_sys_handler(nr);
        if (!h)
            h = kbox_fsinfo_handler(nr);
        if (!h)
            h = kbox_fhandle_handler(nr);
        if (!h)
            h = kbox_clockadj_handler(nr);
        if (!h)
            h = kbox_target_handler(nr);
        if (!h)
            h = kbox_ipc_handler(nr);
        table[nr] = h;
    }
    table_ready = 1;
}

long kbox_lx(struct kbox_req *r, long nr, long a0, long a1, long a2, long a3,
             long a4, long a5)
{
    long args[6] = { a0, a1, a2, a3, a4, a5 };

    /* this call takes the process's pending pid (kbox_proc_number) */
    if (r->proc && r->task == r->proc->task &&
        !__atomic_load_n(&r->proc->numbered, __ATOMIC_RELAXED))
        __atomic_store_n(&r->proc->numbered, true, __ATOMIC_RELAXED);
    return lx_task_syscall(r->task, nr, args);
}

/* An lstat: the call does not follow a last symlink (/proc/self/exe and
 * /proc/self/root are links there, as natively, not their targets). */
static bool stats_the_link(const struct kbox_req *r)
{
    return (r->nr == SYS_newfstatat && (r->args[3] & AT_SYMLINK_NOFOLLOW)) ||
           (r->nr == SYS_statx && (r->args[2] & AT_SYMLINK_NOFOLLOW));
}

/*
 * /proc/<tid> of a guest thread other than a leader: Linux has it (not
 * listed), lx has no such pid (a thread's lx task keeps lx's number), so
 * it is the thread's /proc/<tgid>/task/<tid>.
 */
static void thread_pid_path(char *buf, size_t len)
{
    const char *p = buf + 6, *q;
    pid_t tid = 0, tgid, ppid;
    char out[KBOX_PATH_MAX];
    int n;

    if (strncmp(buf, "/proc/", 6) || *p < '1' || *p > '9')
        return;
    for (q = p; *q >= '0' && *q <= '9' && q - p < 9; q++)
        tid = tid * 10 + (*q - '0');
    if ((*q != '/' && *q) || kbox_proc_known(tid) ||
        kbox_proc_status(tid, &tgid, &ppid) || tgid == tid ||
        !kbox_proc_is_guest(tgid))
        return;
    n = snprintf(out, sizeof(out), "/proc/%d/task/%d%s", (int)tgid, (int)tid,
                 q);
    if (n > 0 && (size_t)n < len)
        memcpy(buf, out, (size_t)n + 1);
}

int kbox_read_path(struct kbox_req *r, uint64_t addr, char *buf, size_t len,
                   bool allow_empty)
{
    int rc;

    r->path_addr = addr;
    r->npaths++;
    if (r->path_override && addr == r->path_override_addr) {
        if (snprintf(buf, len, "%s", r->path_override) >= (int)len)
            return -ENAMETOOLONG;
        return 0;
    }
    rc = r->ops->read_str(r, addr, buf, len);
    if (rc)
        return rc;
    /*
     * /proc/<pid>/root of a guest process is the guest's root: strip it
     * lexically (every guest process shares the one root), so it cannot
     * lead anywhere else whatever pid it names.
     */
    {
        long pid;
        const char *q = kbox_path_proc_pid(buf, &pid);

        /* readlink of the link itself is answered by the fs family */
        if (q && !strncmp(q, "root", 4) &&
            (q[4] == '/' ||
             (q[4] == '\0' && r->nr != SYS_readlinkat && !stats_the_link(r)))) {
            const char *rest = q + 4;
            memmove(buf + 1, rest, strlen(rest) + 1);
            buf[0] = '/';
            if (buf[1] == '/')
                memmove(buf, buf + 1, strlen(buf + 1) + 1);
        }
    }
    /*
     * A process naming itself (/proc/$$/...) means /proc/self, and a
     * thread naming itself /proc/thread-self: the kernel's /proc has one
     * task per process (no thread pids), and a process whose kernel task
     * could not take its host pid is still found. Other pids are left
     * alone (kernel tasks carry their process's host pid).
     */
    if (r->proc) {
        long pid;
        const char *q = kbox_path_proc_pid(buf, &pid);
        const char *as = NULL;

        if (q && pid == r->proc->tgid)
            as = "/proc/self/";
        else if (q && pid && pid == r->pid)
            as = "/proc/thread-self/";
        if (as && strlen(as) + strlen(q) < len) {
            memmove(buf + strlen(as), q, strlen(q) + 1);
            memcpy(buf, as, strlen(as));
        } else if (!as) {
            thread_pid_path(buf, len);
        }
    }
    /* The kernel's /proc knows nothing of host processes: a guest's
     * executable is the image path kbox exec'd. */
    if (r->proc && !stats_the_link(r)) {
        char exe[KBOX_PATH_MAX];

        int rc = kbox_proc_exe_link(r, buf, exe, sizeof(exe));

        if (rc == -EACCES)
            return rc; /* another user's program, as Linux says */
        if (!rc && strlen(exe) < len)
            strcpy(buf, exe);
    }
    if (!buf[0] && !allow_empty)
        return -ENOENT;
    return 0;
}

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/*
 * Run the call's handler. A path call that failed with EXDEV on a bind
 * path (the host refused a symlink leaving the bind) runs again on the
 * path that symlink leads to in the guest's tree, as Linux resolves it;
 * at most 40 links, as Linux follows. One whose walk in lx reached a bind
 * (a symlink into it, a name relative to an lx directory) runs again on
 * the bind path that walk leads to.
 */
static struct kbox_resp run_handler(struct kbox_req *r)
{
    struct kbox_resp resp;
    char *over = NULL;

    for (int links = 0;; links++) {
        char *next;

        r->npaths = 0;
        r->bind_idx1 = 0;
        kbox_bind_held_release(r);
        free(r->lx_walk);
        r->lx_walk = NULL;
        resp = table[r->nr](r);
        r->bind_reached1 = 0; /* the next run's, if kbox_lx_bind_path sets it */
        if (resp.kind != KBOX_RESP_RET || resp.val != -EXDEV ||
            (!r->bind_idx1 && !r->lx_walk) || r->npaths != 1 || r->replied)
            break;
        if (links >= 40) {
            resp = kbox_ret(-ELOOP);
            break;
        }
        if (r->bind_idx1) {
            next = kbox_bind_symlink_path(r->bind_idx1 - 1, r->bind_path);
        } else {
            int err;

            next = kbox_lx_bind_path(r, &err);
            if (!next && err)
                resp = kbox_ret(err);
        }
        if (!next)
            break;
        free(over);
        over = next;
        r->path_override = over;
        r->path_override_addr = r->path_addr;
    }
    free(over);
    free(r->bind_path);
    r->bind_path = NULL;
    free(r->lx_walk);
    r->lx_walk = NULL;
    r->path_override = NULL;
    kbox_ids_restore(r);
    kbox_bind_held_release(r);
    if (r->fdlink_fd1) {
        close(r->fdlink_fd1 - 1);
        r->fdlink_fd1 = 0;
    }
    return resp;
}

/* Calls that make a file longer, which RLIMIT_FSIZE limits. */
static bool grows_files(long nr)
{
    switch (nr) {
    case SYS_write:
    case SYS_pwrite64:
    case SYS_writev:
    case SYS_pwritev:
    case SYS_pwritev2:
    case SYS_ftruncate:
    case SYS_truncate:
    case SYS_fallocate:
    case SYS_sendfile:
    case SYS_splice:
    case SYS_copy_file_range:
        return true;
    default:
        return false;
    }
}

/*
 * lx refuses a write past RLIMIT_FSIZE with EFBIG (the limit is mirrored
 * into lx, target.c); Linux also sends SIGXFSZ to the writer. It is
 * pending when the call returns, as there.
 */
static void fsize_signal(struct kbox_req *r)
{
    struct rlimit rl;

    if (kbox_lx(r, LX__NR_prlimit64, 0, RLIMIT_FSIZE, 0, (long)&rl, 0, 0) ==
            0 &&
        rl.rlim_cur != RLIM_INFINITY)
        syscall(SYS_tgkill, r->proc->tgid, r->pid, SIGXFSZ);
}

/*
 * A write to a FIFO (or socket) whose reader is gone: Linux sends the
 * writer SIGPIPE with the EPIPE, unless a send call asked MSG_NOSIGNAL.
 * lx sent it to its own task, so `yes > fifo` ran on past a closed
 * reader and diff reported "Broken pipe" instead of dying of it.
 */
static void pipe_signal(struct kbox_req *r)
{
    int flags;

    switch (r->nr) {
    case SYS_write:
    case SYS_writev:
    case SYS_pwritev:
    case SYS_pwritev2:
    case SYS_splice:
    case SYS_vmsplice:
    case SYS_tee:
    case SYS_sendfile:
    case SYS_copy_file_range:
        flags = 0;
        break;
    case SYS_sendto:
    case SYS_sendmmsg:
        flags = (int)r->args[3];
        break;
    case SYS_sendmsg:
        flags = (int)r->args[2];
        break;
    default:
        return;
    }
    if (!(flags & MSG_NOSIGNAL))
        syscall(SYS_tgkill, r->proc->tgid, r->pid, SIGPIPE);
}

/*
 * close() of a number at which kbox holds no lx file: the host's close
 * is all there is (its EBADF, or a host fd's end). faked closes every fd
 * up to RLIMIT_NOFILE, 20000 notified calls: each goes by with one look
 * at the fd table (no task, no in-flight slot, no handler). Not while
 * another thread's exit_group ends the process (the full path waits).
 */
static bool unheld_close(struct kbox_req *r)
{
    return r->nr == SYS_close &&
           !__atomic_load_n(&r->proc->exited, __ATOMIC_ACQUIRE) &&
           kbox_fdt_lookup(r->proc->fdt, (int)r->args[0]) < 0;
}

struct kbox_resp kbox_dispatch(struct kbox_req *r)
{
    struct kbox_resp resp;
    long orig_nr = r->nr;
    uint64_t orig_args[6];
    double t0 = 0;
    const char *disp;

    if (!table_ready)
        build_table();
    memcpy(orig_args, r->args, sizeof(orig_args));
    r->exits_freed = kbox_exits_freed();
    if (kbox_sup.verbose >= 2)
        t0 = now_us();

    /* Legacy x86_64 path calls become their *at forms. */
    {
        uint64_t out[6];
        long nnr;

        if (kbox_abi_legacy_to_at(r->nr, r->args, &nnr, out)) {
            r->nr = nnr;
            memcpy(r->args, out, sizeof(out));
        }
    }

    kbox_exec_restore_before(r->pid);
    r->proc = kbox_proc_lookup(r->pid);
    if (r->proc && r->proc->exec_creds)
        kbox_exec_settle(r);
    if (r->proc && r->proc->exec_swap)
        kbox_exec_swap_settle(r);
    if (r->proc)
        kbox_selfsig_settle(r);
    if (r->proc && unheld_close(r)) {
        resp = kbox_continue();
        disp = "host";
        goto done;
    }
    r->task = r->proc ? kbox_thread_task(r->proc, r->pid) : NULL;
    if (!r->proc) {
        /*
         * A thread of a process whose exit_group (another thread's) kbox
         * has let go is killed by the host in a moment; natively its call
         * never returns. An EPERM now let it run on until then (and
         * print an error: most children of tests/guest/exit-noproc did).
         * The reply waits until the thread is gone, up to 200 ms after
         * the exit: a thread an exec kept alive (its exit_group's caller
         * killed by another thread's exec, 218-exec-threads-claim) would
         * wait for nothing.
         */
        for (long ms = kbox_proc_ended_ms(r->pid);
             ms >= 0 && ms < 200 && r->ops->valid(r); ms++)
            usleep(1000);
        /* A process we cannot place: refuse rather than guess. */
        resp = kbox_ret(-EPERM);
        disp = "noproc";
    } else if (r->nr >= 0 && r->nr < KBOX_NR_COUNT && table[r->nr]) {
        kbox_inflight_begin(r);
        if (__atomic_load_n(&r->proc->exited, __ATOMIC_ACQUIRE) &&
            r->nr != SYS_exit && r->nr != SYS_exit_group) {
            /*
             * Another thread's exit_group came first: natively this
             * thread is being killed, and its call (a FIFO read) must
             * not run, or it would take data meant for the next reader.
             * The reply waits until the thread is gone (KBOX_INTR_EXEC,
             * kbox_inflight_end), so it never sees the EINTR.
             */
            __atomic_store_n(&r->interrupted, KBOX_INTR_EXEC, __ATOMIC_RELEASE);
            resp = kbox_inflight_end(r, kbox_ret(-EINTR));
        } else {
            long bad = kbox_argcheck(r);

            resp = kbox_inflight_end(r, bad ? kbox_ret(bad) : run_handler(r));
        }
        disp = resp.kind == KBOX_RESP_CONTINUE ? "host" : "kernel";
    } else if (kbox_policy_act(r->nr) == KBOX_BPF_ALLOW) {
        resp = kbox_continue();
        disp = "host";
    } else {
        if (r->nr >= 0 && r->nr < KBOX_NR_COUNT)
            __atomic_fetch_add(&kbox_sup.unknown_count[r->nr], 1,
                               __ATOMIC_RELAXED);
        resp = kbox_ret(-ENOSYS);
        disp = "unknown";
    }

    if (resp.kind != KBOX_RESP_CONTINUE && !r->replied &&
        (resp.val == -EFBIG || resp.val == -EPIPE) && r->proc &&
        kbox_selfsig(r, resp.val))
        resp = kbox_continue(); /* the write fails again, on the host */
    if (resp.kind != KBOX_RESP_CONTINUE && resp.val == -EFBIG && r->task &&
        grows_files(r->nr))
        fsize_signal(r);
    if (resp.kind != KBOX_RESP_CONTINUE && resp.val == -EPIPE && r->proc)
        pipe_signal(r);
done:
    kbox_proc_put(r->proc);
    r->proc = NULL;
    if (kbox_sup.verbose >= 2) {
        double dt = now_us() - t0;

        if (resp.kind == KBOX_RESP_CONTINUE)
            fprintf(stderr, "kbox: [%d] %s(%#lx, %#lx, %#lx) -> %s (%.1f us)\n",
                    (int)r->pid, kbox_syscall_name(orig_nr),
                    (unsigned long)orig_args[0], (unsigned long)orig_args[1],
                    (unsigned long)orig_args[2], disp, dt);
        else
            fprintf(stderr,
                    "kbox: [%d] %s(%#lx, %#lx, %#lx) = %ld [%s] (%.1f us)\n",
                    (int)r->pid, kbox_syscall_name(orig_nr),
                    (unsigned long)orig_args[0], (unsigned long)orig_args[1],
                    (unsigned long)orig_args[2], resp.val, disp, dt);
    }
    return resp;
}
