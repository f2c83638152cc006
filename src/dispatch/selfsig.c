/* SPDX-License-Identifier: MIT */
/*
 * SIGPIPE and SIGXFSZ of a write lx refused, sent by the writer itself.
 *
 * Linux's pipe_write and generic_write_checks send them with send_sig():
 * si_code SI_USER, si_pid the writer's. kbox cannot forge that (the host
 * refuses an si_code >= 0 from another process), and its tgkill carried
 * SI_TKILL and kbox's pid. So the guest makes the write again on the
 * host, against a host file that fails it the same way: the write end of
 * a pipe without a reader (EPIPE), or a sealed memfd whose offset is the
 * caller's RLIMIT_FSIZE (EFBIG; the seals make any write that would not
 * fail there EPERM, never a silent success). That file stands at the
 * guest's fd number (ADDFD SETFD) while the call is CONTINUEd; the
 * thread's next call puts back what was there (the placeholder, a FIFO
 * end's eventfd, a content memfd), if the number still holds it. Calls on
 * the number in between go to lx by the fd map as always.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kbox/dispatch.h"
#include "kbox/exec.h"

#define SELFSIG_SLOTS 16

static struct swap {
    pid_t tid; /* 0: free */
    pid_t tgid;
    int gfd;
    int orig; /* what the guest held at gfd */
    int put;  /* kbox's copy of the file put there */
} swaps[SELFSIG_SLOTS];
static int nswaps;
static pthread_mutex_t swap_lock = PTHREAD_MUTEX_INITIALIZER;

void kbox_selfsig_settle(struct kbox_req *r)
{
    struct swap s = { 0 };

    if (!__atomic_load_n(&nswaps, __ATOMIC_ACQUIRE))
        return;
    pthread_mutex_lock(&swap_lock);
    for (int i = 0; i < SELFSIG_SLOTS; i++)
        if (swaps[i].tid == r->pid) {
            s = swaps[i];
            swaps[i].tid = 0;
            __atomic_fetch_sub(&nswaps, 1, __ATOMIC_RELEASE);
            break;
        }
    pthread_mutex_unlock(&swap_lock);
    if (!s.tid)
        return;
    /* still the file put there (not closed or replaced since) */
    if (syscall(SYS_kcmp, r->pid, getpid(), KCMP_FILE, s.gfd, s.put) == 0)
        r->ops->addfd(r, s.orig, s.gfd, kbox_host_fd_cloexec(r->pid, s.gfd),
                      false);
    close(s.orig);
    close(s.put);
}

/* Drop slot @i (swap_lock held); its fds are closed. */
static void drop_locked(int i)
{
    close(swaps[i].orig);
    close(swaps[i].put);
    swaps[i].tid = 0;
    __atomic_fetch_sub(&nswaps, 1, __ATOMIC_RELEASE);
}

/* Process @tgid is going away (SIGPIPE's default action ends it before
 * its thread makes another call): its slots would never be settled. */
void kbox_selfsig_forget(pid_t tgid)
{
    if (!__atomic_load_n(&nswaps, __ATOMIC_ACQUIRE))
        return;
    pthread_mutex_lock(&swap_lock);
    for (int i = 0; i < SELFSIG_SLOTS; i++)
        if (swaps[i].tid > 0 && swaps[i].tgid == tgid)
            drop_locked(i);
    pthread_mutex_unlock(&swap_lock);
}

struct swap_ctx {
    struct kbox_req *r;
    int gfd, file, orig;
};

/* (fd map locked) keep what the guest holds at the number, put the file */
static int swap_locked(void *arg, bool cloexec)
{
    struct swap_ctx *c = arg;
    int rc;

    (void)cloexec; /* the host fd's own flag, as the guest last set it */
    c->orig = kbox_guest_sock(c->r, c->gfd);
    if (c->orig < 0)
        return c->orig;
    rc = c->r->ops->addfd(c->r, c->file, c->gfd,
                          kbox_host_fd_cloexec(c->r->pid, c->gfd), false);
    if (rc < 0) {
        close(c->orig);
        c->orig = -1;
    }
    return rc;
}

/* Put @file at the guest's fd @gfd (mapped to lx fd @lxfd) until the
 * thread's next call. */
static bool swap_in(struct kbox_req *r, int gfd, int lxfd, int file)
{
    struct swap_ctx c = { r, gfd, file, -1 };
    int orig, slot = -1;

    pthread_mutex_lock(&swap_lock);
    for (int i = 0; i < SELFSIG_SLOTS && slot < 0; i++)
        if (!swaps[i].tid)
            slot = i;
    /* full: take back the slots of threads that are gone */
    for (int i = 0; i < SELFSIG_SLOTS && slot < 0; i++)
        if (swaps[i].tid > 0 &&
            syscall(SYS_tgkill, swaps[i].tgid, swaps[i].tid, 0) &&
            errno == ESRCH) {
            drop_locked(i);
            slot = i;
        }
    if (slot >= 0)
        swaps[slot].tid = -1; /* taken */
    pthread_mutex_unlock(&swap_lock);
    if (slot < 0)
        return false;
    /* not onto a number another thread closed and reused meanwhile */
    if (kbox_fdt_swap_if(r->proc->fdt, gfd, lxfd, swap_locked, &c) < 0) {
        pthread_mutex_lock(&swap_lock);
        swaps[slot].tid = 0;
        pthread_mutex_unlock(&swap_lock);
        return false;
    }
    orig = c.orig;
    pthread_mutex_lock(&swap_lock);
    swaps[slot] = (struct swap){ r->pid, r->proc->tgid, gfd, orig, file };
    __atomic_fetch_add(&nswaps, 1, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&swap_lock);
    return true;
}

/* A pipe's write end without a reader. */
static int broken_pipe(void)
{
    int p[2];

    if (pipe2(p, O_CLOEXEC))
        return -1;
    close(p[0]);
    return p[1];
}

/* A memfd a write at its offset (or past the limit) fails with EFBIG. */
static int full_file(pid_t pid)
{
    struct rlimit rl;
    int fd;

    if (prlimit(pid, RLIMIT_FSIZE, NULL, &rl) || rl.rlim_cur == RLIM_INFINITY)
        return -1;
    fd = memfd_create("kbox-fsize", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return -1;
    if (lseek(fd, (off_t)rl.rlim_cur, SEEK_SET) < 0 ||
        fcntl(fd, F_ADD_SEALS,
              F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL)) {
        close(fd);
        return -1;
    }
    return fd;
}

bool kbox_selfsig(struct kbox_req *r, long err)
{
    int gfd = (int)r->args[0], file, lxfd;

    switch (r->nr) {
    case SYS_write:
    case SYS_writev:
        break;
    case SYS_pwritev2: /* at the file offset: a pipe takes it */
        if (err == -EPIPE && (long)r->args[3] != -1)
            return false;
        break;
    case SYS_pwrite64:
    case SYS_pwritev:
        if (err == -EFBIG)
            break;
        return false;
    default:
        return false;
    }
    lxfd = kbox_lxfd(r, gfd);
    if (lxfd < 0)
        return false;
    file = err == -EPIPE ? broken_pipe() : full_file(r->pid);
    if (file < 0)
        return false;
    if (!swap_in(r, gfd, lxfd, file)) {
        close(file);
        return false;
    }
    return true;
}
