/* SPDX-License-Identifier: MIT */
/*
 * What the process family's files share (private to src/dispatch):
 * proc.c the table of guest processes, procfork.c fork preparations and
 * clone/fork/unshare, procexit.c exits, the ended list and the sweep.
 */
#ifndef KBOX_DISPATCH_PROC_H
#define KBOX_DISPATCH_PROC_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#include "kbox/dispatch.h"

/* Guards kbox_sup.procs, the tid cache and the preparations. */
extern pthread_mutex_t kbox_proc_lock;

/* proc.c */
unsigned long long kbox_proc_stat_field(pid_t pid, int want);
unsigned long long kbox_proc_start_time(pid_t pid);
struct kbox_proc *kbox_proc_find_tgid(pid_t tgid);
bool kbox_proc_has_exited(const struct kbox_proc *p);
void kbox_proc_unlink_locked(struct kbox_proc *p);
void kbox_proc_claim_unseen_locked(void);

/* procexit.c */
void kbox_proc_free(struct kbox_proc *p);
bool kbox_proc_ended_before_locked(pid_t tgid);
void kbox_proc_kill_locked(struct kbox_proc *p);
struct kbox_resp kbox_proc_exit_group(struct kbox_req *r);

/* procfork.c */
int kbox_proc_children(pid_t tgid, pid_t tid, pid_t **out);
void kbox_prep_release(struct kbox_fork_prep *e);
int kbox_prep_for_child_locked(struct kbox_proc *parent, pid_t child);
bool kbox_prep_claim_locked(struct kbox_proc *parent, pid_t tgid, pid_t ppid,
                            struct kbox_fork_prep *e, pid_t *forker);
void kbox_prep_orphan_locked(struct kbox_proc *p);
void kbox_prep_drop_stillborn_locked(struct kbox_proc *p);
bool kbox_prep_age_adopted_locked(void);

#endif
