/* SPDX-License-Identifier: MIT */
/*
 * The exec journal: what exec preparation writes in a guest's memory
 * (the path turned into kbox's alias, argv entries moved off it, a #!
 * script's argv), with the bytes it replaced, and the list of journals
 * whose undo waits for a vfork/posix_spawn parent's next supervised call.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "journal.h"
#include "kbox/abi.h"
#include "kbox/cache.h"
#include "kbox/dispatch.h"
#include "kbox/elf.h"
#include "kbox/exec.h"
#include "kbox/fdtable.h"
#include "kbox/path.h"

/*
 * Stack pointer of a thread stopped in a syscall (/proc/pid/syscall). A
 * thread that just processed an ADDFD is briefly running (it installs
 * the fd itself) and the file then says "running": retry.
 */
int kbox_exec_guest_sp(pid_t pid, uint64_t *sp)
{
    char p[64], line[512];
    unsigned long long v[9];

    snprintf(p, sizeof(p), "/proc/%d/syscall", (int)pid);
    for (int tries = 0; tries < 2000; tries++) {
        FILE *f = fopen(p, "re");
        int n;

        if (!f)
            return -errno;
        if (!fgets(line, sizeof(line), f)) {
            fclose(f);
            return -EIO;
        }
        fclose(f);
        n = sscanf(line, "%llu %llx %llx %llx %llx %llx %llx %llx %llx", &v[0],
                   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]);
        if (n == 9) {
            *sp = v[7];
            return 0;
        }
        if (strncmp(line, "running", 7) != 0)
            return -EIO;
        sched_yield();
    }
    return -EIO;
}

int kbox_exec_ptr_at(struct kbox_req *r, struct ptr_reader *pr, size_t i,
                     uint64_t *out)
{
    if (i < pr->from || i >= pr->from + pr->n) {
        uint64_t a = pr->base + i * 8;
        size_t n = (4096 - (a & 4095)) / 8; /* this page is mapped */

        if (n == 0)
            n = 1;
        if (n > 512)
            n = 512;
        if (r->ops->read(r, a, pr->v, n * 8)) {
            n = 1;
            if (r->ops->read(r, a, pr->v, 8))
                return -EFAULT;
        }
        pr->from = i;
        pr->n = n;
    }
    *out = pr->v[i - pr->from];
    return 0;
}

void kbox_journal_free(struct exec_journal *j)
{
    for (size_t i = 0; i < j->n; i++) {
        free(j->e[i].old);
        free(j->e[i].new);
    }
    free(j->e);
    j->e = NULL;
    j->n = j->cap = 0;
}

/* Write @len bytes at @addr, which held @old (NULL: read them first). */
int kbox_journal_write(struct kbox_req *r, struct exec_journal *j,
                       uint64_t addr, const void *buf, const void *old,
                       size_t len)
{
    unsigned char *save = malloc(len ? len : 1), *now = malloc(len ? len : 1);

    if (!save || !now) {
        free(save);
        free(now);
        return -ENOMEM;
    }
    memcpy(now, buf, len);
    if (old)
        memcpy(save, old, len);
    else if (r->ops->read(r, addr, save, len)) {
        free(save);
        free(now);
        return -EFAULT;
    }
    if (j->n == j->cap) {
        size_t cap = j->cap ? 2 * j->cap : 8;
        struct jent *e = realloc(j->e, cap * sizeof(*e));

        if (!e) {
            free(save);
            free(now);
            return -ENOMEM;
        }
        j->e = e;
        j->cap = cap;
    }
    j->e[j->n].addr = addr;
    j->e[j->n].len = len;
    j->e[j->n].old = save;
    j->e[j->n].new = now;
    j->n++;
    return r->ops->poke(r, addr, buf, len);
}

/*
 * Put the old bytes back in @pid's memory, newest first; with @if_ours,
 * only where kbox's bytes are still there.
 */
