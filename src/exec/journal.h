/* SPDX-License-Identifier: MIT */
/*
 * Exec preparation's edits of guest memory (exec.c), with the bytes they
 * replaced, so they can be put back (journal.c).
 */
#ifndef KBOX_EXEC_JOURNAL_H
#define KBOX_EXEC_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kbox/dispatch.h"

/*
 * Entries of a guest pointer array (argv, envp), read up to a page at a
 * time: one process_vm_readv per entry made the walk over a typical
 * environment ~30 us of every execve.
 */
struct ptr_reader {
    uint64_t base;
    size_t from, n;
    uint64_t v[512];
};

/* Entry @i of the guest pointer array at @pr->base. */
int kbox_exec_ptr_at(struct kbox_req *r, struct ptr_reader *pr, size_t i,
                     uint64_t *out);
/* Stack pointer of guest thread @pid, stopped in a syscall. */
int kbox_exec_guest_sp(pid_t pid, uint64_t *sp);

/*
 * What exec preparation changes in the guest's memory, with the bytes it
 * replaced. A vfork child or a posix_spawn one (clone CLONE_VM) shares
 * its memory with its parent: the path rewritten to the exec alias, the
 * argv entries moved off it and a #! script's argv are the parent's too,
 * and once the child's exec has left that memory the parent runs on with
 * them (gcc freed an argv[0] that pointed below a stack; a spawn of a
 * constant path found "d4/true" the second time). They are put back: in
 * the caller itself when the exec is refused before it runs; in the
 * parent once the child's exec has left the memory. The parent runs on
 * from that moment, so a part is put back only while it still holds
 * what kbox wrote: memory the parent has freed or reused since stays
 * as the parent left it (restoring it blindly crashed Python, which
 * frees the argv array at once). See docs/supervisor.md, "execve".
 */
struct exec_journal {
    pid_t child, parent; /* parent: sharing the child's memory, or 0 */
    pid_t waiter;        /* the parent's thread that made the child */
    const struct kbox_tier_ops *ops;
    void *tier;
    uint64_t below; /* next free byte below the guest's sp; 0: not read */
    size_t n, cap;
    struct jent {
        uint64_t addr;
        size_t len;
        unsigned char *old, *new; /* new: what kbox wrote */
    } * e;
};

void kbox_journal_free(struct exec_journal *j);
/* Write @len bytes at @addr, which held @old (NULL: read them first). */
int kbox_journal_write(struct kbox_req *r, struct exec_journal *j,
                       uint64_t addr, const void *buf, const void *old,
                       size_t len);
/* Put the old bytes back in @pid's memory; @if_ours: only where kbox's
 * bytes are still there. Frees the entries. */
void kbox_journal_undo(struct exec_journal *j, pid_t pid, bool if_ours);
/* Write @buf below the guest's stack pointer; its address in @at. */
int kbox_journal_scratch(struct kbox_req *r, struct exec_journal *j,
                         const void *buf, size_t len, uint64_t *at);
/* Hand @j to the restore list (see journal.c); @j is emptied or kept. */
void kbox_journal_keep(struct exec_journal *j, pid_t parent, pid_t waiter);
/* Put back now what @child's exec changed in its parent's memory (the
 * parent has not run since: gate.c). */
void kbox_exec_restore_now(pid_t child);
/* One exec at a time rewrites memory children share with @parent: wait
 * (2 s at most) until no other child's path bytes are kbox's there, then
 * hold that until they are put back or freed (journal.c). */
int kbox_exec_share_claim(struct kbox_req *r, pid_t parent);
void kbox_exec_share_release(pid_t child);

/*
 * Exec gates (gate.c): a read-only file of @copy (a private copy of the
 * program or of the exec trampoline, ours) holding a write lease, so
 * that the host's exec opening it waits until kbox has put back @child's
 * parent's memory. Returns that file's fd (the gate's: closed when the
 * gate opens, by kbox_gate_close, or by kbox_gate_forget), or -1.
 */
int kbox_gate_open(int copy, pid_t child);
void kbox_gate_close(int fd, pid_t child);

/* A new sealed memfd holding @len bytes of @buf (exec.c), or -errno. */
int kbox_exec_memfd(const char *name, const void *buf, size_t len);
/* A sealed memfd named @name with the first @len bytes of file @src (*@got:
 * how many it held), or -errno. */
int kbox_exec_memfd_copy(const char *name, int src, size_t len, size_t *got);
/* A new fd of the exec trampoline, or -1; one of a private copy behind a
 * gate for @child's exec, its gate in *@gate (trampoline.c). */
int kbox_tramp_fd(void);
int kbox_tramp_gated(pid_t child, int *gate);
/* Replace *@prog by a gated private copy of it for @child's exec (a
 * program up to 512 KiB; named @where in maps): true, or false with
 * *@prog unchanged (gate.c). */
bool kbox_gate_program(int *prog, pid_t child, const char *where);

/* Does @pid share its memory with its parent (vfork, posix_spawn)? */
bool kbox_exec_shares_parent_memory(pid_t pid, pid_t *parent);

#endif
