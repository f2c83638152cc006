/* SPDX-License-Identifier: MIT */
/*
 * Set-user-ID and set-group-ID programs. The host runs every program
 * from a memfd and never changes the guest's ids, so the guest's
 * identity, which lives in lx, changes as exec would change it there: lx
 * prepares the new credentials from the program file (its mode, owner,
 * nosuid mounts, capability rules) when the exec is asked for, and they
 * are committed at the process's next supervised call if
 * /proc/<pid>/exe is then the memfd the exec ran - a failed exec
 * (E2BIG, say) must not leave the caller with the program's ids.
 *
 * The host gives the program AT_SECURE = 0, so glibc would trust
 * LD_PRELOAD and friends in a program that just gained privileges: those
 * variables (glibc's unsecvars.h list) are taken out of the environment
 * the guest passes, as glibc takes them out itself in secure mode.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include <lx/lx.h>
#include <lx/uapi.h>
#include <stdlib.h>

#include "kbox/dispatch.h"
#include "kbox/exec.h"

static const char *const unsecure[] = {
    "GCONV_PATH",
    "GETCONF_DIR",
    "GLIBC_TUNABLES",
    "HOSTALIASES",
    "LD_AUDIT",
    "LD_BIND_NOT",
    "LD_BIND_NOW",
    "LD_DEBUG",
    "LD_DEBUG_OUTPUT",
    "LD_DYNAMIC_WEAK",
    "LD_HWCAP_MASK",
    "LD_LIBRARY_PATH",
    "LD_ORIGIN_PATH",
    "LD_PRELOAD",
    "LD_PROFILE",
    "LD_SHOW_AUXV",
    "LD_USE_LOAD_BIAS",
    "LOCALDOMAIN",
    "LOCPATH",
    "MALLOC_ARENA_MAX",
    "MALLOC_ARENA_TEST",
    "MALLOC_MMAP_MAX_",
    "MALLOC_MMAP_THRESHOLD_",
    "MALLOC_PERTURB_",
    "MALLOC_TOP_PAD_",
    "MALLOC_TRIM_THRESHOLD_",
    "NIS_PATH",
    "NLSPATH",
    "RESOLV_HOST_CONF",
    "RES_OPTIONS",
    "TMPDIR",
    "TZDIR",
};

static bool is_unsecure(const char *entry)
{
    for (size_t i = 0; i < sizeof(unsecure) / sizeof(unsecure[0]); i++) {
        size_t l = strlen(unsecure[i]);

        if (!strncmp(entry, unsecure[i], l) && entry[l] == '=')
            return true;
    }
    return false;
}

/*
 * As many envp entries as Linux's largest argument space holds pointers
 * (6 MiB of stack, _STK_LIM / 4 * 3): kbox_exec_args_fit has refused a
 * longer array already. The bound was 65536: a set-ID exec with more
 * variables (xargs-built environments, 100,000 of them) was E2BIG.
 */
#define ENV_PTRS_MAX ((6UL << 20) / 8 + 1)

/* Compact the guest's envp array in place, without the unsecure ones. */
static long strip_env(struct kbox_req *r, uint64_t uenvp)
{
    uint64_t keep = 0, ptrs[512];
    size_t have = 0, at = 0;

    if (!uenvp)
        return 0;
    for (uint64_t i = 0; i < ENV_PTRS_MAX; i++) {
        char entry[64];
        uint64_t p;

        if (at == have) {
            /* the rest of this page's pointers in one read: the entries
             * before i are the only ones rewritten so far */
            uint64_t a = uenvp + i * 8;

            have = (4096 - (a & 4095)) / 8;
            if (!have || have > 512)
                have = 1;
            if (r->ops->read(r, a, ptrs, have * 8))
                return -EFAULT;
            at = 0;
        }
        p = ptrs[at++];
        if (p) {
            int rc;

            memset(entry, 0, sizeof(entry));
            rc = r->ops->read_str(r, p, entry, sizeof(entry));
            if (rc == -ENAMETOOLONG) {
                /* longer than any name looked for: its first bytes */
                memset(entry, 0, sizeof(entry));
                if (r->ops->read(r, p, entry, 32))
                    return -EFAULT;
            } else if (rc) {
                return -EFAULT;
            }
            if (is_unsecure(entry))
                continue;
        }
        if (keep != i && r->ops->poke(r, uenvp + keep * 8, &p, 8))
            return -EFAULT;
        keep++;
        if (!p)
            return 0;
    }
    return -E2BIG;
}

long kbox_exec_setid(struct kbox_req *r, int lxfd, uint64_t uenvp, uint64_t dev,
                     uint64_t ino)
{
    struct kbox_proc *p = r->proc;
    int secure = 0;
    long h;

    __atomic_store_n(&kbox_sup.guest_creds_changed, true, __ATOMIC_SEQ_CST);
    h = lx_task_exec_creds(r->task, LX_CREDS_PREPARE, lxfd, &secure);

    if (h < 0)
        return h;
    if (secure) {
        long rc = strip_env(r, uenvp);

        if (rc) {
            lx_task_exec_creds(r->task, LX_CREDS_DROP, h, NULL);
            return rc;
        }
    }
    kbox_exec_forget(p); /* an earlier one that never settled */
    p->exec_creds_tid = r->pid;
    p->exec_creds_dev = dev;
    p->exec_creds_ino = ino;
    p->exec_secure = secure != 0;
    __atomic_store_n(&p->exec_creds, h, __ATOMIC_RELEASE);
    return 0;
}

void kbox_exec_settle(struct kbox_req *r)
{
    struct kbox_proc *p = r->proc;
    char path[64];
    struct stat st;
    bool ran;
    long h;

    if (r->pid != p->exec_creds_tid && r->pid != p->tgid)
        return;
    snprintf(path, sizeof(path), "/proc/%d/exe", (int)r->pid);
    ran = stat(path, &st) == 0 && (uint64_t)st.st_dev == p->exec_creds_dev &&
          (uint64_t)st.st_ino == p->exec_creds_ino;
    /* Another thread of a process whose exec is still under way. */
    if (!ran && r->pid != p->exec_creds_tid)
        return;
    h = __atomic_exchange_n(&p->exec_creds, 0, __ATOMIC_ACQ_REL);
    if (!h)
        return;
    lx_task_exec_creds(p->task, ran ? LX_CREDS_COMMIT : LX_CREDS_DROP, h, NULL);
    if (ran && p->exec_secure) {
        /* as begin_new_exec: no parent-death signal for a secure exec
         * (the first process's is lx's: src/dispatch/sys.c) */
        long a[6] = { PR_SET_PDEATHSIG, 0, 0, 0, 0, 0 };

        lx_task_syscall(p->task, LX__NR_prctl, a);
    }
    if (ran)
        kbox_thread_ids_changed(p);
}

void kbox_exec_forget(struct kbox_proc *p)
{
    long h = __atomic_exchange_n(&p->exec_creds, 0, __ATOMIC_ACQ_REL);

    kbox_exec_again_free(p->exec_again);
    p->exec_again = NULL;
    if (h && p->task)
        lx_task_exec_creds(p->task, LX_CREDS_DROP, h, NULL);
}