void kbox_journal_undo(struct exec_journal *j, pid_t pid, bool if_ours)
{
    struct kbox_req pr;
    unsigned char *cur = NULL;

    memset(&pr, 0, sizeof(pr));
    pr.pid = pid;
    pr.ops = j->ops;
    pr.tier = j->tier;
    for (size_t i = j->n; i-- > 0;) {
        struct jent *e = &j->e[i];

        if (if_ours) {
            unsigned char *c = realloc(cur, e->len ? e->len : 1);

            if (!c)
                break;
            cur = c;
            if (j->ops->read(&pr, e->addr, cur, e->len) ||
                memcmp(cur, e->new, e->len))
                continue;
        }
        j->ops->poke(&pr, e->addr, e->old, e->len);
    }
    free(cur);
    kbox_journal_free(j);
}

/*
 * Scratch memory below the guest's stack pointer (past the red zone),
 * which the exec discards and a vfork parent does not use: a posix_spawn
 * child's stack is a page or two, so it stays close to sp.
 */
int kbox_journal_scratch(struct kbox_req *r, struct exec_journal *j,
                         const void *buf, size_t len, uint64_t *at)
{
    if (!j->below) {
        uint64_t sp;
        int rc = kbox_exec_guest_sp(r->pid, &sp);

        if (rc)
            return rc;
        j->below = sp - 256;
    }
    j->below = (j->below - len) & ~(uint64_t)15;
    *at = j->below;
    return r->ops->poke(r, *at, buf, len);
}

/*
 * Restores not done yet. The parent's thread that made the child (its
 * vfork or posix_spawn) does it at its next supervised call, once the
 * child's exec has left the memory: then that thread is stopped in the
 * call, so nothing it does races with kbox's compare and write. (The
 * parent is woken before the child's exec switches memory, so kbox
 * cannot do it before the parent runs; done while the parent ran, it
 * clobbered memory Python had freed and reused meanwhile, crashing it
 * in one run in two.) Until then the parent may see the alias path in
 * its copy of the string; it runs no other exec before that call, as
 * clone and execve are supervised calls. Where the child's exec went
 * through a gate (gate.c), the gate does it first, before the parent
 * runs, with kbox_exec_restore_now().
 */
static pthread_mutex_t restore_lock = PTHREAD_MUTEX_INITIALIZER;
static struct exec_journal *restores[64];
static int nrestores;

/*
 * Children sharing one parent's memory (posix_spawn, vfork from several
 * threads; glibc's system() and popen() spawn its one "/bin/sh" literal)
 * exec'd at once: each wrote its alias over the path they all passed
 * and put the bytes it had read back later, so another read the alias
 * (ENOENT in lx: system() gave 127) or kept it. Per parent, the child
 * whose exec rewrote its memory and whose restore is pending, or 0.
 */
static pthread_mutex_t share_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    pid_t parent, child;
} shares[64];

static bool share_try(pid_t parent, pid_t child)
{
    int fi = -1;
    bool ok = true;

    pthread_mutex_lock(&share_lock);
    for (int i = 0; i < 64 && ok; i++) {
        if (shares[i].child && shares[i].parent == parent) {
            if (shares[i].child == child) {
                pthread_mutex_unlock(&share_lock);
                return true;
            }
            /* a holder gone: nothing of its is put back any more */
            if (kill(shares[i].child, 0) < 0 && errno == ESRCH)
                shares[i].child = 0;
            else
                ok = false;
        }
        if (!shares[i].child && fi < 0)
            fi = i;
    }
    if (ok && fi >= 0) {
        shares[fi].parent = parent;
        shares[fi].child = child;
    }
    pthread_mutex_unlock(&share_lock);
    return ok;
}

/* 1: claimed, 0: not (timed out, or no room): it goes on as before,
 * -EINTR: its call was ended */
int kbox_exec_share_claim(struct kbox_req *r, pid_t parent)
{
    for (int i = 0; i < 4000; i++) {
        if (share_try(parent, r->pid))
            return 1;
        if (__atomic_load_n(&r->interrupted, __ATOMIC_ACQUIRE) ||
            !r->ops->valid(r))
            return -EINTR;
        usleep(500);
    }
    return 0;
}

void kbox_exec_share_release(pid_t child)
{
    pthread_mutex_lock(&share_lock);
    for (int i = 0; i < 64; i++)
        if (shares[i].child == child)
            shares[i].child = 0;
    pthread_mutex_unlock(&share_lock);
}

/* restore_lock held: take entry @i off the list and free it; put the
 * bytes back first with @undo */
static void restore_take(int i, bool undo)
{
    struct exec_journal *j = restores[i];

    if (undo)
        kbox_journal_undo(j, j->parent, true);
    else
        kbox_journal_free(j);
    kbox_exec_share_release(j->child);
    restores[i] = restores[nrestores - 1];
    __atomic_store_n(&nrestores, nrestores - 1, __ATOMIC_RELAXED);
    free(j);
}

void kbox_exec_restore_before(pid_t tid)
{
    if (!__atomic_load_n(&nrestores, __ATOMIC_RELAXED))
        return;
    pthread_mutex_lock(&restore_lock);
    for (int i = 0; i < nrestores; i++) {
        struct exec_journal *j = restores[i];

        /* a new mm, or the child gone (ESRCH): the memory is the parent's */
        if (j->waiter == tid &&
            syscall(SYS_kcmp, j->child, j->parent, KCMP_VM, 0, 0) != 0) {
            restore_take(i, true);
            break;
        }
    }
    pthread_mutex_unlock(&restore_lock);
}

void kbox_exec_restore_now(pid_t child)
{
    if (!__atomic_load_n(&nrestores, __ATOMIC_RELAXED))
        return;
    pthread_mutex_lock(&restore_lock);
    for (int i = 0; i < nrestores; i++) {
        if (restores[i]->child == child) {
            restore_take(i, true);
            break;
        }
    }
    pthread_mutex_unlock(&restore_lock);
}

/* restore_lock held: room for one more, dropping entries whose parent
 * thread is gone; false when there is none. */
static bool restore_room(void)
{
    for (int i = 0; i < nrestores;) {
        if (syscall(SYS_tgkill, restores[i]->parent, restores[i]->waiter, 0) <
                0 &&
            errno == ESRCH)
            restore_take(i, false);
        else
            i++;
    }
    return nrestores < (int)(sizeof(restores) / sizeof(restores[0]));
}

/*
 * Keep @j (a child's exec journal over memory it shares with @parent)
 * until the parent's thread @waiter makes its next supervised call; no
 * room: the parent keeps kbox's bytes.
 */
void kbox_journal_keep(struct exec_journal *j, pid_t parent, pid_t waiter)
{
    struct exec_journal *keep = malloc(sizeof(*keep));
    bool listed = false;

    pthread_mutex_lock(&restore_lock);
    if (keep && restore_room()) {
        *keep = *j;
        keep->parent = parent;
        keep->waiter = waiter;
        restores[nrestores] = keep;
        __atomic_store_n(&nrestores, nrestores + 1, __ATOMIC_RELAXED);
        listed = true;
    }
    pthread_mutex_unlock(&restore_lock);
    if (!listed) {
        kbox_journal_free(j);
        free(keep);
        kbox_exec_share_release(j->child);
    }
}

/* Does @pid share its memory with its parent (vfork, posix_spawn)? */
bool kbox_exec_shares_parent_memory(pid_t pid, pid_t *parent)
{
    pid_t tgid, ppid, f = kbox_proc_forker(pid);

    /* clone(CLONE_VM | CLONE_PARENT): its forker's memory, not its
     * parent's (the exec's edits stayed in the forker's: a vfork-style
     * child's exec left "d4/true" in its forker's path buffer) */
    if (f > 0 && syscall(SYS_kcmp, pid, f, KCMP_VM, 0, 0) == 0) {
        *parent = f;
        return true;
    }
    if (kbox_proc_parent(pid, &tgid, &ppid) || ppid <= 1 ||
        syscall(SYS_kcmp, pid, ppid, KCMP_VM, 0, 0) != 0)
        return false;
    *parent = ppid;
    return true;
}
